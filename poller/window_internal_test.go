package poller

import (
	"encoding/base64"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// maxMetadataLen is the longest finished-offsets record: the prefix and
// MaxWindow bits in unpadded base64.
var maxMetadataLen = len(metadataPrefix) + base64.RawStdEncoding.EncodedLen(MaxWindow/8)

func has(set map[kafka.Offset]struct{}, o kafka.Offset) bool {
	_, ok := set[o]
	return ok
}

func trackAt(p *partition, off kafka.Offset) *work {
	w := &work{off: off, part: p}
	p.track(w)
	return w
}

// A gap of 2^30 offsets between the watermark and the newest polled message
// used to allocate a 128 MiB bitmap on every store; at most MaxWindow bits
// can be set, and now at most that is allocated.
func TestFinishedMetadataOfHugeGapIsBounded(t *testing.T) {
	p := newPartition(tpKey{"t", 0})
	trackAt(p, 0) // unfinished: holds the watermark
	p.complete(trackAt(p, 100))
	p.complete(trackAt(p, 1<<30))
	var md string
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			md = p.finishedMetadata(0)
		}
	})
	t.Logf("finishedMetadata with a 2^30 gap: %d B/op, %d allocs/op", res.AllocedBytesPerOp(), res.AllocsPerOp())
	if got := res.AllocedBytesPerOp(); got > MaxWindow/8 {
		t.Errorf("finishedMetadata allocated %d B/op, more than MaxWindow/8 = %d", got, MaxWindow/8)
	}
	if done := parseFinished(0, &md); len(done) != 1 || !has(done, 100) {
		t.Errorf("recorded %v, want only offset 100 (the only finished one within the window)", done)
	}
	if w := p.window(); w != 1<<30+1 {
		t.Errorf("window %d, want %d", w, 1<<30+1)
	}
}

// FuzzPartitionState drives one partition's offset tracking with arbitrary
// sequences of polls (forward, gaps, backward seeks) and completions, and
// checks after every step: the commit offset never passes an unfinished
// message, the finished-offsets record stays within its bound and decodes
// to finished messages only, and nothing panics.
func FuzzPartitionState(f *testing.F) {
	f.Add([]byte{0x01, 0x01, 0x81, 0x01, 0x01})
	f.Add([]byte{0x05, 0x03, 0x82, 0x40, 0xf0, 0x83, 0x01})
	f.Add([]byte{0x7f, 0x7f, 0x7f, 0x84, 0x85, 0xc0, 0x01, 0x02})
	f.Fuzz(runPartitionOps)
}

func runPartitionOps(t *testing.T, ops []byte) {
	if len(ops) > 512 {
		ops = ops[:512] // each step checks every message: keep a run fast
	}
	p := newPartition(tpKey{"t", 0})
	var all []*work
	next := kafka.Offset(0)
	for i, op := range ops {
		switch {
		case op&0x80 == 0: // poll the next message, after a gap of op offsets
			next += kafka.Offset(op)
			if op == 0x7f {
				next += 1 << 20 // a huge gap
			}
			all = append(all, trackAt(p, next))
			next++
		case op&0xc0 == 0xc0: // seek back by the low bits
			next = max(0, next-kafka.Offset(op&0x3f)*3)
		default: // complete the (op&0x3f)-th outstanding message
			var open []*work
			for _, w := range all {
				if !w.done {
					open = append(open, w)
				}
			}
			if len(open) > 0 {
				p.complete(open[int(op&0x3f)%len(open)])
			}
		}
		checkPartition(t, p, all, i)
	}
}

func checkPartition(t *testing.T, p *partition, all []*work, step int) {
	t.Helper()
	tp, ok := p.commitOffset()
	if !ok {
		if len(all) > 0 {
			t.Fatalf("step %d: %d messages polled but nothing to commit", step, len(all))
		}
		return
	}
	base := tp.Offset
	finished := make(map[kafka.Offset]bool, len(all)) // after a backward seek an offset can be polled twice: one copy finished is enough
	for _, w := range all {
		if !w.done && w.off < base {
			t.Fatalf("step %d: commit offset %d passes unfinished offset %d", step, base, w.off)
		}
		finished[w.off] = finished[w.off] || w.done
	}
	md := *tp.Metadata
	if len(md) > maxMetadataLen {
		t.Fatalf("step %d: metadata of %d bytes, more than %d", step, len(md), maxMetadataLen)
	}
	for off := range parseFinished(base, &md) {
		if off < base || off >= base+MaxWindow || !finished[off] {
			t.Fatalf("step %d: offset %d recorded as finished (base %d): out of the window or never finished", step, off, base)
		}
	}
	if p.window() < 0 {
		t.Fatalf("step %d: negative window %d", step, p.window())
	}
}
