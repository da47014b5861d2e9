package interceptor

import (
	"context"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// route is the producer's one goroutine (besides confluent-kafka-go's own):
// it ends send spans on their delivery reports, gives each report its user's
// Opaque back and passes it on to the user's deliveryChan or Events(), and
// forwards every other event. It ends when the inner producer is closed, and
// then closes Events().
func (p *Producer) route(inner chan kafka.Event) {
	defer close(p.routerDone)
	defer close(p.events)
	for {
		select {
		case ev := <-p.drChan:
			p.report(ev)
			p.reportBurst()
		case ev, ok := <-inner:
			if !ok {
				p.drainReports()
				return
			}
			if s, ok := ev.(*kafka.Stats); ok {
				p.metrics.ObserveStats(s.String())
			}
			p.forward(p.events, ev)
		case r := <-p.lenReq:
			r <- p.count(0)
		}
	}
}

// reportBurst handles the reports already queued behind the one just
// handled, up to burstReports of them, without going back to the select:
// reports arrive in bursts (one per produce request), and a plain
// non-blocking receive costs a fraction of a three-way select. The bound
// keeps Len and the inner events answered promptly.
func (p *Producer) reportBurst() {
	for range burstReports {
		select {
		case ev := <-p.drChan:
			p.report(ev)
		default:
			return
		}
	}
}

// burstReports bounds reportBurst.
const burstReports = 256

// drainReports handles the reports already queued when the inner producer
// closed: those messages were delivered (or failed) and their spans say so.
func (p *Producer) drainReports() {
	for {
		select {
		case ev := <-p.drChan:
			p.report(ev)
		default:
			return
		}
	}
}

func (p *Producer) report(ev kafka.Event) {
	m, ok := ev.(*kafka.Message)
	if !ok {
		p.forward(p.events, ev)
		return
	}
	f, ok := m.Opaque.(*inFlight)
	if !ok {
		// An untraced message produced with no deliveryChan.
		if p.fwdDR {
			p.forward(p.events, m)
		}
		return
	}
	m.Opaque = f.opaque
	if p.pending.remove(f) {
		finishDelivery(f.span, m, &p.reportAttrs)
		if !f.start.IsZero() {
			tp := m.TopicPartition
			p.metrics.Sent(context.Background(), f.topic, tp.Partition, tp.Error, time.Since(f.start))
		}
	}
	switch {
	case f.deliveryChan != nil:
		p.forward(f.deliveryChan, m)
	case p.fwdDR:
		p.forward(p.events, m)
	}
}

// forward sends ev on ch. While blocked (the application is not reading) it
// still answers Len, counting ev, and it gives up once Close has begun, as
// confluent-kafka-go's own poller does.
func (p *Producer) forward(ch chan kafka.Event, ev kafka.Event) {
	select {
	case ch <- ev:
		return
	default:
	}
	for {
		select {
		case ch <- ev:
			return
		case r := <-p.lenReq:
			r <- p.count(1)
		case <-p.closing:
			return
		}
	}
}
