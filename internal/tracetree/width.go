package tracetree

import (
	"os"
	"strconv"
	"strings"
)

// Width returns the columns of the terminal f is, or 0 when f is not a
// terminal (a file, a pipe) and the width is unknown; pass it to
// [Options.Width], where 0 means 80.
//
// For a terminal it asks the terminal (an ioctl, on Linux), falling back
// to the COLUMNS environment variable when the terminal does not say. For
// anything else it is COLUMNS when set (COLUMNS=200 kafkatrace … | less -S),
// else 0.
func Width(f *os.File) int {
	if f == nil {
		return 0
	}
	if cols, isTerm := terminalWidth(f); isTerm && cols > 0 {
		return cols
	}
	if cols, err := strconv.Atoi(strings.TrimSpace(os.Getenv("COLUMNS"))); err == nil && cols > 0 {
		return cols
	}
	return 0
}
