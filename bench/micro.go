package main

import (
	"fmt"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Go benchmarks of the produce and consume paths, shared by the bench
// program (through testing.Benchmark) and bench_test.go (go test -bench).

// benchProduce produces b.N 40-byte messages through v, reports included.
func benchProduce(b *testing.B, v *producerVariant) {
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := v.run(benchTopic, b.N, 40); err != nil {
		panic(err)
	}
}

var microSeq int

// partitionsFor spreads n messages so that no partition of the mock broker,
// which keeps only about 5 MB per partition, trims the head before it is
// consumed: 10,000 messages a partition (with 20,000 a run stalled with
// about 4,000 messages of a 6-partition topic never delivered).
func partitionsFor(n int) int { return max(1, (n+9_999)/10_000) }

// benchConsume consumes b.N pre-produced messages (with trace headers)
// through v.
func benchConsume(b *testing.B, bootstrap string, mc *kafka.MockCluster, seed *producerVariant, v consumerVariant) {
	microSeq++
	topic := fmt.Sprintf("micro-%d", microSeq)
	parts := partitionsFor(b.N + 1)
	if err := mc.CreateTopic(topic, parts, 1); err != nil {
		panic(err)
	}
	// One more message than timed: the clock starts once the first is
	// handled, so client start-up is not in the figure.
	if _, err := seed.run(topic, b.N+1, 40); err != nil {
		panic(err)
	}
	b.ReportAllocs()
	if _, err := v.consume(topic, parts, b.N+1, b.ResetTimer); err != nil {
		panic(fmt.Sprintf("%s, N=%d: %v", v.name, b.N, err))
	}
}

// micro is one Go benchmark result.
type micro struct {
	Path, Variant string
	NsPerOp       float64
	AllocsPerOp   int64
	BytesPerOp    int64
}

func toMicro(path, variant string, r testing.BenchmarkResult) micro {
	return micro{Path: path, Variant: variant, NsPerOp: float64(r.T.Nanoseconds()) / float64(r.N),
		AllocsPerOp: r.AllocsPerOp(), BytesPerOp: r.AllocedBytesPerOp()}
}

// medianMicro is the median of rounds of one Go benchmark.
func medianMicro(rs []micro) micro {
	ns, allocs, bytes := series{}, series{}, series{}
	for _, r := range rs {
		ns = append(ns, r.NsPerOp)
		allocs = append(allocs, float64(r.AllocsPerOp))
		bytes = append(bytes, float64(r.BytesPerOp))
	}
	m := rs[0]
	m.NsPerOp, m.AllocsPerOp, m.BytesPerOp = ns.median(), int64(allocs.median()+0.5), int64(bytes.median()+0.5)
	return m
}
