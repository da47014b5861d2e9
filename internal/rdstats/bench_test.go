package rdstats

import (
	"slices"
	"testing"
	"time"
)

// shape1000 is the document of the performance budget: a consumer with 1,000
// partitions over 4 topics led by 3 brokers.
var shape1000 = genShape{Topics: 4, Partitions: 1000, Brokers: 3, Consumer: true}

func BenchmarkParse1000Partitions(b *testing.B) {
	doc := genStats(shape1000)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// A 1,000-partition document parses in at most 5 ms, the median of 20 runs.
// The race detector slows decoding several times over, so under -race the
// timing is logged, not asserted (see raceEnabled).
func TestParse1000PartitionsWithinBudget(t *testing.T) {
	const budget = 5 * time.Millisecond
	doc := genStats(shape1000)
	if _, err := Parse(doc); err != nil { // warm up
		t.Fatal(err)
	}
	runs := make([]time.Duration, 20)
	for i := range runs {
		start := time.Now()
		if _, err := Parse(doc); err != nil {
			t.Fatal(err)
		}
		runs[i] = time.Since(start)
	}
	slices.Sort(runs)
	median := (runs[9] + runs[10]) / 2
	t.Logf("%d-byte document: median %v, min %v, max %v", len(doc), median, runs[0], runs[len(runs)-1])
	if raceEnabled {
		t.Skipf("race detector on: median %v not held to the %v budget", median, budget)
	}
	if median > budget {
		t.Errorf("median parse time %v, want <= %v", median, budget)
	}
}
