package telemetry

import (
	"context"
	"os"
	"path/filepath"
	"sort"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// newResource describes the service from s alone: applyEnv has already
// folded OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES into it.
func newResource(ctx context.Context, s Service) (*resource.Resource, error) {
	keys := make([]string, 0, len(s.Attributes))
	for k := range s.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	attrs := make([]attribute.KeyValue, 0, len(keys)+1)
	for _, k := range keys {
		attrs = append(attrs, attribute.String(k, s.Attributes[k]))
	}
	name := s.Name
	if name == "" {
		name = s.Attributes[string(semconv.ServiceNameKey)]
	}
	if name == "" {
		name = "unknown_service:" + filepath.Base(os.Args[0])
	}
	attrs = append(attrs, semconv.ServiceName(name)) // last wins
	return resource.New(ctx, resource.WithTelemetrySDK(), resource.WithAttributes(attrs...))
}
