package interceptor_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// A child process consumes for the kill tests: it is killed with SIGKILL,
// so nothing it would do at shutdown (the commit of finished work) happens.
// The child is this test binary, run with KAFKATRACE_CHILD set; it reports
// on stdout.

// TestChild is the child's body; without KAFKATRACE_CHILD it does nothing.
func TestChild(t *testing.T) {
	mode := os.Getenv("KAFKATRACE_CHILD")
	if mode == "" {
		return // a parent test runs it
	}
	conf := consumerConf(os.Getenv("KAFKATRACE_BOOTSTRAP"), os.Getenv("KAFKATRACE_GROUP"),
		kafka.ConfigMap{"enable.auto.commit": false, "auto.commit.interval.ms": 100})
	opts := []interceptor.Option{interceptor.WithTracerProvider(noop.NewTracerProvider())}
	if mode == "batch" {
		opts = append(opts, interceptor.WithOrdering(interceptor.ByPartition), interceptor.WithBatch(50, 10*time.Millisecond))
	}
	c, err := interceptor.NewConsumer(conf, opts...)
	if err != nil {
		fmt.Println("error", err)
		return
	}
	if err := c.Subscribe(os.Getenv("KAFKATRACE_TOPIC"), nil); err != nil {
		fmt.Println("error", err)
		return
	}
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf(format+"\n", args...)
	}
	stuckAt := os.Getenv("KAFKATRACE_STUCK_AT")
	switch mode {
	case "run":
		err = c.Run(context.Background(), func(ctx context.Context, m *kafka.Message) error {
			say("done %d %d", m.TopicPartition.Partition, m.TopicPartition.Offset)
			return nil
		})
	case "batch":
		err = c.RunBatch(context.Background(), func(ctx context.Context, msgs []*kafka.Message) error {
			for _, m := range msgs {
				if string(m.Value) == stuckAt {
					say("stuck %d %d", m.TopicPartition.Partition, msgs[0].TopicPartition.Offset)
					select {} // until killed
				}
			}
			say("done %d", len(msgs))
			return nil
		})
	}
	fmt.Println("error", err) // Run returns only on failure here
}

// child runs TestChild in a process of its own with env, and returns its
// stdout lines; the process is killed (SIGKILL) by kill, or when the test
// ends.
func child(t *testing.T, env ...string) (lines <-chan string, kill func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard // librdkafka's logs
	require.NoError(t, cmd.Start())
	ch := make(chan string, 1<<16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(ch)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "done") || strings.HasPrefix(line, "stuck") || strings.HasPrefix(line, "error") {
				ch <- line
			}
		}
	}()
	var once sync.Once
	kill = func() {
		once.Do(func() {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
			_ = cmd.Wait()
		})
	}
	t.Cleanup(kill)
	return ch, kill
}

// nextLine returns the child's next line, failing the test after d.
func nextLine(t *testing.T, lines <-chan string, d time.Duration) string {
	t.Helper()
	select {
	case l, ok := <-lines:
		require.True(t, ok, "the child exited")
		require.False(t, strings.HasPrefix(l, "error"), "the child: %s", l)
		return l
	case <-time.After(d):
		t.Fatal("the child said nothing")
		return ""
	}
}
