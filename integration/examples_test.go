//go:build integration

package integration

import (
	"bufio"
	"bytes"

	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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
	p := &program{cmd: exec.Command(bin, args...), stderr: &lineLog{lines: make(chan string, 1024)}}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = p.stderr
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	return p
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
		_ = p.cmd.Process.Kill()
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

// The demo against a broker where none of its topics exist yet creates them
// and completes (`KAFKA_BOOTSTRAP_SERVERS=... make demo N=5`).
func TestDemoOnEmptyBroker(t *testing.T) {
	bins := buildExamples(t)
	addr := startKfake(t)
	demo := start(t, filepath.Join(bins, "pipeline"), []string{"KAFKA_BOOTSTRAP_SERVERS=" + addr}, "-n", "5")
	require.Zero(t, demo.wait(t, 2*time.Minute), "demo exit code; stderr:\n%s", demo.stderr.String())
	assert.Equal(t, 5, strings.Count(demo.stdout.String(), "\ntrace ")+boolInt(strings.HasPrefix(demo.stdout.String(), "trace ")))
	assert.NotContains(t, demo.stderr.String(), "\033[", "no escape codes when stderr is not a terminal")
	assert.NotContains(t, demo.stderr.String(), "GETSUBSCRIPTIONS", "librdkafka's informational lines are not shown")
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
