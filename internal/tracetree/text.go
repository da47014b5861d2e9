package tracetree

import (
	"slices"
	"strings"
	"unicode"
)

// maxMarks is how many combining marks in a row clean keeps; more only
// pile up on one character (and in the output's bytes).
const maxMarks = 3

// clean makes s safe to print: control and format characters are removed
// (tabs and line breaks become spaces), invalid UTF-8 becomes U+FFFD and
// runs of combining marks are cut to maxMarks. It stops once the result is
// wider than limit columns, so a huge name costs no more than a short one.
func clean(s string, limit int) string {
	var b strings.Builder
	cols, marks := 0, 0
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			r = ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		}
		// A bad byte comes out of range as utf8.RuneError, which is U+FFFD.
		w := runeWidth(r)
		if w == 0 {
			if marks++; marks > maxMarks {
				continue
			}
		} else {
			marks = 0
		}
		b.WriteRune(r)
		if cols += w; cols > limit {
			break
		}
	}
	return b.String()
}

// width returns the columns s takes in a terminal.
func width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

// truncate returns s cut to at most w columns, ending in "…" when cut.
func truncate(s string, w int) string {
	if width(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	var b strings.Builder
	cols := 0
	for _, r := range s {
		rw := runeWidth(r)
		if cols+rw > w-1 {
			break
		}
		b.WriteRune(r)
		cols += rw
	}
	b.WriteString("…")
	return b.String()
}

// fit returns s cut or padded with spaces to exactly w columns.
func fit(s string, w int) string {
	s = truncate(s, w)
	return s + strings.Repeat(" ", max(w-width(s), 0))
}

// fitRight returns s cut or padded on the left to exactly w columns.
func fitRight(s string, w int) string {
	s = truncate(s, w)
	return strings.Repeat(" ", max(w-width(s), 0)) + s
}

// runeWidth returns the columns r takes: 0 for combining marks, 2 for East
// Asian wide and fullwidth characters and emoji, else 1.
func runeWidth(r rune) int {
	switch {
	case r < 0x300:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me) || (r >= 0x1160 && r <= 0x11FF):
		return 0
	case r < 0x1100:
		return 1
	}
	if _, wide := slices.BinarySearchFunc(wideRanges, r, func(rg [2]rune, r rune) int {
		switch {
		case rg[1] < r:
			return -1
		case rg[0] > r:
			return 1
		}
		return 0
	}); wide {
		return 2
	}
	return 1
}

// wideRanges are the characters terminals show two columns wide: East
// Asian wide and fullwidth (Unicode's EastAsianWidth W and F) and emoji,
// slightly generous where terminals disagree, since counting a character
// too wide only shortens a line.
var wideRanges = [][2]rune{
	{0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23F3},
	{0x23F8, 0x23FA}, {0x25FD, 0x25FE}, {0x2600, 0x27BF}, {0x2B1B, 0x2B1C},
	{0x2B50, 0x2B50}, {0x2B55, 0x2B55}, {0x2E80, 0x303E}, {0x3041, 0x33FF},
	{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA000, 0xA4CF}, {0xA960, 0xA97F},
	{0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19}, {0xFE30, 0xFE6F},
	{0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x16FE0, 0x16FE4}, {0x17000, 0x18CFF},
	{0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E},
	{0x1F191, 0x1F19A}, {0x1F200, 0x1F2FF}, {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF},
	{0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
	{0x30000, 0x3FFFD},
}
