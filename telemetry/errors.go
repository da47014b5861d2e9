package telemetry

import (
	"fmt"
	"strings"
)

// keyError is one problem with one configuration key, such as
// sampling.rules[1].ratio, or with one environment variable.
type keyError struct {
	key string
	err error
}

func (e *keyError) Error() string { return e.key + ": " + e.err.Error() }
func (e *keyError) Unwrap() error { return e.err }

// keyErrorf returns a keyError for key; format may use %w.
func keyErrorf(key, format string, args ...any) error {
	return &keyError{key: key, err: fmt.Errorf(format, args...)}
}

// flatten lists the errors an [errors.Join] tree holds, depth first.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, flatten(e)...)
	}
	return out
}

// withoutKeysOf drops from errs the problems with a key that reported
// already names, or lies under: a value that could not be decoded keeps
// its default, which says nothing about what the file meant.
func withoutKeysOf(reported error, errs []error) []error {
	var keys []string
	for _, e := range flatten(reported) {
		if ke, ok := e.(*keyError); ok {
			keys = append(keys, ke.key)
		}
	}
	out := errs[:0:0]
	for _, e := range errs {
		if ke, ok := e.(*keyError); !ok || !under(ke.key, keys) {
			out = append(out, e)
		}
	}
	return out
}

// under reports whether key is one of keys or a key inside one of them.
func under(key string, keys []string) bool {
	for _, k := range keys {
		if key == k || strings.HasPrefix(key, k+".") || strings.HasPrefix(key, k+"[") {
			return true
		}
	}
	return false
}
