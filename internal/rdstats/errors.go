package rdstats

import (
	"fmt"
	"strconv"
	"strings"
)

// typeError describes a used field whose value has the wrong type or does
// not fit: what the field wanted and what the document had there.
func (d *decoder) typeError(key []byte, want string) error {
	have := "invalid JSON"
	if end := d.valueEnd(); end > d.pos {
		have = string(d.data[d.pos:end])
		if len(have) > 32 {
			have = have[:29] + "..."
		}
		have = strings.ToValidUTF8(have, "\uFFFD")
	}
	return fmt.Errorf("rdstats: field %s at offset %d: want %s, have %s",
		strconv.Quote(string(key)), d.pos, want, have)
}

// valueEnd returns where the value at pos ends, or pos when it is not
// valid JSON; it leaves pos alone.
func (d *decoder) valueEnd() int {
	saved, depth := d.pos, d.depth
	defer func() { d.pos, d.depth = saved, depth }()
	if d.skip() != nil {
		return saved
	}
	return d.pos
}
