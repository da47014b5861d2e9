package carrier

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// Each kind of oversize header is reported once per process through
// otel.Handle, however often it arrives. (In package carrier so that it can
// reset the once-per-process state; the other carrier tests are in the
// module under test/.)
func TestOversizeReportedOnce(t *testing.T) {
	var mu sync.Mutex
	var errs []error
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}))
	t.Cleanup(func() { otel.SetErrorHandler(prev) })
	tracestateOnce, baggageOnce = sync.Once{}, sync.Once{}

	members := make([]string, 40)
	for i := range members {
		members[i] = fmt.Sprintf("v%d=x", i)
	}
	w3c := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	bigTS := &kafka.Message{Headers: []kafka.Header{
		{Key: "traceparent", Value: []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")},
		{Key: "tracestate", Value: []byte(strings.Join(members, ","))},
	}}
	bigBg := &kafka.Message{Headers: []kafka.Header{{Key: "baggage", Value: []byte("k=" + strings.Repeat("v", 9000))}}}
	for range 100 {
		Extract(context.Background(), bigTS, w3c)
		Extract(context.Background(), bigBg, w3c)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(errs) != 2 {
		t.Fatalf("got %d reports, want one per kind: %v", len(errs), errs)
	}
	if !strings.Contains(errs[0].Error(), "tracestate header of") || !strings.Contains(errs[1].Error(), "baggage header of 9002 bytes") {
		t.Errorf("unexpected reports: %v", errs)
	}
}
