package rdstats

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/kafkatrace/kafkatrace/internal/rdstats/rdgen"
)

// The generator lives in rdgen so that the bench program can use it too.
type genShape = rdgen.Shape

var (
	genStats     = rdgen.Stats
	genHi        = rdgen.Hi
	genCommitted = rdgen.Committed
)

// The generated document is what genStats meant it to be, and Parse reads
// it as referenceParse does.
func TestGeneratedDocument(t *testing.T) {
	doc := genStats(shape1000)
	s, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := referenceParse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, ref) {
		t.Fatal("Parse and referenceParse disagree on the generated document")
	}
	if len(s.Brokers) != shape1000.Brokers+1 || len(s.Topics) != shape1000.Topics || s.Cgrp == nil ||
		s.Cgrp.AssignmentSize != int64(shape1000.Partitions) {
		t.Fatalf("got %d brokers, %d topics, cgrp %+v", len(s.Brokers), len(s.Topics), s.Cgrp)
	}
	n, unknown := 0, 0
	for topic, p := range s.Partitions() {
		ti, _ := strconv.Atoi(strings.TrimPrefix(topic, "topic-"))
		if p.HiOffset != genHi(ti, int(p.ID)) || p.CommittedOffset != genCommitted(ti, int(p.ID)) {
			t.Fatalf("%s/%d: %+v", topic, p.ID, p)
		}
		if _, ok := p.Lag(); !ok {
			unknown++
		}
		n++
	}
	if n != shape1000.Partitions || unknown != shape1000.Partitions/10 {
		t.Errorf("%d partitions, %d with unknown lag; want %d and %d", n, unknown, shape1000.Partitions, shape1000.Partitions/10)
	}
}
