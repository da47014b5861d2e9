package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kafkatrace/kafkatrace/internal/cli"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var seq atomic.Int64

// unique returns a topic or group name no other test uses.
func unique(t *testing.T, what string) string {
	return fmt.Sprintf("%s%d-%s", what, seq.Add(1), strings.ReplaceAll(t.Name(), "/", "_"))
}

// mockCluster starts librdkafka's one-broker mock cluster with topic (when
// not empty) of the given partitions, closed when the test ends.
func mockCluster(t *testing.T, topic string, partitions int) *kafka.MockCluster {
	t.Helper()
	mc, err := kafka.NewMockCluster(1)
	require.NoError(t, err)
	t.Cleanup(mc.Close)
	if topic != "" {
		require.NoError(t, mc.CreateTopic(topic, partitions, 1))
	}
	return mc
}

// result is what one run of the command printed and returned.
type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

// run runs the command with args.
func run(t *testing.T, args ...string) result {
	t.Helper()
	return runCtx(context.Background(), t, args...)
}

// runCtx runs the command with args until ctx ends.
func runCtx(ctx context.Context, t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := cli.MainContext(ctx, args, &stdout, &stderr)
	return result{stdout.String(), stderr.String(), code, time.Since(start)}
}

// ok asserts the run succeeded and returns its stdout.
func (r result) ok(t *testing.T) string {
	t.Helper()
	require.Equal(t, 0, r.code, "exit code; stderr: %s", r.stderr)
	require.Empty(t, r.stderr)
	return r.stdout
}

// failed asserts the run failed with code and a one-line error containing
// every part of want, and returns that line.
func (r result) failed(t *testing.T, code int, want ...string) string {
	t.Helper()
	require.Equal(t, code, r.code, "exit code; stdout: %s stderr: %s", r.stdout, r.stderr)
	require.True(t, strings.HasSuffix(r.stderr, "\n"), "stderr: %q", r.stderr)
	line := strings.TrimSuffix(r.stderr, "\n")
	require.NotContains(t, line, "\n", "one line of error")
	require.True(t, strings.HasPrefix(line, "kafkatrace: "), "error: %q", line)
	for _, w := range want {
		require.Contains(t, line, w)
	}
	return line
}

// jsonLines decodes every line of out as a JSON object.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "line %q", line)
		objs = append(objs, m)
	}
	return objs
}

// get walks m along path (keys, or ints for arrays) and returns the value.
func get(t *testing.T, m any, path ...any) any {
	t.Helper()
	v := m
	for _, p := range path {
		switch k := p.(type) {
		case string:
			obj, ok := v.(map[string]any)
			require.True(t, ok, "%v: not an object at %q in %v", path, k, m)
			v, ok = obj[k]
			require.True(t, ok, "%v: no %q in %v", path, k, obj)
		case int:
			arr, ok := v.([]any)
			require.True(t, ok && k < len(arr), "%v: no [%d] in %v", path, k, v)
			v = arr[k]
		}
	}
	return v
}

// rawProducer is a plain confluent-kafka-go producer, for hand-written
// headers, closed when the test ends.
func rawProducer(t *testing.T, bootstrap string, extra kafka.ConfigMap) *kafka.Producer {
	t.Helper()
	conf := kafka.ConfigMap{"bootstrap.servers": bootstrap}
	for k, v := range extra {
		conf[k] = v
	}
	p, err := kafka.NewProducer(&conf)
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p
}

// produce sends msgs to partition 0 of topic with p, in order, and waits
// for every report.
func produce(t *testing.T, p interface {
	Produce(*kafka.Message, chan kafka.Event) error
}, topic string, msgs ...*kafka.Message) {
	t.Helper()
	dc := make(chan kafka.Event, len(msgs))
	for _, m := range msgs {
		m.TopicPartition = kafka.TopicPartition{Topic: &topic, Partition: 0}
		require.NoError(t, p.Produce(m, dc))
		// One at a time keeps offsets in the order given.
		require.NoError(t, (<-dc).(*kafka.Message).TopicPartition.Error)
	}
}

// notifyBuffer is a buffer that signals each write, for reading the output
// of a command still running.
type notifyBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{}
}

func newNotifyBuffer() *notifyBuffer { return &notifyBuffer{wrote: make(chan struct{}, 1)} }

func (b *notifyBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	select {
	case b.wrote <- struct{}{}:
	default:
	}
	return n, err
}

func (b *notifyBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the buffer holds want, or fails after d.
func (b *notifyBuffer) waitFor(t *testing.T, want string, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for !strings.Contains(b.String(), want) {
		select {
		case <-b.wrote:
		case <-deadline:
			t.Fatalf("no %q in output: %s", want, b.String())
		}
	}
}
