//go:build integration

package integration

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The commands README.md and the examples' comments document, run as
// written against the stand-ins (or docker-compose): the programs are built
// from ../examples and run with the documented environment.

// buildExamples builds the example programs into a temporary directory.
func buildExamples(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", dir, "./producer", "./consumer", "./pipeline")
	cmd.Dir = "../examples"
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "building the examples: %s", out)
	return dir
}

// otlpURL is the collector's OTLP/gRPC endpoint with its scheme, as the
// README writes it.
func otlpURL() string {
	ep := otlpEndpoint()
	if strings.Contains(ep, "://") {
		return ep
	}
	return "http://" + ep
}

func otlpHost() string {
	u, err := url.Parse(otlpURL())
	if err != nil {
		return otlpEndpoint()
	}
	return u.Host
}

// program is a started example.
type program struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr *lineLog
}

// lineLog records what is written to it, and passes each line on.
type lineLog struct {
	lines chan string
	mu    sync.Mutex
	all   bytes.Buffer
}

// String is everything written so far.
func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all.String()
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.all.Write(p)
	l.mu.Unlock()
	sc := bufio.NewScanner(bytes.NewReader(p))
	for sc.Scan() {
		select {
		case l.lines <- sc.Text():
		default:
		}
	}
	return len(p), nil
}

func start(t *testing.T, bin string, env []string, args ...string) *program {
	t.Helper()
	return startCmd(t, exec.Command(bin, args...), env)
}

// startCmd starts cmd with env added to the test's environment; it is
// killed, with its process group when it has one of its own, if it is
// still running when the test ends.
func startCmd(t *testing.T, cmd *exec.Cmd, env []string) *program {
	t.Helper()
	p := &program{cmd: cmd, stderr: &lineLog{lines: make(chan string, 1024)}}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = p.stderr
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.kill()
			_ = p.cmd.Wait()
		}
	})
	return p
}

// kill kills the program, and its process group when it has one (make
// and the go run under it).
func (p *program) kill() {
	if a := p.cmd.SysProcAttr; a != nil && a.Setpgid {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		return
	}
	_ = p.cmd.Process.Kill()
}

// wait waits for the program to exit, at most d, and returns its exit code.
func (p *program) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		p.kill()
		<-done
		t.Fatalf("%s still running after %v; stderr:\n%s", p.cmd.Path, d, p.stderr.String())
		return -1
	}
}

// startKfake runs another kfake broker on a free loopback port until the
// test ends.
func startKfake(t *testing.T, args ...string) string {
	t.Helper()
	bin := "../.bin/kfake"
	if _, err := os.Stat(bin); err != nil {
		bin = filepath.Join(t.TempDir(), "kfake")
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Dir = "../tools/kfake"
		out, err := build.CombinedOutput()
		require.NoError(t, err, "building tools/kfake: %s", out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	cmd := exec.Command(bin, append([]string{"-addr", addr, "-log-level", "error"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, 10*time.Second, 20*time.Millisecond, "kfake listening on %s: %s", addr, &out)
	return addr
}

// README: `cd examples && KAFKA_BOOTSTRAP_SERVERS=localhost:9092
// OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 go run ./producer` and
// the same for ./consumer. The consumer, started first, creates the topic,
// processes what the producer sends, and both services' spans reach Jaeger
// in one trace per message.
func TestExampleProducerAndConsumerReachJaeger(t *testing.T) {
	bins := buildExamples(t)
	id := runID()
	topic := "examples-" + id
	prodSvc, consSvc := "example-producer-"+id, "example-consumer-"+id
	env := []string{"KAFKA_BOOTSTRAP_SERVERS=" + bootstrap(), "OTEL_EXPORTER_OTLP_ENDPOINT=" + otlpURL(), "OTEL_BSP_SCHEDULE_DELAY=200"}

	cons := start(t, filepath.Join(bins, "consumer"), append(env, "OTEL_SERVICE_NAME="+consSvc), "-topic", topic, "-group", "g-"+id)
	prod := start(t, filepath.Join(bins, "producer"), append(env, "OTEL_SERVICE_NAME="+prodSvc), "-topic", topic, "-n", "5")
	require.Zero(t, prod.wait(t, 60*time.Second), "producer exit code; stderr:\n%s", prod.stderr.String())

	traces := waitForTraces(t, consSvc, nil, "5 process spans", func(tr []jaegerTrace) bool { return len(tr) == 5 })
	require.NoError(t, cons.cmd.Process.Signal(syscall.SIGTERM))
	require.Zero(t, cons.wait(t, 30*time.Second), "consumer exit code; stderr:\n%s", cons.stderr.String())
	for _, tr := range traces {
		byID := map[string]jaegerSpan{}
		for _, s := range tr.Spans {
			byID[s.SpanID] = s
		}
		var process *jaegerSpan
		for i, s := range tr.Spans {
			if s.OperationName == "process "+topic {
				process = &tr.Spans[i]
			}
		}
		require.NotNil(t, process, "a process span in trace %s", tr.TraceID)
		parent, ok := byID[process.parent()]
		require.True(t, ok, "the process span's parent is in the same trace")
		assert.Equal(t, "send "+topic, parent.OperationName)
	}
}

// README ("Kafka and Jaeger for your own program", and the kafkatrace
// command's section): `KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092
// OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317 make demo N=3`, run as
// written from the repository root (make, then go run), with
// JAEGER_QUERY_URL set so that the links it prints are this Jaeger's. Every
// trace the demo prints is in Jaeger, found by the ID in its Jaeger URL:
// the six spans of the journey, across the three services, each the child
// of the one before; and the metrics table follows the trees, with the
// consumed topics' lag known.
func TestDemoTracesReachJaeger(t *testing.T) {
	cmd := exec.Command("make", "demo", "N=3")
	cmd.Dir = ".."
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so that a timeout kills go run and the demo too
	began := time.Now()
	demo := startCmd(t, cmd, []string{
		"KAFKA_BOOTSTRAP_SERVERS=" + bootstrap(),
		"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlpURL(),
		"JAEGER_QUERY_URL=" + queryURL(),
		// As from a shell, also when the suite itself runs under make.
		"MAKEFLAGS=", "MFLAGS=", "MAKELEVEL=",
	})
	// The first go run compiles the examples (cgo): minutes on a cold cache.
	code := demo.wait(t, 5*time.Minute)
	out := demo.stdout.String()
	t.Logf("make demo N=3 exited %d after %v; stdout:\n%s", code, time.Since(began).Round(time.Millisecond), out)
	require.Zero(t, code, "make demo exit code; stderr:\n%s", demo.stderr.String())

	// trace ID  6 spans, 3 services, 9.1ms
	//   http://127.0.0.1:16686/trace/ID
	heads := regexp.MustCompile(`(?m)^trace ([0-9a-f]{32})  6 spans, 3 services, .*\n  (\S+)$`).FindAllStringSubmatch(out, -1)
	require.Len(t, heads, 3, "three trees, each with its Jaeger URL")
	for _, h := range heads {
		assert.Equal(t, queryURL()+"/trace/"+h[1], h[2], "the Jaeger URL of trace %s", h[1])
	}
	assert.Contains(t, out, "metrics of this run")
	for _, topic := range []string{"orders", "payments"} {
		assert.Regexp(t, `(?m)^  `+topic+` +3 +3 .* \d+$`, out, "the %s row: 3 sent, 3 consumed, a lag", topic)
	}
	assert.Regexp(t, `(?m)^  notifications +3 +0 `, out)

	want := []struct{ service, operation, kind string }{
		{"orders", "place order", "internal"},
		{"orders", "send orders", "producer"},
		{"payments", "process orders", "consumer"},
		{"payments", "send payments", "producer"},
		{"notifications", "process payments", "consumer"},
		{"notifications", "send notifications", "producer"},
	}
	for _, h := range heads {
		id := h[1]
		tr := waitForTrace(t, id, len(want))
		require.Len(t, tr.Spans, len(want), "the spans of trace %s", id)
		children := map[string][]jaegerSpan{}
		for _, s := range tr.Spans {
			children[s.parent()] = append(children[s.parent()], s)
		}
		require.Len(t, children[""], 1, "one root in trace %s", id)
		s := children[""][0]
		for i, w := range want {
			assert.Equal(t, w.operation, s.OperationName, "trace %s, depth %d", id, i)
			assert.Equal(t, w.service, tr.Processes[s.ProcessID].ServiceName, "service of %s", s.OperationName)
			kind, _ := s.tag("span.kind")
			if w.kind == "internal" {
				assert.Contains(t, []string{"", "internal"}, kind, s.OperationName)
			} else {
				assert.Equal(t, w.kind, kind, "kind of %s", s.OperationName)
			}
			if i == len(want)-1 {
				assert.Empty(t, children[s.SpanID], "%s has no children", s.OperationName)
				break
			}
			require.Len(t, children[s.SpanID], 1, "%s has one child in trace %s", s.OperationName, id)
			s = children[s.SpanID][0]
		}
	}
}

// waitForTrace polls Jaeger's /api/traces/ID until the trace has spans
// spans, and returns it; it fails the test after 60s.
func waitForTrace(t *testing.T, id string, spans int) jaegerTrace {
	t.Helper()
	return pollJaeger(t, fmt.Sprintf("trace %s with %d spans", id, spans), func(ctx context.Context) ([]jaegerTrace, error) {
		return get(ctx, queryURL()+"/api/traces/"+id)
	}, func(traces []jaegerTrace) bool {
		return len(traces) == 1 && len(traces[0].Spans) >= spans
	})[0]
}

// The demo against a broker where none of its topics exist yet creates them
// and completes (`KAFKA_BOOTSTRAP_SERVERS=... make demo N=5`). The broker
// does not create topics on first use, so the topics are there only because
// the demo created them (examples/internal/topics, through the AdminClient).
func TestDemoOnEmptyBroker(t *testing.T) {
	bins := buildExamples(t)
	addr := startKfake(t, "-no-auto-create-topics")
	demoTopics := []string{"orders", "payments", "notifications"}
	require.Empty(t, existingTopics(t, addr, demoTopics), "topics before the demo ran")
	demo := start(t, filepath.Join(bins, "pipeline"), []string{"KAFKA_BOOTSTRAP_SERVERS=" + addr}, "-n", "5")
	require.Zero(t, demo.wait(t, 2*time.Minute), "demo exit code; stderr:\n%s", demo.stderr.String())
	assert.Equal(t, 5, strings.Count(demo.stdout.String(), "\ntrace ")+boolInt(strings.HasPrefix(demo.stdout.String(), "trace ")))
	assert.NotContains(t, demo.stderr.String(), "\033[", "no escape codes when stderr is not a terminal")
	assert.NotContains(t, demo.stderr.String(), "GETSUBSCRIPTIONS", "librdkafka's informational lines are not shown")
	assert.ElementsMatch(t, demoTopics, existingTopics(t, addr, demoTopics), "topics the demo created")
}

// existingTopics returns which of topics the broker at addr has, each with
// 3 partitions (what the demo creates). A metadata request for named topics
// would create them on a broker that auto-creates; asking for all topics
// never does.
func existingTopics(t *testing.T, addr string, topics []string) []string {
	t.Helper()
	admin, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": addr, "log_level": 3})
	require.NoError(t, err)
	defer admin.Close()
	md, err := admin.GetMetadata(nil, true, 10000)
	require.NoError(t, err, "metadata from %s", addr)
	var found []string
	for _, name := range topics {
		if tm, ok := md.Topics[name]; ok && tm.Error.Code() == kafka.ErrNoError {
			assert.Len(t, tm.Partitions, 3, "partitions of %s", name)
			found = append(found, name)
		}
	}
	return found
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Against a broker that refuses topic creation, the demo says within 10 s
// which topics are missing and how to create them, and exits 1.
func TestDemoOnBrokerThatRefusesTopics(t *testing.T) {
	bins := buildExamples(t)
	addr := startKfake(t, "-refuse-create-topics")
	began := time.Now()
	demo := start(t, filepath.Join(bins, "pipeline"), []string{"KAFKA_BOOTSTRAP_SERVERS=" + addr}, "-n", "5")
	deadline := time.After(10 * time.Second)
	for said := false; !said; {
		select {
		case line := <-demo.stderr.lines:
			said = strings.Contains(line, "refused to create topic(s)")
			if said {
				t.Logf("after %v: %s", time.Since(began).Round(time.Millisecond), line)
				for _, topic := range []string{"orders", "payments", "notifications"} {
					assert.Contains(t, line, topic)
				}
				assert.Contains(t, line, "kafka-topics.sh")
			}
		case <-deadline:
			t.Fatalf("nothing said about the missing topics within 10s; stderr:\n%s", demo.stderr.String())
		}
	}
	assert.Equal(t, 1, demo.wait(t, 30*time.Second))
}

// A scheme-less endpoint means TLS (the OTLP specification's and otel-go's
// rule): pointed at the plain-text Jaeger, the producer example fails
// within the export timeout, says to use http://, and exits 1 instead of
// exporting nothing silently.
func TestSchemeLessEndpointNamesTheFix(t *testing.T) {
	bins := buildExamples(t)
	topic := "schemeless-" + runID()
	began := time.Now()
	prod := start(t, filepath.Join(bins, "producer"), []string{
		"KAFKA_BOOTSTRAP_SERVERS=" + bootstrap(),
		"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlpHost(), // no scheme
		"OTEL_EXPORTER_OTLP_TIMEOUT=3000",
		"OTEL_SERVICE_NAME=schemeless-" + topic,
	}, "-topic", topic, "-n", "1")
	code := prod.wait(t, 60*time.Second)
	took := time.Since(began)
	t.Logf("exit %d after %v; stderr:\n%s", code, took.Round(time.Millisecond), prod.stderr.String())
	assert.Equal(t, 1, code)
	assert.Contains(t, prod.stderr.String(), "set OTEL_EXPORTER_OTLP_ENDPOINT (or exporter.endpoint) to http://"+otlpHost())
	assert.Less(t, took, 15*time.Second, "fails within the export timeout (3s), not after minutes")

}
