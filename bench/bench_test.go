package main

import (
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
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
