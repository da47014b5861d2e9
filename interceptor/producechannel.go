package interceptor

import (
	"context"
	"sync"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// produceChannel backs the deprecated Producer.ProduceChannel: a channel of
// messages that one goroutine, started on first use and ended by Close,
// produces through the traced path.
type produceChannel struct {
	mu     sync.Mutex
	size   int
	ch     chan *kafka.Message
	done   chan struct{}
	closed bool
}

func (pc *produceChannel) len() int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return len(pc.ch)
}

// stop closes the channel and waits until what was written to it has been
// produced.
func (pc *produceChannel) stop() {
	pc.mu.Lock()
	pc.closed = true
	ch, done := pc.ch, pc.done
	if ch != nil && done != nil {
		close(ch)
	}
	pc.mu.Unlock()
	if done != nil {
		<-done
	}
}

// ProduceChannel returns a channel on which messages can be produced, as
// kafka.Producer.ProduceChannel does; they are traced like Produce(msg, nil).
// A message that cannot be enqueued is reported on Events() with
// TopicPartition.Error set, as confluent-kafka-go does.
//
// Deprecated: as in confluent-kafka-go, use Produce. Flush and Len are not
// guaranteed to be exact with ProduceChannel.
func (p *Producer) ProduceChannel() chan *kafka.Message {
	pc := &p.pc
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.ch != nil {
		return pc.ch
	}
	pc.ch = make(chan *kafka.Message, pc.size)
	if pc.closed {
		close(pc.ch)
		return pc.ch
	}
	pc.done = make(chan struct{})
	go p.pump(pc.ch, pc.done)
	return pc.ch
}

func (p *Producer) pump(ch chan *kafka.Message, done chan struct{}) {
	defer close(done)
	for m := range ch {
		if err := p.produce(context.Background(), m, nil); err != nil && m != nil {
			m.TopicPartition.Error = err
			p.forward(p.events, m)
		}
	}
}
