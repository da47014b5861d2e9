package kmetrics

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sc "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/kafkatrace/kafkatrace/internal/rdstats"
)

// Names of the gauges published from librdkafka statistics
// (statistics.interval.ms). RecordsLagName is OpenTelemetry Java's name for
// the Kafka client's per-partition lag; the others have no Java equivalent
// for the same quantity and carry the kafkatrace prefix.
const (
	RecordsLagName       = "kafka.consumer.records_lag"
	QueueMessagesName    = "kafkatrace.producer.queue.messages"
	RequestsInFlightName = "kafkatrace.client.requests.in_flight"
	BrokerRTTName        = "kafkatrace.client.broker.rtt"
)

// statsGauges publish the newest statistics document at each collection.
type statsGauges struct {
	once   sync.Once
	last   atomic.Pointer[rdstats.Stats]
	mu     sync.Mutex
	reg    metric.Registration
	closed bool
}

// ObserveStats parses a librdkafka statistics document (a *kafka.Stats
// event's text) and publishes it through the statistics gauges. A document
// that does not parse is reported through otel.Handle and changes nothing.
func (c *Client) ObserveStats(doc string) {
	if c == nil || c.meter == nil {
		return
	}
	s, err := rdstats.Parse([]byte(doc))
	if err != nil {
		otel.Handle(fmt.Errorf("kafkatrace: librdkafka statistics: %w", err))
		return
	}
	c.stats.last.Store(s)
	c.stats.once.Do(c.registerStats)
}

func (c *Client) registerStats() {
	m := c.meter
	lag, err1 := m.Int64ObservableGauge(RecordsLagName, metric.WithUnit("{message}"),
		metric.WithDescription("Messages between a partition's consumer position and its high watermark (librdkafka consumer_lag)."))
	queue, err2 := m.Int64ObservableGauge(QueueMessagesName, metric.WithUnit("{message}"),
		metric.WithDescription("Messages in the producer's queues, waiting to be sent or for their delivery report (librdkafka msg_cnt)."))
	inFlight, err3 := m.Int64ObservableGauge(RequestsInFlightName, metric.WithUnit("{request}"),
		metric.WithDescription("Requests sent to a broker and awaiting its response (librdkafka waitresp_cnt)."))
	rtt, err4 := m.Float64ObservableGauge(BrokerRTTName, metric.WithUnit("s"),
		metric.WithDescription("Mean round-trip time to a broker over the last statistics interval (librdkafka rtt.avg)."))
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			otel.Handle(err)
			return
		}
	}
	clientSet := c.sets.client
	reg, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := c.stats.last.Load()
		if s == nil {
			return nil
		}
		if s.Type == "producer" {
			o.ObserveInt64(queue, s.MsgCnt, metric.WithAttributeSet(clientSet))
		}
		for topic, p := range s.Partitions() {
			if v, ok := p.Lag(); ok && s.Type == "consumer" {
				o.ObserveInt64(lag, v, metric.WithAttributeSet(c.sets.get(key{topic: topic, partition: p.ID}).Set))
			}
		}
		for b := range s.RealBrokers() {
			set := c.brokerSet(b.Name)
			o.ObserveInt64(inFlight, b.WaitrespCnt, metric.WithAttributeSet(set))
			if b.RTT.Avg > 0 {
				o.ObserveFloat64(rtt, float64(b.RTT.Avg)/1e6, metric.WithAttributeSet(set))
			}
		}
		return nil
	}, lag, queue, inFlight, rtt)
	if err != nil {
		otel.Handle(err)
		return
	}
	c.stats.mu.Lock()
	defer c.stats.mu.Unlock()
	if c.stats.closed {
		c.unregister(reg)
		return
	}
	c.stats.reg = reg
}

func (c *Client) unregister(r metric.Registration) {
	if err := r.Unregister(); err != nil {
		otel.Handle(err)
	}
}

// brokerSet is the attribute set of a broker named "host:port/id".
func (c *Client) brokerSet(name string) attribute.Set {
	hostPort, _, _ := strings.Cut(name, "/")
	kv := append(make([]attribute.KeyValue, 0, len(c.sets.base)+2), c.sets.base...)
	if host, port, err := net.SplitHostPort(hostPort); err == nil {
		kv = append(kv, sc.ServerAddress(host))
		if n, err := strconv.Atoi(port); err == nil {
			kv = append(kv, sc.ServerPort(n))
		}
	}
	return attribute.NewSet(kv...)
}

// Close stops publishing statistics; the client's other instruments need
// no closing.
func (c *Client) Close() {
	if c == nil {
		return
	}
	c.stats.mu.Lock()
	defer c.stats.mu.Unlock()
	c.stats.closed = true
	if c.stats.reg != nil {
		c.unregister(c.stats.reg)
		c.stats.reg = nil
	}
}
