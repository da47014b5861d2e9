package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// producerVariant produces n messages of the given size and returns when
// every delivery report has been read.
type producerVariant struct {
	name    string
	produce func(msg *kafka.Message) error
	events  chan kafka.Event
	onDR    func(*kafka.Message)
	close   func()
}

func producerConf(bootstrap string) *kafka.ConfigMap {
	return &kafka.ConfigMap{
		"bootstrap.servers":            bootstrap,
		"queue.buffering.max.messages": 2000000,
		"linger.ms":                    5,
	}
}

// newProducerVariants builds the producers compared: raw, floor and
// kafkatrace, the last two sampled and unsampled, kafkatrace with metrics
// recorded, and the content floor (content.go). Every one is warmed up.
func newProducerVariants(bootstrap string, prov providers) ([]*producerVariant, error) {
	var out []*producerVariant
	raw := func(name string, tracer trace.Tracer) error {
		p, err := kafka.NewProducer(producerConf(bootstrap))
		if err != nil {
			return err
		}
		v := &producerVariant{name: name, events: p.Events(), close: p.Close}
		if tracer == nil {
			v.produce = func(m *kafka.Message) error { return p.Produce(m, nil) }
		} else {
			v.produce = func(m *kafka.Message) error { return floorProduce(p, tracer, m) }
			v.onDR = floorReport
		}
		out = append(out, v)
		return nil
	}
	traced := func(name string, sampled bool, opts ...interceptor.Option) error {
		p, err := interceptor.NewProducer(producerConf(bootstrap),
			append([]interceptor.Option{interceptor.WithTracerProvider(prov.pick(sampled))}, opts...)...)
		if err != nil {
			return err
		}
		out = append(out, &producerVariant{name: name, events: p.Events(), close: p.Close,
			produce: func(m *kafka.Message) error { return p.Produce(m, nil) }})
		return nil
	}
	content := func(name string, tracer trace.Tracer) error {
		p, err := kafka.NewProducer(producerConf(bootstrap))
		if err != nil {
			return err
		}
		server := serverHost(bootstrap)
		out = append(out, &producerVariant{name: name, events: p.Events(), close: p.Close, onDR: contentReport,
			produce: func(m *kafka.Message) error { return contentProduce(p, tracer, server, m) }})
		return nil
	}
	err := errors.Join(
		raw("raw", nil),
		raw("floor sampled", prov.sampled.Tracer("floor")),
		raw("floor unsampled", prov.unsampled.Tracer("floor")),
		traced("kafkatrace sampled", true),
		traced("kafkatrace unsampled", false),
		traced("kafkatrace sampled + metrics", true, interceptor.WithMeterProvider(prov.metered())),
		traced("kafkatrace unsampled + metrics", false, interceptor.WithMeterProvider(prov.metered())),
		content(contentFloorSampled, prov.sampled.Tracer("floor")),
	)
	if err != nil {
		return nil, err
	}
	for _, v := range out {
		if _, err := v.run(benchTopic, 100, 40); err != nil {
			return nil, fmt.Errorf("warm up %s: %w", v.name, err)
		}
	}
	return out, nil
}

const benchTopic = "bench"

// run produces n messages of size bytes and waits for all reports; it
// returns the elapsed time.
func (v *producerVariant) run(topic string, n, size int) (time.Duration, error) {
	value := make([]byte, size)
	done := make(chan error, 1)
	go func() {
		for got := 0; got < n; {
			ev, ok := <-v.events
			if !ok {
				done <- errors.New("events closed")
				return
			}
			m, isMsg := ev.(*kafka.Message)
			if !isMsg {
				continue
			}
			if v.onDR != nil {
				v.onDR(m)
			}
			if m.TopicPartition.Error != nil {
				done <- m.TopicPartition.Error
				return
			}
			got++
		}
		done <- nil
	}()
	start := time.Now()
	for i := 0; i < n; i++ {
		msg := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}, Value: value}
		for {
			err := v.produce(msg)
			var kerr kafka.Error
			if errors.As(err, &kerr) && kerr.Code() == kafka.ErrQueueFull {
				time.Sleep(100 * time.Microsecond)
				msg.Headers = nil
				continue
			}
			if err != nil {
				return 0, err
			}
			break
		}
	}
	err := <-done
	return time.Since(start), err
}
