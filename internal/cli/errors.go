package cli

import (
	"errors"
	"fmt"
	"strings"
)

// Exit codes of the command.
const (
	exitOK      = 0 // success
	exitRuntime = 1 // broker, topic, group, Jaeger or trace not reachable or not found
	exitUsage   = 2 // bad flags or arguments
)

// exitError is an error with the exit code it ends the command with.
type exitError struct {
	code int
	msg  string
}

// Error returns the message, without the exit code.
func (e *exitError) Error() string { return e.msg }

// usageError is a bad flag or argument: exit code 2.
func usageError(format string, a ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, a...)}
}

// runtimeError is a failure of the operation itself: exit code 1.
func runtimeError(format string, a ...any) error {
	return &exitError{code: exitRuntime, msg: fmt.Sprintf(format, a...)}
}

// exitCode is the exit code err ends the command with.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return exitRuntime
}

// oneLine flattens s to a single line, so that every error is one line on
// stderr whatever the broker or Jaeger put in it.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 512 {
		s = s[:512] + "…"
	}
	return s
}
