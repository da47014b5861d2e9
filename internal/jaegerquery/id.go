package jaegerquery

import (
	"fmt"
	"strings"
)

// NormalizeTraceID returns id as 32 lowercase hex digits: a 16-digit
// (64-bit) ID is padded with zeros on the left, surrounding spaces are
// ignored. Anything else, and the all-zero ID, is an error.
func NormalizeTraceID(id string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(id))
	if len(s) == 16 {
		s = strings.Repeat("0", 16) + s
	}
	if len(s) != 32 || strings.Trim(s, "0123456789abcdef") != "" {
		return "", fmt.Errorf("invalid trace ID %s: want 32 hex digits (or 16)", quote(id))
	}
	if strings.Trim(s, "0") == "" {
		return "", fmt.Errorf("invalid trace ID %s: all zeros", quote(id))
	}
	return s, nil
}

// padID returns a hex span or trace ID as Jaeger wrote it (without leading
// zeros in 64-bit trace IDs) padded on the left to n digits, lowercased.
func padID(id string, n int) string {
	id = strings.ToLower(id)
	if len(id) < n {
		id = strings.Repeat("0", n-len(id)) + id
	}
	return id
}
