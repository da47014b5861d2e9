package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/kafkatrace/kafkatrace/internal/jaegerquery"
	"github.com/kafkatrace/kafkatrace/internal/tracetree"
)

const traceUsage = `Usage: kafkatrace trace (TRACE_ID | -t TOPIC -p PARTITION -o OFFSET) [flags]

Fetches a trace from Jaeger's query API and prints it as a waterfall tree,
fitted to the terminal's width; --json prints the trace as Jaeger sent it,
on one line. With -t/-p/-o, the trace ID is taken from that message's
traceparent (or its uber-trace-id or b3 headers).

Flags:
      --jaeger URL             Jaeger query URL, the one its UI is at
                               (default $JAEGER_QUERY_URL)
  -t, --topic TOPIC            topic of the message
  -p, --partition N            its partition
  -o, --offset OFFSET          its offset
      --width N                columns to fit the tree in (default: the
                               terminal's, else 80)
` + commonUsage

// traceFlags are trace's own flags.
type traceFlags struct {
	common
	jaeger    string
	topic     string
	partition int
	offset    int64
	width     int
}

func runTrace(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f traceFlags
	fs := newFlagSet("trace", traceUsage, stdout)
	f.register(fs)
	fs.StringVar(&f.jaeger, "jaeger", strings.TrimSpace(os.Getenv("JAEGER_QUERY_URL")), "")
	fs.StringVar(&f.topic, "t", "", "")
	fs.StringVar(&f.topic, "topic", "", "")
	fs.IntVar(&f.partition, "p", -1, "")
	fs.IntVar(&f.partition, "partition", -1, "")
	fs.Int64Var(&f.offset, "o", -1, "")
	fs.Int64Var(&f.offset, "offset", -1, "")
	fs.IntVar(&f.width, "width", 0, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := f.check(pos); err != nil {
		return err
	}
	id := ""
	var sampled *bool // the message's sampling flag, when known
	if len(pos) == 1 {
		if id, err = jaegerquery.NormalizeTraceID(pos[0]); err != nil {
			return usageError("%v", err)
		}
	} else if id, sampled, err = f.fromMessage(ctx, stderr); err != nil {
		return err
	}

	jc := &jaegerquery.Client{BaseURL: f.jaeger, HTTP: &http.Client{Timeout: f.timeout}}
	defer jc.HTTP.CloseIdleConnections()
	qctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	spans, raw, err := jc.Trace(qctx, id)
	switch {
	case errors.Is(err, jaegerquery.ErrNotFound):
		return notFound(id, jc, sampled)
	case err != nil:
		return runtimeError("%v", err)
	}
	if f.json {
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return runtimeError("trace %s from Jaeger is not valid JSON: %v", id, err)
		}
		b.WriteByte('\n')
		_, _ = stdout.Write(b.Bytes())
		return nil
	}
	width := f.width
	if width <= 0 {
		if file, ok := stdout.(*os.File); ok {
			width = tracetree.Width(file)
		}
	}
	tracetree.Render(stdout, spans, tracetree.Options{Width: width, Link: jc.URL(id)})
	return nil
}

// check validates trace's flags and arguments.
func (f *traceFlags) check(pos []string) error {
	if err := f.common.check(); err != nil {
		return err
	}
	byMessage := f.topic != "" || f.partition >= 0 || f.offset >= 0
	switch {
	case len(pos) > 1:
		return usageError("one trace ID at most, got %d arguments (see kafkatrace trace --help)", len(pos))
	case len(pos) == 1 && byMessage:
		return usageError("give a trace ID or -t/-p/-o, not both")
	case len(pos) == 0 && !byMessage:
		return usageError("give a trace ID, or a message with -t TOPIC -p PARTITION -o OFFSET (see kafkatrace trace --help)")
	case byMessage && (f.topic == "" || f.partition < 0 || f.offset < 0):
		return usageError("a message is -t TOPIC -p PARTITION -o OFFSET, all three")
	case f.jaeger == "":
		return usageError("no Jaeger: set --jaeger URL or JAEGER_QUERY_URL")
	case badJaegerURL(f.jaeger) != nil:
		return badJaegerURL(f.jaeger)
	case f.width < 0:
		return usageError("--width must be positive")
	}
	if byMessage {
		return f.requireBootstrap()
	}
	return nil
}

// fromMessage reads the message at -t/-p/-o and returns its trace ID and,
// when its traceparent says, whether it was sampled.
func (f *traceFlags) fromMessage(ctx context.Context, stderr io.Writer) (string, *bool, error) {
	cl, err := f.connect(stderr)
	if err != nil {
		return "", nil, err
	}
	defer cl.Close()
	m, err := cl.readAt(ctx, f.topic, int32(f.partition), f.offset)
	if err != nil {
		return "", nil, err
	}
	tc, _, _ := decodeHeaders(m.Headers, false)
	if tc.TraceID == "" {
		why := "no traceparent, uber-trace-id or b3 header"
		if !tc.empty() {
			why = "its trace headers are invalid or carry no trace ID; see kafkatrace inspect"
		}
		return "", nil, runtimeError("message %s [%d] @ %d has no trace context (%s)", f.topic, f.partition, f.offset, why)
	}
	var sampled *bool
	if tc.TraceParent != nil && tc.TraceIDFrom == "traceparent" {
		sampled = tc.TraceParent.Sampled
	}
	return tc.TraceID, sampled, nil
}

// notFound is the error of a trace Jaeger does not have, with the likely
// reasons.
func notFound(id string, jc *jaegerquery.Client, sampled *bool) error {
	base := strings.TrimSuffix(jc.URL(id), "/trace/"+id)
	if sampled != nil && !*sampled {
		return runtimeError("trace %s not found in Jaeger at %s: the message is unsampled (sampled=0 in its traceparent), so its trace was not exported", id, base)
	}
	return runtimeError("trace %s not found in Jaeger at %s: the message may be unsampled (sampled=0 in its traceparent), "+
		"still in the exporter's batch (wait a few seconds), or exported to another Jaeger", id, base)
}

// badJaegerURL is the usage error of a --jaeger (or JAEGER_QUERY_URL) that
// is not an http or https URL with a host, nil for a good one or none.
func badJaegerURL(u string) error {
	if u == "" {
		return nil
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return usageError("--jaeger %q: want Jaeger's query URL, such as http://localhost:16686", u)
	}
	return nil
}
