package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/poller"
)

// fakeSource is a poller.Source with no broker behind it: Poll hands out
// pre-built messages at once, round-robin over partitions (keyed k0..k(keys-1)
// in turn, or without keys when keys is 0), and everything else succeeds. It measures the dispatcher alone (issue 15: is the broker
// stand-in what bounds the 256-in-flight figure?).
type fakeSource struct {
	msgs []*kafka.Message
	next int
}

func newFakeSource(topic string, parts, n, keys int) *fakeSource {
	f := &fakeSource{msgs: make([]*kafka.Message, n)}
	for i := range f.msgs {
		p := int32(i % parts)
		f.msgs[i] = &kafka.Message{
			TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: p, Offset: kafka.Offset(i / parts)},
			Value:          []byte("v"),
		}
		if keys > 0 {
			f.msgs[i].Key = []byte(fmt.Sprint("k", i%keys))
		}
	}
	return f
}

func (f *fakeSource) Poll(timeoutMs int) kafka.Event {
	if f.next < len(f.msgs) {
		f.next++
		return f.msgs[f.next-1]
	}
	time.Sleep(time.Duration(timeoutMs) * time.Millisecond)
	return nil
}
func (f *fakeSource) Pause([]kafka.TopicPartition) error  { return nil }
func (f *fakeSource) Resume([]kafka.TopicPartition) error { return nil }
func (f *fakeSource) StoreOffsets(o []kafka.TopicPartition) ([]kafka.TopicPartition, error) {
	return o, nil
}
func (f *fakeSource) CommitOffsets(o []kafka.TopicPartition) ([]kafka.TopicPartition, error) {
	return o, nil
}
func (f *fakeSource) Committed(tps []kafka.TopicPartition, _ int) ([]kafka.TopicPartition, error) {
	return tps, nil
}
func (f *fakeSource) SeekPartitions(tps []kafka.TopicPartition) ([]kafka.TopicPartition, error) {
	return tps, nil
}
func (f *fakeSource) Assignment() ([]kafka.TopicPartition, error) { return nil, nil }

// dispatcher runs n messages from a fakeSource through a poller with the
// 1 ms handler and returns messages per second, from the first handler
// call to the n-th message's end, the CPU used meanwhile, in cores, and the
// mean handler call, in seconds.
func dispatcher(o poller.Ordering, inFlight, n, keys int) (rate, cores, call float64, err error) {
	src := newFakeSource("fake", 3, n, keys)
	var clock callClock
	var done atomic.Int64
	var first, cpu0 atomic.Int64
	end := make(chan time.Time, 1)
	var cpu1 time.Duration
	pl := poller.New(src, func(context.Context, *kafka.Message) error {
		if first.CompareAndSwap(0, time.Now().UnixNano()) {
			cpu0.Store(int64(cpuTime()))
		}
		clock.sleep()
		if done.Add(1) == int64(n) {
			cpu1 = cpuTime() // read after end is received
			end <- time.Now()
		}
		return nil
	}, poller.Config{Ordering: o, MaxInFlight: inFlight})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- pl.Run(ctx) }()
	var stop time.Time
	select {
	case stop = <-end:
	case <-time.After(2 * time.Minute):
		cancel()
		<-errc
		return 0, 0, 0, fmt.Errorf("dispatcher: only %d of %d messages", done.Load(), n)
	}
	cancel()
	if err := <-errc; err != nil {
		return 0, 0, 0, err
	}
	window := stop.Sub(time.Unix(0, first.Load()))
	return float64(n) / window.Seconds(), float64(cpu1-time.Duration(cpu0.Load())) / float64(window), clock.mean(), nil
}

// dispatcherCase names the poller table's row of the broker-free dispatcher.
func dispatcherCase(o poller.Ordering) string {
	return fmt.Sprintf("dispatcher alone (fake source, no broker), %s, 256 in flight", o)
}
