package jaegerquery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/kafkatrace/kafkatrace/internal/tracetree"
)

// Client queries one Jaeger.
type Client struct {
	// BaseURL is the query service's address, the one its UI is at, e.g.
	// http://127.0.0.1:16686 (with Jaeger's base path, if it has one). A
	// trailing slash is ignored, and http:// is assumed when no scheme is
	// given.
	BaseURL string
	// HTTP makes the requests; nil means http.DefaultClient, which has no
	// timeout of its own: the context's deadline bounds a request.
	HTTP *http.Client
}

// maxAnswer bounds what is read of an answer; the largest traces Jaeger
// shows are a few MiB.
const maxAnswer = 64 << 20

// Trace fetches one trace: its spans, converted for tracetree, and the raw
// JSON of the trace object (an element of the answer's data array) for
// printing as it came. traceID is 32 hex digits, or 16 (see
// [NormalizeTraceID]). The error is ErrNotFound (wrapped) when Jaeger has no
// such trace; errors are one line, for a person to read.
func (c *Client) Trace(ctx context.Context, traceID string) ([]tracetree.Span, json.RawMessage, error) {
	id, err := NormalizeTraceID(traceID)
	if err != nil {
		return nil, nil, err
	}
	base, err := c.base()
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/traces/"+id, nil)
	if err != nil {
		return nil, nil, newError(err, "invalid Jaeger address %s: %v", quote(c.BaseURL), err)
	}
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, transportError(ctx, base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, nil, transportError(ctx, base, err)
	}
	if len(body) > maxAnswer {
		return nil, nil, newError(nil, "the answer of Jaeger at %s is larger than %d MiB", base, maxAnswer>>20)
	}
	return decode(resp, body, base, id)
}

// decode reads Jaeger's answer to GET /api/traces/{id}.
func decode(resp *http.Response, body []byte, base, id string) ([]tracetree.Span, json.RawMessage, error) {
	var r response
	var traces []json.RawMessage
	jsonErr := json.Unmarshal(body, &r)
	if jsonErr == nil && r.Data == nil && r.Errors == nil {
		jsonErr = errors.New(`no "data" or "errors"`)
	}
	if jsonErr == nil && r.Data != nil && !bytes.Equal(r.Data, []byte("null")) {
		jsonErr = json.Unmarshal(r.Data, &traces)
	}
	if jsonErr != nil {
		return nil, nil, notJaeger(resp, body, base, jsonErr)
	}

	notFound := resp.StatusCode == http.StatusNotFound
	var msgs []string
	for _, e := range r.Errors {
		notFound = notFound || e.Code == http.StatusNotFound
		if e.Msg != "" {
			msgs = append(msgs, e.Msg)
		}
	}
	switch {
	case notFound:
		return nil, nil, newError(ErrNotFound, "trace %s not found in Jaeger at %s", id, base)
	case len(msgs) > 0:
		return nil, nil, newError(nil, "Jaeger at %s: %s (HTTP %d)", base, strings.Join(msgs, "; "), resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, nil, newError(nil, "Jaeger at %s answered %s", base, resp.Status)
	case len(traces) == 0:
		return nil, nil, newError(ErrNotFound, "trace %s not found in Jaeger at %s", id, base)
	}

	// One trace is asked for; take the one with its ID if there are more.
	var tr jTrace
	var raw json.RawMessage
	for i, d := range traces {
		var t jTrace
		if err := json.Unmarshal(d, &t); err != nil {
			return nil, nil, newError(err, "Jaeger at %s sent a trace that cannot be read: %v", base, err)
		}
		if i == 0 || padID(t.TraceID, 32) == id {
			tr, raw = t, d
		}
		if padID(t.TraceID, 32) == id {
			break
		}
	}
	if len(tr.Spans) == 0 {
		return nil, nil, newError(ErrNotFound, "trace %s not found in Jaeger at %s (no spans)", id, base)
	}
	return tr.spans(), raw, nil
}

// notJaeger explains an answer that is not Jaeger's JSON.
func notJaeger(resp *http.Response, body []byte, base string, err error) error {
	what := "an empty answer"
	if len(bytes.TrimSpace(body)) > 0 {
		what = "something that is not Jaeger's JSON"
		if ct, _, perr := mime.ParseMediaType(resp.Header.Get("Content-Type")); perr == nil && ct != "application/json" {
			what = ct + ", not JSON"
		}
	}
	return newError(err, "%s answered %s with %s: is it the address of Jaeger's query service (its UI, port 16686)?",
		base, resp.Status, what)
}

// base returns BaseURL with a scheme and without a trailing slash.
func (c *Client) base() (string, error) {
	s := strings.TrimSpace(c.BaseURL)
	if s == "" {
		return "", errors.New("no Jaeger address")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", fmt.Errorf("invalid Jaeger address %s: want http://host:port", quote(c.BaseURL))
	}
	return strings.TrimRight(s, "/"), nil
}

// URL returns the UI address of a trace: BaseURL + "/trace/" + traceID,
// with the ID normalized when it is valid.
func (c *Client) URL(traceID string) string {
	base, err := c.base()
	if err != nil {
		base = strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
	}
	if id, err := NormalizeTraceID(traceID); err == nil {
		return base + "/trace/" + id
	}
	return base + "/trace/" + url.PathEscape(traceID)
}
