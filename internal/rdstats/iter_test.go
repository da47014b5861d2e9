package rdstats

import (
	"fmt"
	"reflect"
	"testing"
)

const iterDoc = `{"brokers":{"b:9092/2":{"nodeid":2},"GroupCoordinator":{"nodeid":-1},` +
	`"b:9092/bootstrap":{"nodeid":-1},"b:9092/1":{"nodeid":1}},` +
	`"topics":{"t2":{"partitions":{"1":{},"0":{},"-1":{}}},"t1":{"partitions":{"2":{"leader":7}}},"t0":{}}}`

// RealBrokers skips the nodeid -1 entries and keeps name order.
func TestRealBrokers(t *testing.T) {
	s := mustParse(t, iterDoc)
	var got []string
	for b := range s.RealBrokers() {
		got = append(got, b.Name)
	}
	if want := []string{"b:9092/1", "b:9092/2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("RealBrokers: %q, want %q", got, want)
	}
	for range s.RealBrokers() {
		break // stopping early must not panic
	}
}

// Partitions walks topics by name and partitions by id, and stops when told.
func TestPartitions(t *testing.T) {
	s := mustParse(t, iterDoc)
	var got []string
	for topic, p := range s.Partitions() {
		got = append(got, fmt.Sprintf("%s/%d", topic, p.ID))
	}
	if want := []string{"t1/2", "t2/0", "t2/1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Partitions: %q, want %q", got, want)
	}
	n := 0
	for range s.Partitions() {
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("stopped after %d, want 2", n)
	}
}

func TestLookups(t *testing.T) {
	s := mustParse(t, iterDoc)
	t1, ok := s.Topic("t1")
	if !ok || t1.Name != "t1" {
		t.Fatalf("Topic(t1) = %+v, %v", t1, ok)
	}
	if p, ok := t1.Partition(2); !ok || p.Leader != 7 {
		t.Errorf("Partition(2) = %+v, %v; want leader 7", p, ok)
	}
	if _, ok := t1.Partition(3); ok {
		t.Error("Partition(3) found")
	}
	t2, _ := s.Topic("t2")
	if _, ok := t2.Partition(-1); ok {
		t.Error("the UA partition was found")
	}
	if _, ok := s.Topic("nope"); ok {
		t.Error("Topic(nope) found")
	}
}

// The helpers work on a nil *Stats, yielding and finding nothing.
func TestNilStats(t *testing.T) {
	var s *Stats
	for range s.RealBrokers() {
		t.Error("a nil Stats yielded a broker")
	}
	for range s.Partitions() {
		t.Error("a nil Stats yielded a partition")
	}
	if _, ok := s.Topic("t"); ok {
		t.Error("a nil Stats found a topic")
	}
}

// Walking a parsed document allocates nothing.
func TestIterationAllocs(t *testing.T) {
	s, err := Parse(genStats(genShape{Topics: 3, Partitions: 60, Brokers: 3, Consumer: true}))
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	allocs := testing.AllocsPerRun(100, func() {
		for b := range s.RealBrokers() {
			sum += b.RTT.Avg
		}
		for _, p := range s.Partitions() {
			if lag, ok := p.Lag(); ok {
				sum += lag
			}
		}
	})
	if allocs != 0 {
		t.Errorf("iteration allocates %v times, want 0", allocs)
	}
}
