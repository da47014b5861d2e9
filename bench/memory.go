package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// memoryResult is what the memory scenario reports.
type memoryResult struct {
	Variant       string
	Messages      int
	Seconds       float64
	PeakRSSMiB    float64
	MaxGoroutines int
	EndGoroutines int
}

// runMemory produces n messages against a broker slowed by roundtrip, with
// tracing on (kafkatrace, 100% sampled) or off (raw), sampling peak RSS and
// the goroutine count. It runs in a child process of its own so the RSS is
// its alone.
func runMemory(variant string, n int, roundtrip time.Duration) (memoryResult, error) {
	mc, err := kafka.NewMockCluster(1)
	if err != nil {
		return memoryResult{}, err
	}
	defer mc.Close()
	if err := mc.CreateTopic(benchTopic, 3, 1); err != nil {
		return memoryResult{}, err
	}
	if err := mc.SetRoundtripDuration(1, roundtrip); err != nil {
		return memoryResult{}, err
	}
	prov := newProviders()
	defer prov.shutdown()

	var maxG atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if g := int64(runtime.NumGoroutine()); g > maxG.Load() {
				maxG.Store(g)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()

	conf := kafka.ConfigMap{"bootstrap.servers": mc.BootstrapServers(), "linger.ms": 5}
	var produce func(*kafka.Message) error
	var events chan kafka.Event
	var closeFn func()
	switch variant {
	case "raw":
		p, err := kafka.NewProducer(&conf)
		if err != nil {
			return memoryResult{}, err
		}
		produce, events, closeFn = func(m *kafka.Message) error { return p.Produce(m, nil) }, p.Events(), p.Close
	default:
		p, err := interceptor.NewProducer(&conf, interceptor.WithTracerProvider(prov.sampled))
		if err != nil {
			return memoryResult{}, err
		}
		produce, events, closeFn = func(m *kafka.Message) error { return p.Produce(m, nil) }, p.Events(), p.Close
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for got := 0; got < n; {
			if _, ok := (<-events).(*kafka.Message); ok {
				got++
			}
		}
	}()
	topic := benchTopic
	value := make([]byte, 40)
	start := time.Now()
	for i := 0; i < n; i++ {
		for {
			err := produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}, Value: value})
			var kerr kafka.Error
			if errors.As(err, &kerr) && kerr.Code() == kafka.ErrQueueFull {
				time.Sleep(time.Millisecond) // librdkafka's queue is full: the slow broker pushes back
				continue
			}
			if err != nil {
				return memoryResult{}, err
			}
			break
		}
	}
	<-done
	elapsed := time.Since(start)
	closeFn()
	close(stop)
	<-sampled
	return memoryResult{
		Variant: variant, Messages: n, Seconds: elapsed.Seconds(),
		PeakRSSMiB: peakRSSMiB(), MaxGoroutines: int(maxG.Load()), EndGoroutines: runtime.NumGoroutine(),
	}, nil
}

// peakRSSMiB reads VmHWM, the process's peak resident set.
func peakRSSMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

func (r memoryResult) String() string {
	return fmt.Sprintf("%s %d %.2f %.1f %d %d", r.Variant, r.Messages, r.Seconds, r.PeakRSSMiB, r.MaxGoroutines, r.EndGoroutines)
}
