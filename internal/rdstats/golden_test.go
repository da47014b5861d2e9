package rdstats

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The documents in testdata/ are real: librdkafka 2.11.1 (bundled with
// confluent-kafka-go v2.11.1) wrote them against kafka.NewMockCluster(1)
// with a 3 ms round trip and topic "orders" of 3 partitions holding 10, 12
// and 0 messages.
//
// consumer.json: a consumer (statistics.interval.ms 100) subscribed to
// orders polled 4 messages from partition 0, committed them and paused its
// assignment, while querying committed offsets and watermarks. Partition 0
// has lag 6 (hi 10 - committed 4); partitions 1 and 2 have a known high
// watermark but lag -1, because nothing was consumed or committed there.
// Broker rtt includes the fetch long-poll (avg 210 ms, p99 506 ms); the
// GroupCoordinator entry is a logical broker, nodeid -1.
//
// producer.json: a producer with linger.ms 3000 holding 7 queued messages
// (msg_cnt 7, msg_size 42) while metadata requests run; its partitions'
// msgq_cnt and xmit_msgq_cnt are 0 nonetheless, and consumer fields are
// -1001 / -1.

func parseFile(t *testing.T, name string) *Stats {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return s
}

func TestGoldenConsumer(t *testing.T) {
	s := parseFile(t, "consumer.json")
	unknown := func(id int32, hi int64) Partition {
		return Partition{ID: id, Leader: 1, FetchqCnt: 1, FetchState: "active",
			AppOffset: InvalidOffset, StoredOffset: InvalidOffset, CommittedOffset: InvalidOffset,
			HiOffset: hi, LsOffset: hi, ConsumerLag: -1, ConsumerLagStored: -1}
	}
	want := &Stats{
		Name:     "statsgen-consumer#consumer-4",
		ClientID: "statsgen-consumer",
		Type:     "consumer",
		TS:       3971649408,
		ReplyQ:   1,
		Brokers: []Broker{
			{Name: "127.0.0.1:39487/1", NodeID: 1, State: "UP", WaitrespCnt: 2, RTT: Window{Avg: 210301, P99: 505855}},
			{Name: "GroupCoordinator", NodeID: -1, State: "UP", RTT: Window{Avg: 3246, P99: 3423}},
		},
		Topics: []Topic{{Name: "orders", Partitions: []Partition{
			{ID: 0, Leader: 1, FetchqCnt: 1, FetchState: "active", AppOffset: 4, StoredOffset: 4,
				CommittedOffset: 4, HiOffset: 10, LsOffset: 10, ConsumerLag: 6, ConsumerLagStored: 6},
			unknown(1, 12),
			unknown(2, 0),
		}}},
		Cgrp: &ConsumerGroup{State: "up", JoinState: "steady", AssignmentSize: 3, RebalanceCnt: 1},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("consumer.json:\n got %+v\nwant %+v", s, want)
	}

	var real []string
	for b := range s.RealBrokers() {
		real = append(real, b.Name)
	}
	if want := []string{"127.0.0.1:39487/1"}; !reflect.DeepEqual(real, want) {
		t.Errorf("RealBrokers: %q, want %q", real, want)
	}
	orders, _ := s.Topic("orders")
	p0, _ := orders.Partition(0)
	if lag, ok := p0.Lag(); lag != 6 || !ok {
		t.Errorf("partition 0: Lag() = %d, %v; want 6, true", lag, ok)
	}
	p1, _ := orders.Partition(1)
	if lag, ok := p1.Lag(); lag != -1 || ok {
		t.Errorf("partition 1: Lag() = %d, %v; want -1, false", lag, ok)
	}
}

func TestGoldenProducer(t *testing.T) {
	s := parseFile(t, "producer.json")
	idle := func(id int32) Partition {
		return Partition{ID: id, Leader: 1, FetchState: "none",
			AppOffset: InvalidOffset, StoredOffset: InvalidOffset, CommittedOffset: InvalidOffset,
			HiOffset: InvalidOffset, LsOffset: InvalidOffset, ConsumerLag: -1, ConsumerLagStored: -1}
	}
	want := &Stats{
		Name:     "statsgen-producer#producer-3",
		ClientID: "statsgen-producer",
		Type:     "producer",
		TS:       3957899168,
		MsgCnt:   7,
		MsgSize:  42,
		Brokers: []Broker{
			{Name: "127.0.0.1:39487/1", NodeID: 1, State: "UP", RTT: Window{Avg: 3456, P99: 4511}},
		},
		Topics: []Topic{{Name: "orders", Partitions: []Partition{idle(0), idle(1), idle(2)}}},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("producer.json:\n got %+v\nwant %+v", s, want)
	}
	for topic, p := range s.Partitions() {
		if _, ok := p.Lag(); ok {
			t.Errorf("%s/%d: a producer's lag is known", topic, p.ID)
		}
	}
}
