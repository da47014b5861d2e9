//go:build !linux

package tracetree

import "os"

// terminalWidth reports whether f is a terminal (a character device); the
// width is not asked for outside Linux, so cols is 0 and Width falls back
// to COLUMNS.
func terminalWidth(f *os.File) (cols int, isTerm bool) {
	fi, err := f.Stat()
	return 0, err == nil && fi.Mode()&os.ModeCharDevice != 0
}
