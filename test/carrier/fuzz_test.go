package carrier_test

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/carrier"
)

// The seed corpus lives in testdata/fuzz/<FuzzName>/ and runs with every
// go test; mk/fuzz.mk fuzzes each target for a bounded time.

// decodeHeaders turns fuzz bytes into headers: fields separated by 0x00
// alternate key and value; a value of exactly 0x01 is a nil Value. Keys and
// values may be anything, duplicates included.
func decodeHeaders(data []byte) []kafka.Header {
	if len(data) == 0 {
		return nil
	}
	fields := bytes.Split(data, []byte{0})
	h := make([]kafka.Header, 0, (len(fields)+1)/2)
	for i := 0; i < len(fields); i += 2 {
		hd := kafka.Header{Key: string(fields[i])}
		if i+1 < len(fields) && !bytes.Equal(fields[i+1], []byte{1}) {
			hd.Value = fields[i+1]
		}
		h = append(h, hd)
	}
	return h
}

// members counts non-blank comma-separated list-members: the reference the
// carrier's limits are checked against.
func members(v string) int {
	n := 0
	for _, m := range strings.Split(v, ",") {
		if strings.Trim(m, " \t") != "" {
			n++
		}
	}
	return n
}

// refGet is the carrier's Get written the slow, obvious way: the last
// header with exactly that name, else the last whose name differs only in
// the case of ASCII letters.
func refGet(h []kafka.Header, key string) string {
	v, exact := "", false
	for _, x := range h {
		if x.Key == key {
			v, exact = string(x.Value), true
		}
	}
	if !exact {
		for _, x := range h {
			if strings.EqualFold(x.Key, key) && asciiOnlyFold(x.Key, key) {
				v = string(x.Value)
			}
		}
	}
	switch key {
	case "tracestate":
		if len(v) > 32*513+31 || members(v) > 32 {
			return ""
		}
	case "baggage":
		if len(v) > 8192 || members(v) > 64 {
			return ""
		}
	}
	return v
}

// asciiOnlyFold reports whether a and b differ at most in the case of ASCII
// letters, byte by byte.
func asciiOnlyFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] && !(isLetter(a[i]) && isLetter(b[i]) && a[i]|0x20 == b[i]|0x20) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// FuzzCarrier checks Get, Keys, Set and Delete against a reference model on
// arbitrary header lists: last occurrence wins, limits apply, Set leaves one
// header per key, and neither Set nor Delete writes through the caller's
// slice.
func FuzzCarrier(f *testing.F) {
	f.Add([]byte("a\x001\x00b\x002\x00a\x003"), "a", "new")
	f.Add([]byte("traceparent\x00x\x00traceparent\x00y"), "traceparent", "z")
	f.Add([]byte("\xff\xfe\x00\xc3\x28\x00baggage\x00\x01"), "\xff\xfe", "\x00")
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {})) // oversize reports
	f.Fuzz(func(t *testing.T, data []byte, key, value string) {
		orig := decodeHeaders(data)
		backing := slices.Clone(orig[:cap(orig)])
		msg := &kafka.Message{Headers: orig}
		c := carrier.New(msg)

		var want []string
		for _, h := range orig {
			if !slices.Contains(want, h.Key) {
				want = append(want, h.Key)
			}
		}
		if got := c.Keys(); !slices.Equal(got, want) {
			t.Fatalf("Keys() = %q, want %q", got, want)
		}
		for _, k := range append(want, key, "tracestate", "baggage") {
			if got, exp := c.Get(k), refGet(orig, k); got != exp {
				t.Fatalf("Get(%q) = %.80q, want %.80q", k, got, exp)
			}
		}

		c.Set(key, value)
		if !slices.EqualFunc(backing, orig[:cap(orig)], headerEqual) {
			t.Fatal("Set wrote through the caller's header slice")
		}
		var model []kafka.Header
		placed := false
		for _, h := range orig {
			switch {
			case h.Key != key:
				model = append(model, h)
			case !placed:
				model = append(model, kafka.Header{Key: key, Value: []byte(value)})
				placed = true
			}
		}
		if !placed {
			model = append(model, kafka.Header{Key: key, Value: []byte(value)})
		}
		if !slices.EqualFunc(model, msg.Headers, headerEqual) {
			t.Fatalf("after Set(%q): %q, want %q", key, msg.Headers, model)
		}

		del := &kafka.Message{Headers: orig}
		carrier.New(del).Delete(key, "traceparent")
		if !slices.EqualFunc(backing, orig[:cap(orig)], headerEqual) {
			t.Fatal("Delete wrote through the caller's header slice")
		}
		kept := slices.DeleteFunc(slices.Clone(orig), func(h kafka.Header) bool { return h.Key == key || h.Key == "traceparent" })
		if !slices.EqualFunc(kept, del.Headers, headerEqual) {
			t.Fatalf("after Delete(%q): %q, want %q", key, del.Headers, kept)
		}
	})
}

func headerEqual(a, b kafka.Header) bool { return a.Key == b.Key && bytes.Equal(a.Value, b.Value) }

// strictTP is a version-00 traceparent as W3C Trace Context defines it.
var strictTP = regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-0[0-3]$`)

// FuzzExtract feeds arbitrary traceparent, tracestate and baggage values,
// behind arbitrary other headers, to the W3C propagators through the carrier.
// Whatever comes in: no panic; a span context is extracted only from a
// well-formed traceparent with lower-case, non-zero IDs; the limits hold;
// and what is extracted survives a round trip unchanged.
func FuzzExtract(f *testing.F) {
	f.Add("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "congo=t61rcWkgMzE", "tenant=acme", []byte("x\x00y"))
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {})) // oversize reports
	f.Fuzz(func(t *testing.T, tp, ts, bg string, extra []byte) {
		h := append(decodeHeaders(extra),
			kafka.Header{Key: "traceparent", Value: []byte(tp)},
			kafka.Header{Key: "tracestate", Value: []byte(ts)},
			kafka.Header{Key: "baggage", Value: []byte(bg)})
		ctx := carrier.Extract(context.Background(), &kafka.Message{Headers: h}, w3c)
		sc := trace.SpanContextFromContext(ctx)
		bag := baggage.FromContext(ctx)

		if m := strictTP.FindStringSubmatch(tp); m != nil && strings.Trim(m[1], "0") != "" && strings.Trim(m[2], "0") != "" {
			if !sc.IsValid() {
				t.Fatalf("well-formed traceparent %q not extracted", tp)
			}
		}
		if sc.IsValid() {
			if !sc.IsRemote() {
				t.Fatal("extracted span context not remote")
			}
			if len(tp) < 55 || tp[3:35] != sc.TraceID().String() || tp[36:52] != sc.SpanID().String() || tp[:2] == "ff" {
				t.Fatalf("span context %v extracted from malformed traceparent %q", sc, tp)
			}
		}
		if n := sc.TraceState().Len(); n > 32 || (n > 0 && (members(ts) > 32 || len(ts) > 32*513+31)) {
			t.Fatalf("tracestate of %d members extracted from %d bytes with %d members", n, len(ts), members(ts))
		}
		if n := bag.Len(); n > 64 || (n > 0 && (members(bg) > 64 || len(bg) > 8192)) {
			t.Fatalf("baggage of %d members extracted from %d bytes with %d members", n, len(bg), members(bg))
		}

		// Round trip: inject what was extracted, extract it again.
		out := &kafka.Message{}
		carrier.Inject(ctx, out, w3c)
		back := carrier.Extract(context.Background(), out, w3c)
		sc2 := trace.SpanContextFromContext(back)
		if sc.IsValid() && (!sc2.Equal(sc.WithRemote(true)) || sc2.TraceState().String() != sc.TraceState().String()) {
			t.Fatalf("round trip changed the span context: %v -> %v", sc, sc2)
		}
		if bag.Len() > 0 {
			if got := baggage.FromContext(back); !sameBaggage(got, bag) {
				t.Fatalf("round trip changed the baggage: %q -> %q", bag, got)
			}
		}
	})
}

// sameBaggage compares baggage member by member (String's order is random).
func sameBaggage(a, b baggage.Baggage) bool {
	if a.Len() != b.Len() {
		return false
	}
	for _, m := range a.Members() {
		if b.Member(m.Key()).String() != m.String() {
			return false
		}
	}
	return true
}
