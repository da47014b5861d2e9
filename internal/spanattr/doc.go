// Package spanattr builds the attributes and span names of kafkatrace's spans
// on the hot path: client-wide attributes computed once per client, per-message
// ones appended to a caller-supplied slice (a stack buffer), span names cached
// per topic. It follows the conventions that package semconv names.
//
// Everything here is nil-safe: a nil topic or key never panics and never
// prints a pointer. The message key is recorded only when the caller opts in
// and only when it is valid UTF-8; the body is never recorded, only its size,
// and only when opted in.
package spanattr
