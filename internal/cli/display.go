package cli

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxShown is the most bytes of a header value, key or raw value shown.
const maxShown = 256

// shown returns b fit for a terminal or a JSON string: at most max bytes of
// it, with control characters, invalid UTF-8, quotes and backslashes escaped
// as in a Go string literal, and "… (N bytes)" when it was cut.
func shown(b []byte, max int) string {
	n := len(b)
	cut := n > max
	if cut {
		end := max
		// Cut before a partial rune rather than escape its first bytes.
		for i := max; i > 0 && i > max-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				end = i
				break
			}
		}
		b = b[:end]
	}
	q := strconv.Quote(string(b))
	q = q[1 : len(q)-1]
	if cut {
		q += fmt.Sprintf("… (%d bytes)", n)
	}
	return q
}

// shownString is [shown] for a string.
func shownString(s string, max int) string { return shown([]byte(s), max) }

// isLowerHex reports whether s is non-empty lowercase hexadecimal.
func isLowerHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// isHex reports whether s is non-empty hexadecimal of either case.
func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// allZero reports whether hex string s is all zeros.
func allZero(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}

// boolPtr returns a pointer to b, for JSON fields that must show false.
func boolPtr(b bool) *bool { return &b }
