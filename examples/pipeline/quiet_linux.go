//go:build linux

package main

import (
	"os"
	"syscall"
)

// quietStderr points file descriptor 2 at /dev/null until the returned
// function restores it. On any error it leaves stderr alone.
func quietStderr() (restore func()) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return func() {}
	}
	defer null.Close()
	saved, err := syscall.Dup(2)
	if err != nil {
		return func() {}
	}
	if err := syscall.Dup3(int(null.Fd()), 2, 0); err != nil {
		syscall.Close(saved)
		return func() {}
	}
	return func() {
		_ = syscall.Dup3(saved, 2, 0)
		syscall.Close(saved)
	}
}
