package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/kafkatrace/kafkatrace/examples/internal/topics"
	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/internal/tracetree"
	"github.com/kafkatrace/kafkatrace/telemetry"
)

// config says where the pipeline runs and how much it sends.
type config struct {
	Messages  int                           // orders to send; 0 sends until ctx is done
	Interval  time.Duration                 // between orders
	Bootstrap string                        // Kafka; "" starts an embedded broker (librdkafka's mock cluster)
	OTLP      bool                          // export through OTLP (endpoint from OTEL_EXPORTER_OTLP_ENDPOINT) besides printing
	JaegerURL string                        // with OTLP, where each trace can be looked at
	Out       io.Writer                     // trace trees
	Width     int                           // columns of Out (tracetree.Options.Width: 0 means 80)
	Progress  io.Writer                     // the progress line (escape codes: a terminal only)
	Log       io.Writer                     // librdkafka's warnings and errors; nil drops them
	Summary   io.Writer                     // the metrics table after the trees; nil prints none
	OnTrace   func([]sdktrace.ReadOnlySpan) // optional: every complete trace, after printing
}

// Topics of the pipeline; one message goes orders → payments → notifications.
var topicNames = []string{"orders", "payments", "notifications"}

// spansPerTrace: place order, send orders, process orders, send payments,
// process payments, send notifications.
const spansPerTrace = 6

// statsInterval is the consumers' statistics.interval.ms and
// auto.commit.interval.ms: librdkafka reports a partition's lag (the
// summary's "max lag") in its statistics, measured against the group's
// committed offset, so a run of a few seconds needs both more often than
// the defaults (no statistics, commits every 5 s). lagWait bounds how long
// the end of a run waits for statistics that show the lag caught up.
const (
	statsInterval = 500 * time.Millisecond
	lagWait       = 3 * time.Second
)

// service is one of the three programs: its TracerProvider and clients.
type service struct {
	name     string
	provider *telemetry.Provider
	producer *interceptor.Producer
	consumer *interceptor.Consumer
}

// run sends cfg.Messages orders through the three services, prints each
// finished trace, and returns how many it printed.
func run(ctx context.Context, cfg config) (printed int, err error) {
	bootstrap := cfg.Bootstrap
	if bootstrap == "" {
		mc, err := newMockCluster()
		if err != nil {
			return 0, fmt.Errorf("embedded broker: %w", err)
		}
		defer mc.Close()
		for _, t := range topicNames {
			if err := mc.CreateTopic(t, 3, 1); err != nil {
				return 0, fmt.Errorf("embedded broker: create %s: %w", t, err)
			}
		}
		bootstrap = mc.BootstrapServers()
	} else if err := topics.Ensure(bootstrap, 3, 10*time.Second, topicNames...); err != nil {
		return 0, err
	}

	// librdkafka's own log lines come through a channel and are shown
	// only when they are warnings or worse.
	logs := make(chan kafka.LogEvent, 256)
	logsDone := make(chan struct{})
	stopLogs := make(chan struct{})
	go func() {
		defer close(logsDone)
		showLogs(logs, stopLogs, cfg.Log)
	}()
	defer func() {
		close(stopLogs)
		<-logsDone
	}()

	// One MeterProvider for the three services, read at the end for the
	// summary (a real service would export it: telemetry's metrics section).
	reader := sdkmetric.NewManualReader()
	meters := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = meters.Shutdown(context.Background()) }()

	lags := &lagWatch{}
	coll := newCollector(spansPerTrace)
	var svcs []*service
	defer func() {
		for _, s := range svcs {
			if cerr := s.close(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("%s: %w", s.name, cerr))
			}
		}
	}()
	for _, name := range topicNames {
		s, err := newService(ctx, name, bootstrap, cfg.OTLP, coll, logs, meters)
		if err != nil {
			return 0, err
		}
		svcs = append(svcs, s)
	}
	orders, payments, notifications := svcs[0], svcs[1], svcs[2]

	runCtx, stopRun := context.WithCancel(ctx)
	var wg sync.WaitGroup
	errs := make(chan error, 3) // one per goroutine that can fail: two Runs and the sender
	consume := func(s *service, topic string, h interceptor.Handler) error {
		if err := s.consumer.Subscribe(topic, nil); err != nil {
			return err
		}
		wg.Go(func() {
			if err := s.consumer.Run(runCtx, h); err != nil {
				errs <- fmt.Errorf("%s: %w", s.name, err)
			}
		})
		return nil
	}
	err = errors.Join(
		consume(payments, "orders", func(ctx context.Context, m *kafka.Message) error {
			time.Sleep(time.Duration(1+rand.IntN(4)) * time.Millisecond) // authorizing the payment
			return send(ctx, payments.producer, "payments", m.Key)
		}),
		consume(notifications, "payments", func(ctx context.Context, m *kafka.Message) error {
			return send(ctx, notifications.producer, "notifications", m.Key)
		}),
	)
	defer func() {
		stopRun()
		wg.Wait()
	}()
	if err != nil {
		return 0, err
	}

	sent := make(chan int, 1)
	wg.Go(func() {
		defer close(sent)
		// Start once both consumers hold partitions, so the first trees
		// come without the group-join delay in them.
		for _, s := range []*service{payments, notifications} {
			for runCtx.Err() == nil {
				if parts, err := s.consumer.Assignment(); err == nil && len(parts) > 0 {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		for i := 1; cfg.Messages == 0 || i <= cfg.Messages; i++ {
			ctx, span := orders.provider.Tracer("orders").Start(runCtx, "place order")
			err := send(ctx, orders.producer, "orders", []byte(fmt.Sprintf("order-%d", i)))
			span.End()
			if err != nil {
				if runCtx.Err() == nil {
					errs <- fmt.Errorf("orders: %w", err)
				}
				return
			}
			sent <- i
			select {
			case <-runCtx.Done():
				return
			case <-time.After(cfg.Interval):
			}
		}
	})

	lastSent := 0
	progress := func() {
		fmt.Fprintf(cfg.Progress, "\r\033[K  orders sent %d · traces complete %d", lastSent, printed)
	}
	for cfg.Messages == 0 || printed < cfg.Messages {
		select {
		case n, ok := <-sent:
			if ok {
				lastSent = n
			} else {
				sent = nil
			}
			progress()
		case spans := <-coll.out:
			fmt.Fprint(cfg.Progress, "\r\033[K")
			link := ""
			if cfg.OTLP {
				link = strings.TrimRight(cfg.JaegerURL, "/") + "/trace/" + spans[0].SpanContext().TraceID().String()
			}
			render(cfg.Out, spans, tracetree.Options{Width: cfg.Width, Link: link})
			if cfg.OnTrace != nil {
				cfg.OnTrace(spans)
			}
			printed++
			progress()
			if cfg.Summary != nil {
				// The reader is in memory: collect even when ctx ends
				// (Ctrl-C, -timeout), which is no failure of the run.
				if _, err := lags.observe(context.WithoutCancel(ctx), reader); err != nil {
					return printed, err
				}
			}
		case err := <-errs:
			return printed, err
		case <-ctx.Done():
			fmt.Fprintln(cfg.Progress)
			return printed, nil
		}
	}
	fmt.Fprintln(cfg.Progress)
	if cfg.Summary != nil {
		// Statistics come through Run: before stopping it, wait (a few
		// statistics intervals at most) until they show every partition
		// caught up, that is what was consumed committed, so the lag column
		// has the run's lag in it rather than "-".
		deadline := time.After(lagWait)
	wait:
		for {
			caughtUp, err := lags.observe(context.WithoutCancel(ctx), reader)
			if err != nil {
				return printed, err
			}
			if caughtUp {
				break
			}
			select {
			case err := <-errs:
				return printed, err
			case <-ctx.Done(): // stop waiting; the summary still shows what was seen
				break wait
			case <-deadline:
				break wait
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	stopRun()
	wg.Wait()
	select { // an error Run returned at shutdown (a failed commit or rewind)
	case err := <-errs:
		return printed, err
	default:
	}
	if cfg.Summary != nil {
		sums, err := summarize(context.WithoutCancel(ctx), reader, lags)
		if err != nil {
			return printed, err
		}
		printSummary(cfg.Summary, sums)
	}
	return printed, nil
}

func newService(ctx context.Context, name, bootstrap string, otlp bool, coll *collector, logs chan kafka.LogEvent,
	meters metric.MeterProvider) (*service, error) {
	tc := telemetry.DefaultConfig()
	tc.Service.Name = name
	tc.Exporter.Type = telemetry.ExporterNone
	if otlp {
		tc.Exporter.Type = telemetry.ExporterOTLP
		tc.Batch.ScheduleDelay = 200 * time.Millisecond
	}
	p, err := telemetry.New(ctx, telemetry.WithConfig(tc))
	if err != nil {
		return nil, err
	}
	p.RegisterSpanProcessor(coll)
	s := &service{name: name, provider: p}
	opts := []interceptor.Option{
		interceptor.WithTracerProvider(p),
		interceptor.WithPropagators(p.Propagator()),
		interceptor.WithTopicPolicy(p.Sampler()),
		interceptor.WithMeterProvider(meters),
	}
	if s.producer, err = interceptor.NewProducer(&kafka.ConfigMap{
		"bootstrap.servers": bootstrap, "linger.ms": 1, "client.id": name,
		"go.logs.channel.enable": true, "go.logs.channel": logs,
	}, opts...); err != nil {
		s.close()
		return nil, err
	}
	if s.consumer, err = interceptor.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers": bootstrap, "group.id": name, "client.id": name,
		"auto.offset.reset": "earliest", "session.timeout.ms": 6000,
		"fetch.wait.max.ms":       10, // the embedded broker answers fetches only after this wait
		"statistics.interval.ms":  int(statsInterval.Milliseconds()),
		"auto.commit.interval.ms": int(statsInterval.Milliseconds()),
		"go.logs.channel.enable":  true,
		"go.logs.channel":         logs,
	}, opts...); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// close closes the service's clients and provider; it returns the
// provider's error when spans could not be exported.
func (s *service) close() error {
	if s.consumer != nil {
		_ = s.consumer.Close()
	}
	if s.producer != nil {
		s.producer.Flush(5000)
		s.producer.Close()
	}
	// Longer than the export timeout, so a failing export says why.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return s.provider.Shutdown(ctx)
}

// showLogs prints librdkafka's warnings and errors from logs to w, dropping
// its informational lines, until stop is closed.
func showLogs(logs <-chan kafka.LogEvent, stop <-chan struct{}, w io.Writer) {
	for {
		select {
		case l := <-logs:
			if l.Level <= 4 && w != nil { // syslog levels: 4 is warning
				fmt.Fprintf(w, "librdkafka %s %s: %s\n", l.Name, l.Tag, l.Message)
			}
		case <-stop:
			return
		}
	}
}

// send produces one message with ctx's span as parent and waits for the
// broker's acknowledgement.
func send(ctx context.Context, p *interceptor.Producer, topic string, key []byte) error {
	dc := make(chan kafka.Event, 1)
	msg := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}, Key: key, Value: []byte("{}")}
	if err := p.ProduceContext(ctx, msg, dc); err != nil {
		return err
	}
	select {
	case ev := <-dc:
		return ev.(*kafka.Message).TopicPartition.Error
	case <-ctx.Done():
		return ctx.Err()
	}
}
