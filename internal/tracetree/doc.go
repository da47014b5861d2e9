// Package tracetree prints one trace as a waterfall tree: a header line,
// then one line a span with its service, its name indented under its
// parent, a bar placed on the trace's timeline, its duration and the
// details a reader of a Kafka trace wants (partition, offset, group, time
// in queue, links, errors).
//
// It is the one renderer shared by the demo (examples/pipeline), which
// feeds it the SDK's spans, and the kafkatrace command, which feeds it
// spans fetched from Jaeger; both convert their spans to [Span] first.
//
// Output fits the terminal it is printed to: every line is at most
// [Options.Width] columns. When space is short the renderer shortens the
// service and name columns (with an ellipsis) and the bar, and drops
// details, rather than letting a line wrap. Text that comes from other
// services (names, attribute values, status messages) is cleaned first:
// control characters and Unicode format characters (bidirectional
// overrides, zero-width characters) are removed, tabs and line breaks
// become spaces and invalid UTF-8 becomes U+FFFD, so a hostile name can
// neither move the cursor nor change the terminal's colours.
//
// Column widths follow the terminal convention (wcwidth): East Asian wide
// and fullwidth characters and most emoji count two columns, combining
// marks none, every other character one. Characters of ambiguous width
// (box drawing, the ellipsis) count one, as terminals outside CJK locales
// show them.
package tracetree
