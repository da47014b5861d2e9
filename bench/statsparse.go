package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kafkatrace/kafkatrace/internal/rdstats"
	"github.com/kafkatrace/kafkatrace/internal/rdstats/rdgen"
)

// parseBudget is the metrics issue's bound on parsing the statistics of a
// 1,000-partition consumer.
const parseBudget = 5 * time.Millisecond

// parseShape is the document of that budget: a consumer with 1,000
// partitions over 4 topics led by 3 brokers, every field librdkafka writes.
var parseShape = rdgen.Shape{Topics: 4, Partitions: 1000, Brokers: 3, Consumer: true}

// parseResult is the statistics parser's figure.
type parseResult struct {
	Bytes  int
	PerDoc []time.Duration // one per round
	Allocs int64
}

// benchParse measures rdstats.Parse on the budget's document.
func benchParse() (time.Duration, int64, int) {
	doc := rdgen.Stats(parseShape)
	r := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rdstats.Parse(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	return time.Duration(r.NsPerOp()), r.AllocsPerOp(), len(doc)
}

func (p parseResult) median() time.Duration {
	s := series{}
	for _, d := range p.PerDoc {
		s = append(s, float64(d))
	}
	return time.Duration(s.median())
}

func (p parseResult) markdown() string {
	if len(p.PerDoc) == 0 {
		return ""
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("## Statistics parser: a 1,000-partition consumer\n\n")
	w("`rdstats.Parse` (the typed parser behind the lag and client gauges) on a generated statistics document of a\n")
	w("consumer with 1,000 partitions over 4 topics and 3 brokers, every field librdkafka writes (%d bytes);\n", p.Bytes)
	w("`testing.Benchmark`, median of %d rounds. The same benchmark: `go test -bench Parse1000 ./internal/rdstats`.\n\n", len(p.PerDoc))
	w("| document | per parse (median) | allocs | budget |\n|---|---:|---:|---:|\n")
	w("| 1,000 partitions, %d KiB | %s | %d | %s |\n\n", p.Bytes/1024, p.median().Round(time.Microsecond), p.Allocs, parseBudget)
	return b.String()
}
