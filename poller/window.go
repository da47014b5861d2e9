package poller

import (
	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/internal/finished"
)

// MaxWindow is the most offsets a partition may span between its watermark
// and its newest polled message. Past it the partition is paused, which
// bounds the memory a stuck message can hold and keeps the finished-offsets
// record (see below) within Kafka's default offset.metadata.max.bytes (4096).
const MaxWindow = finished.MaxBits

// metadataPrefix marks commit metadata written by kafkatrace, version 1.
const metadataPrefix = finished.Prefix

// The commit metadata of a partition records which offsets above the
// committed one have already finished: bit i of the bitmap is offset
// committed+i. A kafkatrace consumer that is assigned the partition next
// skips those offsets, so after a crash, a shutdown or a rebalance only work
// that had not finished is processed again. Consumers that do not know the
// format ignore it and process them again (at-least-once either way).

// finishedMetadata encodes the finished offsets in [base, base+MaxWindow),
// or "" when there are none. Whatever the gap between base and the newest
// polled offset, the bitmap is MaxWindow bits on the stack: only the encoded
// string is allocated. Called with the poller's lock held.
func (p *partition) finishedMetadata(base kafka.Offset) string {
	if base < 0 {
		return ""
	}
	var bits [MaxWindow / 8]byte
	n := 0 // bytes in use
	for _, w := range p.polled[p.head:] {
		if !w.done {
			continue
		}
		i := int64(w.off - base)
		if i < 0 || i >= MaxWindow {
			continue
		}
		bits[i/8] |= 1 << (i % 8)
		n = max(n, int(i/8)+1)
	}
	return finished.Encode(bits[:n])
}

// parseFinished decodes commit metadata written by finishedMetadata for a
// partition committed at base. Anything else (another tool's metadata,
// corruption) yields nothing: those offsets are simply processed again.
func parseFinished(base kafka.Offset, md *string) map[kafka.Offset]struct{} {
	return finished.Parse(base, md)
}

// window is how many offsets the partition spans from its commit offset to
// its newest polled message, while any polled message is unfinished.
func (p *partition) window() int64 {
	if !p.outstanding() {
		return 0
	}
	return max(int64(p.last-p.base())+1, 0)
}
