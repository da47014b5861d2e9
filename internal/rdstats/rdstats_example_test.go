package rdstats_test

import (
	"fmt"
	"os"

	"github.com/kafkatrace/kafkatrace/internal/rdstats"
)

// Parse the string of a *kafka.Stats event (here, one a consumer wrote) and
// walk what the metrics use.
func ExampleParse() {
	data, err := os.ReadFile("testdata/consumer.json") // in a client: []byte(ev.String())
	if err != nil {
		panic(err)
	}
	s, err := rdstats.Parse(data)
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Type, s.Cgrp.State, s.Cgrp.JoinState)
	for b := range s.RealBrokers() {
		fmt.Printf("broker %d %s: rtt avg %dµs p99 %dµs, %d in flight\n", b.NodeID, b.State, b.RTT.Avg, b.RTT.P99, b.WaitrespCnt)
	}
	for topic, p := range s.Partitions() {
		if lag, ok := p.Lag(); ok {
			fmt.Printf("%s/%d: lag %d (committed %d, high watermark %d)\n", topic, p.ID, lag, p.CommittedOffset, p.HiOffset)
		} else {
			fmt.Printf("%s/%d: lag unknown (high watermark %d)\n", topic, p.ID, p.HiOffset)
		}
	}
	// Output:
	// consumer up steady
	// broker 1 UP: rtt avg 210301µs p99 505855µs, 2 in flight
	// orders/0: lag 6 (committed 4, high watermark 10)
	// orders/1: lag unknown (high watermark 12)
	// orders/2: lag unknown (high watermark 0)
}
