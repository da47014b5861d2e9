package jaegerquery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"unicode"
)

// ErrNotFound is returned (wrapped) when Jaeger has no trace with the ID
// asked for: it answered 404, or an empty list of traces.
var ErrNotFound = errors.New("trace not found")

// queryError is a one-line message for the reader that still unwraps to
// its cause (ErrNotFound, context.DeadlineExceeded, syscall.ECONNREFUSED…).
type queryError struct {
	msg string
	err error
}

func (e *queryError) Error() string { return e.msg }
func (e *queryError) Unwrap() error { return e.err }

func newError(cause error, format string, args ...any) error {
	return &queryError{msg: oneLine(fmt.Sprintf(format, args...), 400), err: cause}
}

// transportError explains a failed request to base, made with ctx.
func transportError(ctx context.Context, base string, err error) error {
	var dns *net.DNSError
	var op *net.OpError
	var ue *url.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		if cause := context.Cause(ctx); cause != context.DeadlineExceeded {
			return newError(err, "no answer from Jaeger at %s in time: %v", base, cause)
		}
		return newError(err, "no answer from Jaeger at %s in time", base)
	case ctx.Err() != nil:
		return newError(err, "asking Jaeger at %s: %v", base, context.Cause(ctx))
	case errors.Is(err, syscall.ECONNREFUSED):
		return newError(err, "cannot connect to Jaeger at %s: connection refused (is Jaeger running there?)", base)
	case errors.As(err, &dns):
		return newError(err, "cannot connect to Jaeger at %s: cannot resolve %s: %s", base, dns.Name, dns.Err)
	case errors.As(err, &ue) && ue.Timeout():
		return newError(err, "no answer from Jaeger at %s in time", base)
	case errors.As(err, &op):
		return newError(err, "cannot connect to Jaeger at %s: %v", base, op.Err)
	case errors.As(err, &ue):
		return newError(err, "asking Jaeger at %s: %v", base, ue.Err)
	}
	return newError(err, "asking Jaeger at %s: %v", base, err)
}

// oneLine returns s with control characters replaced by spaces, runs of
// spaces collapsed, and cut to at most limit characters.
func oneLine(s string, limit int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
	}), " ")
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit-1]) + "…"
	}
	return s
}

// quote returns s quoted for an error message, cut to a readable length.
func quote(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}
