// Package jaegerquery is a small client of Jaeger's HTTP query API (the
// one its UI uses, port 16686): it fetches one trace by ID with
// GET /api/traces/{traceID} and converts it to [tracetree.Span] values for
// printing, keeping the trace's JSON as Jaeger sent it.
//
// Jaeger's mapping of OpenTelemetry spans is undone on the way: the
// span.kind tag becomes the kind, otel.status_code=ERROR (or error=true)
// and otel.status_description the error, the CHILD_OF reference the parent
// and FOLLOWS_FROM references (Jaeger's form of span links) the links.
//
// Errors are one line, name the Jaeger address, and say what went wrong in
// the reader's terms: Jaeger not running or unreachable, no answer within
// the context's deadline, an answer that is not Jaeger's JSON (the address
// points at something else), Jaeger's own error messages, or no such trace
// ([ErrNotFound]).
package jaegerquery
