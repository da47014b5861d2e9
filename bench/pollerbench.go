package main

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/poller"
)

// handlerDelay is the slow handler of the poller scenario.
const handlerDelay = time.Millisecond

// callClock times the poller scenario's handler calls: the 1 ms sleep plus
// the timer's overshoot and, on a busy machine, the wait to run again. With
// the rate it gives the slots busy on average (Little's law): how much of
// the in-flight bound the dispatcher kept occupied.
type callClock struct{ sum, n atomic.Int64 }

// sleep is the handler's work, timed.
func (c *callClock) sleep() {
	t0 := time.Now()
	time.Sleep(handlerDelay)
	c.sum.Add(int64(time.Since(t0)))
	c.n.Add(1)
}

// mean is the mean call, in seconds.
func (c *callClock) mean() float64 {
	if c.n.Load() == 0 {
		return 0
	}
	return time.Duration(c.sum.Load() / c.n.Load()).Seconds()
}

// sequential is the baseline: a plain confluent-kafka-go Poll loop calling
// the handler inline. It returns messages per second.
func sequential(bootstrap, topic string, parts, n int) (float64, error) {
	d, err := rawPoll(bootstrap, topic, parts, n, func(*kafka.Message) { time.Sleep(handlerDelay) }, nil)
	if err != nil {
		return 0, err
	}
	return float64(n-1) / d.Seconds(), nil
}

// concurrent runs the same handler through Run and returns messages per
// second.
func concurrent(bootstrap string, tp trace.TracerProvider, topic string, parts, n int, o poller.Ordering, inFlight int) (rate, cores, call float64, err error) {
	var handled atomic.Int64
	var cpu0, cpu1 atomic.Int64
	var clock callClock
	d, err := runConsumer(bootstrap, tp, topic, parts, n, func(context.Context, *kafka.Message) error {
		clock.sleep()
		if handled.Add(1) == int64(n) {
			cpu1.Store(int64(cpuTime()))
		}
		return nil
	}, func() { cpu0.Store(int64(cpuTime())) }, interceptor.WithOrdering(o), interceptor.WithMaxInFlight(inFlight))
	if err != nil {
		return 0, 0, 0, err
	}
	return float64(n-1) / d.Seconds(), float64(cpu1.Load()-cpu0.Load()) / float64(d), clock.mean(), nil
}

// pollerCase is one row of the poller table.
type pollerCase struct {
	ordering poller.Ordering
	inFlight int
}

func (c pollerCase) String() string {
	return fmt.Sprintf("Run %s, %d in flight", c.ordering, c.inFlight)
}

var pollerCases = pollerCasesFromEnv([]pollerCase{
	{poller.ByKey, 16}, {poller.ByKey, 64}, {poller.ByKey, 256},
	{poller.ByPartition, 16}, {poller.ByPartition, 64}, {poller.ByPartition, 256},
	{poller.Unordered, 16}, {poller.Unordered, 64}, {poller.Unordered, 256},
})

// pollerCasesFromEnv keeps only the case named by BENCH_POLLER_CASE (for
// profiling one), or all of them.
func pollerCasesFromEnv(all []pollerCase) []pollerCase {
	want := os.Getenv("BENCH_POLLER_CASE")
	if want == "" {
		return all
	}
	for _, c := range all {
		if c.String() == want {
			return []pollerCase{c}
		}
	}
	return all
}

// messagesFor keeps each poller measurement near a second: ByPartition can
// run only one handler per partition.
func messagesFor(c pollerCase, parts, total int) int {
	if c.ordering == poller.ByPartition {
		return min(total, parts*1000)
	}
	return min(total, c.inFlight*400)
}
