package interceptor_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// poisonError is what the handler returns for a poison message.
type poisonError struct{ value string }

func (e *poisonError) Error() string { return "poison message " + e.value }

var dlSeq atomic.Int64

// dlName is a topic or group name for the dead-letter tests (subtest names
// hold a slash, which topic names may not).
func dlName(kind string) string { return fmt.Sprintf("dl-%s-%d", kind, dlSeq.Add(1)) }

// traceID returns the trace ID of a traceparent header value.
func traceID(traceparent string) string {
	if len(traceparent) < 35 {
		return ""
	}
	return traceparent[3:35]
}

// 5,000 messages, 1% poison: every poison message is on the dead-letter
// topic exactly once, with the documented headers and its original trace
// context; every good message is handled; committed offsets reach the end;
// each dead-letter send span is the child of its failed process span.
func TestDeadLetterPoison(t *testing.T) {
	for _, broker := range []string{"mock", "kfake"} {
		t.Run(broker, func(t *testing.T) {
			const n, partitions = 5000, 3
			topic, dlq, group := dlName("src"), dlName("dlq"), dlName("group")
			var bootstrap string
			if broker == "mock" {
				mc := mockCluster(t, topic, partitions)
				require.NoError(t, mc.CreateTopic(dlq, partitions, 1))
				bootstrap = mc.BootstrapServers()
			} else {
				bootstrap = kfakeBroker(t, partitions) // topics are created on first use
			}
			tp, sr := recorder()
			produceN(t, bootstrap, topic, tp, n, func(i int) string { return "k" + strconv.Itoa(i%50) })

			var mu sync.Mutex
			good := map[string]int{}
			poison := map[string]*kafka.Message{} // value -> the message as consumed
			dlp := newProducer(t, bootstrap, tp, nil)
			meter := newMeters(t)
			c := newConsumer(t, bootstrap, group, tp, nil, interceptor.WithMeterProvider(meter.mp),
				interceptor.WithDeadLetter(interceptor.DeadLetterTopic(dlq), dlp),
				interceptor.WithRetry(2, func(int) time.Duration { return time.Millisecond }),
				interceptor.WithMaxInFlight(16))
			require.NoError(t, c.Subscribe(topic, nil))
			stop := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
				v := string(m.Value)
				i, _ := strconv.Atoi(v)
				mu.Lock()
				defer mu.Unlock()
				if i%100 == 7 {
					poison[v] = m
					return &poisonError{v}
				}
				good[v]++
				return nil
			})
			handled := func() int { mu.Lock(); defer mu.Unlock(); return len(good) }
			require.Eventually(t, func() bool { return handled() == n-n/100 }, 2*time.Minute, 10*time.Millisecond, "every good message handled")
			ends := map[int32]kafka.Offset{}
			for p := int32(0); p < partitions; p++ {
				_, hi, err := c.QueryWatermarkOffsets(topic, p, 5000)
				require.NoError(t, err)
				ends[p] = kafka.Offset(hi)
			}
			require.Eventually(t, func() bool {
				for p := int32(0); p < partitions; p++ {
					if committed(t, bootstrap, group, topic, p) != ends[p] {
						return false
					}
				}
				return true
			}, 30*time.Second, 50*time.Millisecond, "committed offsets reach the end")
			require.NoError(t, stop())
			pts, _, _ := meter.collect(t, "messaging.process.duration")
			assert.Equal(t, int64(n/100), total(pts, map[string]string{"error.type": "*interceptor_test.poisonError"}),
				"dead-lettered messages count with their error.type")
			assert.Equal(t, int64(n-n/100), total(pts, map[string]string{"error.type": ""}))
			require.NoError(t, c.Close())

			mu.Lock()
			defer mu.Unlock()
			for v, times := range good {
				require.Equal(t, 1, times, "good message %s handled once", v)
			}
			require.Len(t, poison, n/100)

			dead := readAll(t, bootstrap, dlq, partitions, n/100)
			byValue := map[string]*kafka.Message{}
			for _, d := range dead {
				require.NotContains(t, byValue, string(d.Value), "dead-lettered once")
				byValue[string(d.Value)] = d
			}
			spans := map[trace.SpanID]sdktrace.ReadOnlySpan{}
			for _, s := range sr.Ended() {
				spans[s.SpanContext().SpanID()] = s
			}
			for v, orig := range poison {
				d, ok := byValue[v]
				require.True(t, ok, "poison %s on the dead-letter topic", v)
				assert.Equal(t, orig.Key, d.Key, "key kept")
				assert.Equal(t, orig.Timestamp.UnixMilli(), d.Timestamp.UnixMilli(), "timestamp kept")
				want := map[string]string{
					interceptor.HeaderDLTOriginalTopic:         topic,
					interceptor.HeaderDLTOriginalPartition:     strconv.Itoa(int(orig.TopicPartition.Partition)),
					interceptor.HeaderDLTOriginalOffset:        strconv.Itoa(int(orig.TopicPartition.Offset)),
					interceptor.HeaderDLTOriginalTimestamp:     strconv.FormatInt(orig.Timestamp.UnixMilli(), 10),
					interceptor.HeaderDLTOriginalConsumerGroup: group,
					interceptor.HeaderDLTAttempts:              "2",
					interceptor.HeaderDLTExceptionType:         "*interceptor_test.poisonError",
					interceptor.HeaderDLTExceptionMessage:      "poison message " + v,
				}
				for k, w := range want {
					got, times := header(d, k)
					assert.Equal(t, 1, times, "%s once", k)
					assert.Equal(t, w, got, k)
				}
				origTP, _ := header(orig, "traceparent")
				require.NotEmpty(t, origTP)
				keptTP, _ := header(d, interceptor.HeaderDLTOriginalTraceparent)
				assert.Equal(t, origTP, keptTP, "the original traceparent is kept")
				dlTP, times := header(d, "traceparent")
				require.Equal(t, 1, times)
				assert.Equal(t, traceID(origTP), traceID(dlTP), "the dead-letter copy travels in the original trace")

				// traceparent names the send span; its parent is the failed process span.
				sid, err := trace.SpanIDFromHex(dlTP[36:52])
				require.NoError(t, err)
				send, ok := spans[sid]
				require.True(t, ok, "the dead-letter send span was recorded")
				assert.Equal(t, "send "+dlq, send.Name())
				proc, ok := spans[send.Parent().SpanID()]
				require.True(t, ok, "the send span's parent was recorded")
				assert.Equal(t, "process "+topic, proc.Name())
				assert.Equal(t, codes.Error, proc.Status().Code)
				pa := attrs(proc)
				assert.Equal(t, int64(orig.TopicPartition.Offset), pa[semconv.OffsetKey].AsInt64())
				assert.Equal(t, dlq, pa["kafkatrace.dead_letter.topic"].AsString())
				assert.True(t, pa["kafkatrace.dead_lettered"].AsBool())
				assert.Equal(t, "*interceptor_test.poisonError", pa[semconv.ErrorTypeKey].AsString())
			}
			assert.Zero(t, openSpans(sr), "every span ended")
		})
	}
}

// The dead-letter topic does not exist (a broker that does not create
// topics on first use): Run stops on the poison message without committing
// past it. Once the topic is created, a restarted Run dead-letters it and
// goes on. No message is lost.
func TestDeadLetterTopicUnavailable(t *testing.T) {
	const n, poisonAt = 200, 57
	bootstrap := kfakeBroker(t, 1, "-no-auto-create-topics")
	topic, dlq, group := dlName("src"), dlName("dlq"), dlName("group")
	createTopic(t, bootstrap, topic, 1)
	tp, _ := recorder()
	produceN(t, bootstrap, topic, tp, n, func(i int) string { return "k" + strconv.Itoa(i%10) })

	var mu sync.Mutex
	handled := map[int]int{}
	handler := func(ctx context.Context, m *kafka.Message) error {
		i, _ := strconv.Atoi(string(m.Value))
		if i == poisonAt {
			return &poisonError{string(m.Value)}
		}
		mu.Lock()
		handled[i]++
		mu.Unlock()
		return nil
	}
	dlp := newProducer(t, bootstrap, tp, kafka.ConfigMap{"topic.metadata.propagation.max.ms": 500, "message.timeout.ms": 3000})
	opts := []interceptor.Option{
		interceptor.WithDeadLetter(interceptor.DeadLetterTopic(dlq), dlp),
		interceptor.WithRetry(1, nil),
	}

	a := newConsumer(t, bootstrap, group, tp, nil, opts...)
	require.NoError(t, a.Subscribe(topic, nil))
	errc := make(chan error, 1)
	go func() { errc <- a.Run(context.Background(), handler) }()
	var err error
	select {
	case err = <-errc:
	case <-time.After(time.Minute):
		require.NoError(t, a.Close())
		t.Fatal("Run did not stop on the failed dead-letter produce")
	}
	var herr *interceptor.HandlerError
	require.ErrorAs(t, err, &herr, "Run's error: %v", err)
	assert.Equal(t, kafka.Offset(poisonAt), herr.TopicPartition.Offset)
	var perr *poisonError
	assert.ErrorAs(t, err, &perr, "the handler's error")
	var kerr kafka.Error
	require.ErrorAs(t, herr.DeadLetterErr, &kerr, "the produce's kafka.Error")
	t.Logf("Run stopped with: %v", err)
	assert.Contains(t, err.Error(), "not dead-lettered")
	require.NoError(t, a.Close())
	assert.LessOrEqual(t, committed(t, bootstrap, group, topic, 0), kafka.Offset(poisonAt), "nothing committed past the poison message")

	createTopic(t, bootstrap, dlq, 1)
	// The service restarts: a new producer too. (The first one, having
	// found the topic missing, learns it exists at its next metadata
	// refresh: topic.metadata.refresh.interval.ms.)
	opts[0] = interceptor.WithDeadLetter(interceptor.DeadLetterTopic(dlq), newProducer(t, bootstrap, tp, nil))
	b := newConsumer(t, bootstrap, group, tp, nil, opts...)
	require.NoError(t, b.Subscribe(topic, nil))
	stop := runConsumer(b, handler)
	if !assert.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(handled) == n-1 }, time.Minute, 10*time.Millisecond, "every good message handled") {
		t.Fatalf("the restarted Run: %v", stop())
	}
	require.Eventually(t, func() bool { return committed(t, bootstrap, group, topic, 0) == n }, 30*time.Second, 50*time.Millisecond, "committed to the end")
	require.NoError(t, stop())
	require.NoError(t, b.Close())
	dead := readAll(t, bootstrap, dlq, 1, 1)
	assert.Equal(t, strconv.Itoa(poisonAt), string(dead[0].Value))
	off, _ := header(dead[0], interceptor.HeaderDLTOriginalOffset)
	assert.Equal(t, strconv.Itoa(poisonAt), off)
}

// createTopic creates topic through the admin API.
func createTopic(t *testing.T, bootstrap, topic string, partitions int) {
	t.Helper()
	admin, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": bootstrap})
	require.NoError(t, err)
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := admin.CreateTopics(ctx, []kafka.TopicSpecification{{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1}})
	require.NoError(t, err)
	for _, r := range res {
		if r.Error.Code() != kafka.ErrNoError && r.Error.Code() != kafka.ErrTopicAlreadyExists {
			require.NoError(t, r.Error)
		}
	}
}

// WithDeadLetter without a producer or route is refused when Run starts.
func TestDeadLetterConfigRefused(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	for name, opt := range map[string]interceptor.Option{
		"no producer": interceptor.WithDeadLetter(interceptor.DeadLetterTopic("dlq"), nil),
		"no route":    interceptor.WithDeadLetter(nil, newProducer(t, mc.BootstrapServers(), tp, nil)),
	} {
		c := newConsumer(t, mc.BootstrapServers(), dlName("group"), tp, nil, opt)
		require.NoError(t, c.Subscribe(topic, nil))
		err := c.Run(context.Background(), nopHandler)
		assert.True(t, errors.Is(err, interceptor.ErrDeadLetterConfig), "%s: %v", name, err)
		require.NoError(t, c.Close())
	}
}

// A route that returns no topic, or the message's own topic (a loop), stops
// Run on the message instead of losing or recycling it.
func TestDeadLetterBadRouteStops(t *testing.T) {
	topic := dlName("src")
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	produceN(t, mc.BootstrapServers(), topic, tp, 1, nil)
	for name, route := range map[string]interceptor.DeadLetterRoute{
		"no topic":  func(*kafka.Message, error) string { return "" },
		"own topic": func(m *kafka.Message, _ error) string { return *m.TopicPartition.Topic },
	} {
		c := newConsumer(t, mc.BootstrapServers(), dlName("group"), tp, nil, interceptor.WithRetry(1, nil),
			interceptor.WithDeadLetter(route, newProducer(t, mc.BootstrapServers(), tp, nil)))
		require.NoError(t, c.Subscribe(topic, nil))
		err := c.Run(context.Background(), func(context.Context, *kafka.Message) error { return &poisonError{"0"} })
		var herr *interceptor.HandlerError
		require.ErrorAs(t, err, &herr, name)
		assert.Error(t, herr.DeadLetterErr, name)
		t.Logf("%s: %v", name, err)
		require.NoError(t, c.Close())
	}
}
