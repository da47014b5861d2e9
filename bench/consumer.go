package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// consumerVariant consumes n messages of topic from the beginning. The
// clock starts when the first message has been handled (client creation,
// assignment and the first fetch are not the path being measured): ready,
// if not nil, is called then on the calling goroutine, and the duration
// returned covers the other n-1 messages.
type consumerVariant struct {
	name    string
	consume func(topic string, partitions, n int, ready func()) (time.Duration, error)
}

var groupSeq atomic.Int64

func consumerConf(bootstrap string) *kafka.ConfigMap {
	return &kafka.ConfigMap{
		"bootstrap.servers":  bootstrap,
		"group.id":           fmt.Sprint("bench-", groupSeq.Add(1)),
		"auto.offset.reset":  "earliest",
		"fetch.wait.max.ms":  10,
		"enable.auto.commit": true,
	}
}

func assignment(topic string, partitions int) []kafka.TopicPartition {
	tps := make([]kafka.TopicPartition, partitions)
	for i := range tps {
		tps[i] = kafka.TopicPartition{Topic: &topic, Partition: int32(i), Offset: kafka.OffsetBeginning}
	}
	return tps
}

// pollLoop polls until n messages arrived, calling each on every message;
// the clock starts after the first (see consumerVariant).
func pollLoop(poll func(int) kafka.Event, n int, each func(*kafka.Message), ready func()) (time.Duration, error) {
	var start time.Time
	deadline := time.Now().Add(2 * time.Minute)
	for got := 0; got < n; {
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("only %d of %d messages", got, n)
		}
		if m, ok := poll(100).(*kafka.Message); ok && m.TopicPartition.Error == nil {
			if each != nil {
				each(m)
			}
			got++
			if got == 1 {
				if ready != nil {
					ready()
				}
				start = time.Now()
			}
		}
	}
	return time.Since(start), nil
}

// rawPoll consumes n messages with a plain confluent-kafka-go Poll loop,
// calling each (may be nil) inline on every message.
func rawPoll(bootstrap, topic string, parts, n int, each func(*kafka.Message), ready func()) (time.Duration, error) {
	c, err := kafka.NewConsumer(consumerConf(bootstrap))
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if err := c.Assign(assignment(topic, parts)); err != nil {
		return 0, err
	}
	return pollLoop(c.Poll, n, each, ready)
}

func newConsumerVariants(bootstrap string, prov providers) []consumerVariant {
	raw := func(name string, tracer trace.Tracer) consumerVariant {
		return consumerVariant{name: name, consume: func(topic string, parts, n int, ready func()) (time.Duration, error) {
			var each func(*kafka.Message)
			if tracer != nil {
				each = func(m *kafka.Message) { floorProcess(tracer, m) }
			}
			return rawPoll(bootstrap, topic, parts, n, each, ready)
		}}
	}
	tracedPoll := func(name string, sampled bool, opts ...interceptor.Option) consumerVariant {
		return consumerVariant{name: name, consume: func(topic string, parts, n int, ready func()) (time.Duration, error) {
			c, err := interceptor.NewConsumer(consumerConf(bootstrap),
				append([]interceptor.Option{interceptor.WithTracerProvider(prov.pick(sampled))}, opts...)...)
			if err != nil {
				return 0, err
			}
			defer c.Close()
			if err := c.Assign(assignment(topic, parts)); err != nil {
				return 0, err
			}
			return pollLoop(c.Poll, n, nil, ready)
		}}
	}
	tracedRun := func(name string, sampled bool, opts ...interceptor.Option) consumerVariant {
		return consumerVariant{name: name, consume: func(topic string, parts, n int, ready func()) (time.Duration, error) {
			return runConsumer(bootstrap, prov.pick(sampled), topic, parts, n, nil, ready,
				append([]interceptor.Option{interceptor.WithOrdering(interceptor.ByKey), interceptor.WithMaxInFlight(64)}, opts...)...)
		}}
	}
	metered := interceptor.WithMeterProvider(prov.metered())
	return []consumerVariant{
		raw("raw Poll", nil),
		raw("floor sampled", prov.sampled.Tracer("floor")),
		raw("floor unsampled", prov.unsampled.Tracer("floor")),
		tracedPoll("kafkatrace Poll sampled", true),
		tracedPoll("kafkatrace Poll unsampled", false),
		tracedRun("kafkatrace Run sampled", true),
		tracedRun("kafkatrace Run unsampled", false),
		tracedPoll("kafkatrace Poll sampled + metrics", true, metered),
		tracedPoll("kafkatrace Poll unsampled + metrics", false, metered),
		tracedRun("kafkatrace Run sampled + metrics", true, metered),
		tracedRun("kafkatrace Run unsampled + metrics", false, metered),
		{name: contentFloorSampled, consume: func(topic string, parts, n int, ready func()) (time.Duration, error) {
			return contentPoll(bootstrap, prov.sampled.Tracer("floor"), topic, parts, n, ready)
		}},
	}
}

// runConsumer consumes n messages through Run with handler (nil: no-op) and
// returns the time from the first handler's end to the n-th's. Run runs in a
// goroutine so that ready is called on the calling goroutine.
func runConsumer(bootstrap string, tp trace.TracerProvider, topic string, parts, n int,
	handler func(context.Context, *kafka.Message) error, ready func(), opts ...interceptor.Option) (time.Duration, error) {
	c, err := interceptor.NewConsumer(consumerConf(bootstrap), append([]interceptor.Option{interceptor.WithTracerProvider(tp)}, opts...)...)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if err := c.Assign(assignment(topic, parts)); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var handled atomic.Int64
	first, last := make(chan struct{}, 1), make(chan time.Time, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- c.Run(ctx, func(ctx context.Context, m *kafka.Message) error {
			if handler != nil {
				if err := handler(ctx, m); err != nil {
					return err
				}
			}
			switch handled.Add(1) {
			case 1:
				first <- struct{}{}
			case int64(n):
				last <- time.Now()
				cancel()
			}
			return nil
		})
	}()
	select {
	case <-first:
		if ready != nil {
			ready()
		}
	case err := <-errc:
		return 0, fmt.Errorf("run stopped before the first message: %v", err)
	}
	start := time.Now()
	if n == 1 {
		cancel()
		return 0, <-errc
	}
	var end time.Time
	select {
	case end = <-last:
	case err := <-errc:
		return 0, fmt.Errorf("run stopped after %d of %d messages: %v", handled.Load(), n, err)
	}
	if err := <-errc; err != nil {
		return 0, err
	}
	return end.Sub(start), nil
}
