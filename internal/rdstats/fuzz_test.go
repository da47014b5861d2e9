package rdstats

import (
	"cmp"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: Parse never panics; it fails exactly when referenceParse does
// and otherwise agrees with it; a successful result is sorted as promised,
// and its helpers do not panic. The seeds (the real documents, prefixes of
// them, and awkward shapes) also run as plain tests.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"consumer.json", "producer.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		for cut := 0; cut < len(data); cut += 1 + len(data)/60 {
			f.Add(data[:cut])
		}
		f.Add(data[:len(data)-1])
	}
	f.Add(genStats(genShape{Topics: 2, Partitions: 5, Brokers: 2, Consumer: true}))
	for _, doc := range []string{
		`null`, `[]`, `{}`, `{"ts":-0}`, `{"ts":1e3}`, `{"ts":9223372036854775808}`,
		`{"brokers":{"b":null,"b":{"nodeid":1}}}`, `{"topics":{"t":{"partitions":{"01":{}}}}}`,
		`{"topics":{"t":{"partitions":{"\u0031":{"leader":1},"1":{"leader":2}}}}}`,
		"{\"n\\u0061me\":\"\xff\",\"x\":[[{}],\"\\ud800\"]}",
	} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		ref, refErr := referenceParse(data)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("Parse error %v, reference error %v", err, refErr)
		}
		if err != nil {
			if s != nil || !strings.HasPrefix(err.Error(), "rdstats: ") {
				t.Fatalf("Parse = %v, %q", s, err)
			}
			return
		}
		if !reflect.DeepEqual(s, ref) {
			t.Fatalf("Parse and referenceParse disagree:\n%+v\n%+v", s, ref)
		}
		checkSorted(t, s)
		exercise(s)
	})
}

// checkSorted checks the order and contents Parse promises.
func checkSorted(t *testing.T, s *Stats) {
	t.Helper()
	for i := 1; i < len(s.Brokers); i++ {
		if s.Brokers[i-1].Name >= s.Brokers[i].Name {
			t.Fatalf("brokers out of order: %q, %q", s.Brokers[i-1].Name, s.Brokers[i].Name)
		}
	}
	for i, tp := range s.Topics {
		if i > 0 && s.Topics[i-1].Name >= tp.Name {
			t.Fatalf("topics out of order: %q, %q", s.Topics[i-1].Name, tp.Name)
		}
		for j, p := range tp.Partitions {
			if p.ID == uaPartition || j > 0 && cmp.Compare(tp.Partitions[j-1].ID, p.ID) >= 0 {
				t.Fatalf("topic %q: partition %d out of place", tp.Name, p.ID)
			}
		}
	}
}

// exercise calls every helper on s.
func exercise(s *Stats) {
	for range s.RealBrokers() {
	}
	for topic, p := range s.Partitions() {
		_, _ = p.Lag()
		_, _ = p.StoredLag()
		t, _ := s.Topic(topic)
		t.Partition(p.ID)
	}
	s.Topic("")
}
