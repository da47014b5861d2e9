package telemetry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
)

// defaultPrometheusAddress is where the prometheus exporter listens unless
// metrics.prometheus_address says otherwise: the exporter's standard port,
// on the loopback interface only.
const defaultPrometheusAddress = "127.0.0.1:9464"

// prometheusPath is the path the prometheus exporter serves.
const prometheusPath = "/metrics"

// meters is the metric half of a Provider: the SDK's MeterProvider and, for
// the prometheus exporter, the HTTP server the Provider owns.
type meters struct {
	provider *sdkmetric.MeterProvider
	server   *http.Server  // prometheus only
	addr     string        // the address server listens on
	served   chan struct{} // closed when server.Serve has returned
}

// newMeters builds the MeterProvider m describes, with the spans' resource;
// it returns nil for none. Every setting is passed explicitly, as for spans.
func newMeters(ctx context.Context, m Metrics, res *resource.Resource, stdout io.Writer) (*meters, error) {
	mt := &meters{}
	var reader sdkmetric.Reader
	switch m.Exporter {
	case ExporterNone:
		return nil, nil
	case ExporterPrometheus:
		reg := prometheus.NewRegistry()
		exp, err := otelprom.New(otelprom.WithRegisterer(reg))
		if err != nil {
			return nil, err
		}
		if err := mt.serve(m.PrometheusAddress, promhttp.HandlerFor(reg, promhttp.HandlerOpts{})); err != nil {
			return nil, err
		}
		reader = exp
	default:
		exp, err := newMetricExporter(ctx, m, stdout)
		if err != nil {
			return nil, err
		}
		reader = sdkmetric.NewPeriodicReader(explainingExporter{exp, metricExplainer(m)},
			sdkmetric.WithInterval(m.Interval))
	}
	mt.provider = sdkmetric.NewMeterProvider(sdkmetric.WithResource(res), sdkmetric.WithReader(reader))
	return mt, nil
}

// serve listens on addr at once, so that New reports an address in use,
// and serves h at /metrics until shutdown.
func (mt *meters) serve(addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return keyErrorf("metrics.prometheus_address", "%w", err)
	}
	mux := http.NewServeMux()
	mux.Handle(prometheusPath, h)
	mt.addr = ln.Addr().String()
	mt.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	mt.served = make(chan struct{})
	go func() {
		defer close(mt.served)
		if err := mt.server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			otel.Handle(fmt.Errorf("telemetry: metrics.prometheus_address %s: %w", mt.addr, err))
		}
	}()
	return nil
}

// forceFlush exports what the push exporters have not yet exported.
func (mt *meters) forceFlush(ctx context.Context) error {
	if mt == nil {
		return nil
	}
	return mt.provider.ForceFlush(ctx)
}

// shutdown closes the prometheus endpoint, then exports what the push
// exporters have not yet exported and shuts the MeterProvider down, giving
// up when ctx is done.
func (mt *meters) shutdown(ctx context.Context) error {
	if mt == nil {
		return nil
	}
	var errs []error
	if mt.server != nil {
		if err := mt.server.Shutdown(ctx); err != nil {
			errs = append(errs, err)
			_ = mt.server.Close() // drop the scrapes still running
		}
		<-mt.served
	}
	errs = append(errs, mt.provider.Shutdown(ctx))
	return errors.Join(errs...)
}

// newMetricExporter builds the push exporter m names.
func newMetricExporter(ctx context.Context, m Metrics, stdout io.Writer) (sdkmetric.Exporter, error) {
	switch m.Exporter {
	case ExporterStdout:
		if stdout == nil {
			stdout = os.Stdout
		}
		return stdoutmetric.New(stdoutmetric.WithWriter(stdout))
	case ExporterOTLP:
		opts := []otlpmetricgrpc.Option{otlpmetricgrpc.WithTimeout(m.Timeout)}
		if isURL(m.Endpoint) || m.Endpoint == "" {
			opts = append(opts, otlpmetricgrpc.WithEndpointURL(orDefault(m.Endpoint, defaultOTLPEndpoint)))
		} else {
			opts = append(opts, otlpmetricgrpc.WithEndpoint(m.Endpoint))
			if m.Insecure {
				opts = append(opts, otlpmetricgrpc.WithInsecure())
			}
		}
		if len(m.Headers) > 0 {
			opts = append(opts, otlpmetricgrpc.WithHeaders(m.Headers))
		}
		return otlpmetricgrpc.New(ctx, opts...)
	case ExporterOTLPHTTP:
		opts := []otlpmetrichttp.Option{otlpmetrichttp.WithTimeout(m.Timeout)}
		if isURL(m.Endpoint) || m.Endpoint == "" {
			ep := orDefault(m.Endpoint, metricsSignal.defaultEndpoint(m.Exporter))
			opts = append(opts, otlpmetrichttp.WithEndpointURL(withPath(ep, metricsSignal.path())))
		} else {
			opts = append(opts, otlpmetrichttp.WithEndpoint(m.Endpoint))
			if m.Insecure {
				opts = append(opts, otlpmetrichttp.WithInsecure())
			}
		}
		if len(m.Headers) > 0 {
			opts = append(opts, otlpmetrichttp.WithHeaders(m.Headers))
		}
		return otlpmetrichttp.New(ctx, opts...)
	}
	return nil, fmt.Errorf("metrics.exporter: unknown exporter %q", m.Exporter)
}

// explainingExporter explains the failures of a metric exporter that it
// recognises, as countingExporter does for spans.
type explainingExporter struct {
	sdkmetric.Exporter
	x explainer
}

func (e explainingExporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
	return e.x.explain(e.Exporter.Export(ctx, rm))
}

// syncWriter serialises the writes of the span and the metric stdout
// exporters when they share a writer that is not safe for concurrent use.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
