package telemetry

import (
	"context"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/carrier"
)

// foreignHeaders are trace headers as other tracers write them, with the
// context each one carries. The formats come from the specifications: the
// Jaeger client propagation format ({trace-id}:{span-id}:{parent-span-id}:{flags},
// flags bit 1 = sampled) and openzipkin/b3-propagation (single header
// {TraceId}-{SpanId}-{SamplingState}, 64-bit trace IDs padded on the left;
// multi headers X-B3-TraceId, X-B3-SpanId, X-B3-Sampled).
var foreignHeaders = []struct {
	name        string
	propagators string
	headers     []kafka.Header
	traceID     string
	spanID      string
	sampled     bool
}{
	{"jaeger sampled", "jaeger",
		hdrs("uber-trace-id", "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1"),
		"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true},
	{"jaeger not sampled", "jaeger",
		hdrs("uber-trace-id", "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:0"),
		"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", false},
	{"b3 single", "b3",
		hdrs("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"),
		"80f198ee56343ba864fe8b2a57d3eff7", "e457b5a2e4d86bd1", true},
	{"b3 single with parent, 64-bit trace ID, not sampled", "b3",
		hdrs("b3", "a3ce929d0e0e4736-00f067aa0ba902b7-0-05e3ac9a4f6e3b90"),
		"0000000000000000a3ce929d0e0e4736", "00f067aa0ba902b7", false},
	{"b3 multi, lower case", "b3multi",
		hdrs("x-b3-traceid", "463ac35c9f6413ad48485a3953bb6124", "x-b3-spanid", "a2fb4a1d1a96d312", "x-b3-sampled", "1"),
		"463ac35c9f6413ad48485a3953bb6124", "a2fb4a1d1a96d312", true},
	{"b3 multi after tracecontext", "tracecontext,b3multi",
		hdrs("x-b3-traceid", "463ac35c9f6413ad48485a3953bb6124", "x-b3-spanid", "a2fb4a1d1a96d312", "x-b3-sampled", "0"),
		"463ac35c9f6413ad48485a3953bb6124", "a2fb4a1d1a96d312", false},
}

// b3CanonicalCase are B3 multi headers in the casing of the B3
// specification and of Brave and Spring Cloud Sleuth, which write Kafka
// header keys as given.
var b3CanonicalCase = hdrs("X-B3-TraceId", "463ac35c9f6413ad48485a3953bb6124", "X-B3-SpanId", "a2fb4a1d1a96d312", "X-B3-Sampled", "1")

func hdrs(kv ...string) []kafka.Header {
	h := make([]kafka.Header, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, kafka.Header{Key: kv[i], Value: []byte(kv[i+1])})
	}
	return h
}

func extractFrom(headers []kafka.Header, p propagation.TextMapPropagator) trace.SpanContext {
	msg := &kafka.Message{Headers: headers}
	return trace.SpanContextFromContext(carrier.Extract(context.Background(), msg, p))
}

// Through Start, OTEL_PROPAGATORS makes the global propagator, and
// Propagator, continue traces from other tracers' headers exactly.
func TestOTELPropagatorsContinuesForeignTraces(t *testing.T) {
	for _, tt := range foreignHeaders {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("OTEL_PROPAGATORS", tt.propagators)
			start(t, WithConfig(noneConfig()))

			for name, p := range map[string]propagation.TextMapPropagator{
				"global": otel.GetTextMapPropagator(), "Propagator": Propagator(), "Provider": installed(t).Propagator(),
			} {
				sc := extractFrom(tt.headers, p)
				require.True(t, sc.IsValid(), "%s: no span context extracted", name)
				assert.True(t, sc.IsRemote(), name)
				assert.Equal(t, tt.traceID, sc.TraceID().String(), name)
				assert.Equal(t, tt.spanID, sc.SpanID().String(), name)
				assert.Equal(t, tt.sampled, sc.IsSampled(), name)
			}

			// A span started from it joins the trace.
			ctx := carrier.Extract(context.Background(), &kafka.Message{Headers: tt.headers}, otel.GetTextMapPropagator())
			_, span := otel.Tracer("test").Start(ctx, "process")
			span.End()
			assert.Equal(t, tt.traceID, span.SpanContext().TraceID().String())
			assert.Equal(t, tt.sampled, span.SpanContext().IsSampled(), "the parent's decision is respected")
		})
	}
}

// Without OTEL_PROPAGATORS only W3C headers count: the same foreign headers
// give no remote parent, and a span started there begins a new trace.
func TestForeignHeadersIgnoredByDefault(t *testing.T) {
	start(t, WithConfig(noneConfig()))
	for _, tt := range foreignHeaders {
		t.Run(tt.name, func(t *testing.T) {
			for name, p := range map[string]propagation.TextMapPropagator{
				"global": otel.GetTextMapPropagator(), "Propagator": Propagator(),
			} {
				assert.False(t, extractFrom(tt.headers, p).IsValid(), name)
			}
			ctx := carrier.Extract(context.Background(), &kafka.Message{Headers: tt.headers}, otel.GetTextMapPropagator())
			_, span := otel.Tracer("test").Start(ctx, "process")
			span.End()
			assert.True(t, span.SpanContext().IsValid())
			assert.NotEqual(t, tt.traceID, span.SpanContext().TraceID().String(), "a fresh trace ID")
		})
	}
}

// The OpenTelemetry B3 propagator asks for x-b3-traceid and the like, while
// Brave and the B3 specification write X-B3-TraceId: carrier.Get falls back to
// a case-insensitive match, so those headers continue the trace.
func TestB3MultiCanonicalCase(t *testing.T) {
	t.Setenv("OTEL_PROPAGATORS", "b3multi")
	start(t, WithConfig(noneConfig()))
	sc := extractFrom(b3CanonicalCase, otel.GetTextMapPropagator())
	require.True(t, sc.IsValid(), "X-B3-* headers extracted")
	assert.Equal(t, "463ac35c9f6413ad48485a3953bb6124", sc.TraceID().String())
	assert.Equal(t, "a2fb4a1d1a96d312", sc.SpanID().String())
	assert.True(t, sc.IsSampled())
}

func TestPropagatorsKey(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		env    string
		fields []string
	}{
		{"default", "exporter: {type: none}\n", "", []string{"traceparent", "tracestate", "baggage"}},
		{"file", "exporter: {type: none}\npropagators: [b3multi, tracecontext]\n", "",
			[]string{"x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "x-b3-flags", "traceparent", "tracestate"}},
		{"env beats file", "exporter: {type: none}\npropagators: [b3]\n", " jaeger , baggage ", []string{"uber-trace-id", "baggage"}},
		{"none", "exporter: {type: none}\npropagators: [none]\n", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("OTEL_PROPAGATORS", tt.env)
			start(t, WithConfigFile(newConfigFile(t, tt.file)))
			assert.ElementsMatch(t, tt.fields, otel.GetTextMapPropagator().Fields())
			assert.ElementsMatch(t, tt.fields, installed(t).Propagator().Fields())
		})
	}
}

func TestPropagatorErrorsNameTheKeyOrVariable(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  string
		want []string
	}{
		{"unknown in env", "", "tracecontext,zipkin,w3c",
			[]string{`OTEL_PROPAGATORS: unknown propagator "zipkin" (want tracecontext, baggage, b3, b3multi, jaeger, xray, ottrace or none)`, `OTEL_PROPAGATORS: unknown propagator "w3c"`}},
		{"none combined in env", "", "none,b3", []string{`OTEL_PROPAGATORS: "none" cannot be combined`}},
		{"only commas in env", "", ",", []string{"OTEL_PROPAGATORS: no propagator named"}},
		{"unknown in file", "propagators: [tracecontext, B3]\n", "", []string{`propagators[1]: unknown propagator "B3"`}},
		{"empty in file", "propagators: []\n", "", []string{"propagators: no propagator named; write none to propagate nothing"}},
		{"not a list", "propagators: b3\n", "", []string{"propagators: line 1: cannot unmarshal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("OTEL_PROPAGATORS", tt.env)
			_, err := Start(context.Background(), WithConfigFile(newConfigFile(t, tt.file)))
			for _, w := range tt.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

// Propagator cannot fail: an invalid OTEL_PROPAGATORS goes to otel.Handle
// and gives the default.
func TestPropagatorReportsABadVariable(t *testing.T) {
	errs := captureErrors(t)
	t.Setenv("OTEL_PROPAGATORS", "zipkin")
	assert.ElementsMatch(t, []string{"traceparent", "tracestate", "baggage"}, Propagator().Fields())
	select {
	case err := <-errs:
		assert.ErrorContains(t, err, `OTEL_PROPAGATORS: unknown propagator "zipkin"`)
	default:
		t.Error("otel.Handle got nothing")
	}
}
