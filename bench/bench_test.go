package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/poller"
)

// go test -bench . -benchmem ./... (from bench/) runs the same paths as the
// "Go benchmarks" table of make bench.

func setup(b *testing.B) (*kafka.MockCluster, providers) {
	mc, err := kafka.NewMockCluster(1)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(mc.Close)
	if err := mc.CreateTopic(benchTopic, 3, 1); err != nil {
		b.Fatal(err)
	}
	prov := newProviders()
	b.Cleanup(prov.shutdown)
	return mc, prov
}

// setupProducers adds the warmed-up producer variants to setup, closed when
// the benchmark ends.
func setupProducers(b *testing.B) (*kafka.MockCluster, providers, []*producerVariant) {
	mc, prov := setup(b)
	vs, err := newProducerVariants(mc.BootstrapServers(), prov)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		for _, v := range vs {
			v.close()
		}
	})
	return mc, prov, vs
}

func BenchmarkProduce(b *testing.B) {
	_, _, vs := setupProducers(b)
	for _, v := range vs {
		b.Run(v.name, func(b *testing.B) { benchProduce(b, v) })
	}
}

func BenchmarkConsume(b *testing.B) {
	mc, prov, vs := setupProducers(b)
	seed := vs[3] // kafkatrace sampled: messages carry trace headers
	for _, v := range newConsumerVariants(mc.BootstrapServers(), prov) {
		b.Run(v.name, func(b *testing.B) { benchConsume(b, mc.BootstrapServers(), mc, seed, v) })
	}
}

// BenchmarkBulkInsert runs the "RunBatch vs Run" scenario of make bench on
// b.N messages: ns/op and msgs/s are from the start of the first handler
// call to the end of the b.N-th message (topic creation, producing and
// client start-up excluded).
func BenchmarkBulkInsert(b *testing.B) {
	mc, prov, vs := setupProducers(b)
	seed := vs[3] // kafkatrace sampled: messages carry trace headers
	for _, batch := range []bool{false, true} {
		name := "Run"
		if batch {
			name = "RunBatch"
		}
		b.Run(name, func(b *testing.B) {
			microSeq++
			topic := fmt.Sprintf("bulk-%d", microSeq)
			parts := partitionsFor(b.N)
			if err := mc.CreateTopic(topic, parts, 1); err != nil {
				b.Fatal(err)
			}
			if err := produceKeyed(seed, topic, b.N, bulkKeys); err != nil {
				b.Fatal(err)
			}
			res, err := measureBulk(mc.BootstrapServers(), prov.sampled, topic, parts, b.N, batch)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(1e9/res.Rate, "ns/op")
			b.ReportMetric(res.Rate, "msgs/s")
			b.ReportMetric(res.PerCall, "msgs/call")
		})
	}
}

// BenchmarkDispatchNoop runs b.N messages from a fake source (no broker)
// through the poller with a no-op handler, as the consumer table's Run
// variants do (ByKey, 64 in flight, messages without keys): the dispatcher's own cost per message,
// which a CPU profile can take apart (librdkafka's mock cluster does not
// survive the profiler's signals).
func BenchmarkDispatchNoop(b *testing.B) {
	src := newFakeSource("fake", 3, b.N, 0)
	var done atomic.Int64
	end := make(chan struct{})
	n := int64(b.N)
	pl := poller.New(src, func(context.Context, *kafka.Message) error {
		if done.Add(1) == n {
			close(end)
		}
		return nil
	}, poller.Config{Ordering: poller.ByKey, MaxInFlight: 64})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() { errc <- pl.Run(ctx) }()
	<-end
	b.StopTimer()
	cancel()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
}
