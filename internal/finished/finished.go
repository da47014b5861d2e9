// Package finished encodes and decodes the finished-offsets record that
// kafkatrace commits as offset metadata: which offsets above the committed
// one have already been processed. The poller writes it; the kafkatrace
// command reads it to show what a group has really finished.
package finished

import (
	"encoding/base64"
	"strings"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Prefix marks commit metadata written by kafkatrace, version 1.
const Prefix = "kt1:"

// MaxBits is the most offsets a record covers: MaxBits/8 bytes of bitmap,
// base64 encoded, fit Kafka's default offset.metadata.max.bytes (4096).
const MaxBits = 8192

// Encode returns the record of bitmap bits, whose bit i (bits[i/8] & 1<<(i%8))
// is offset base+i; "" when bits is empty.
func Encode(bits []byte) string {
	if len(bits) == 0 {
		return ""
	}
	return Prefix + base64.RawStdEncoding.EncodeToString(bits)
}

// Parse returns the finished offsets recorded in md for a partition
// committed at base; nil when md is not a valid kafkatrace record.
func Parse(base kafka.Offset, md *string) map[kafka.Offset]struct{} {
	if md == nil || base < 0 || !strings.HasPrefix(*md, Prefix) {
		return nil
	}
	bits, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(*md, Prefix))
	if err != nil || len(bits) > MaxBits/8 {
		return nil
	}
	var out map[kafka.Offset]struct{}
	for i, b := range bits {
		for j := 0; j < 8; j++ {
			if b&(1<<j) != 0 {
				if out == nil {
					out = map[kafka.Offset]struct{}{}
				}
				out[base+kafka.Offset(i*8+j)] = struct{}{}
			}
		}
	}
	return out
}

// IsRecord reports whether md looks like a kafkatrace record (it may still
// fail to parse).
func IsRecord(md string) bool { return strings.HasPrefix(md, Prefix) }
