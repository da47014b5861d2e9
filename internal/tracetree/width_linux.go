//go:build linux

package tracetree

import (
	"os"
	"syscall"
	"unsafe"
)

// terminalWidth asks the terminal f for its size (TIOCGWINSZ); isTerm is
// false when f is not a terminal. cols is 0 when the terminal does not
// know its width.
func terminalWidth(f *os.File) (cols int, isTerm bool) {
	conn, err := f.SyscallConn()
	if err != nil {
		return 0, false
	}
	var ws struct{ Row, Col, Xpixel, Ypixel uint16 }
	var errno syscall.Errno
	if err := conn.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&ws)))
	}); err != nil || errno != 0 {
		return 0, false
	}
	return int(ws.Col), true
}
