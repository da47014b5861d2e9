package interceptor

import (
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// autoStoreInterval is how often the emulated auto offset store hands the
// offsets of returned messages to librdkafka.
const autoStoreInterval = 10 * time.Millisecond

// autoStore emulates librdkafka's enable.auto.offset.store for the drop-in
// Poll, ReadMessage and Events when NewConsumer had to turn it off for Run:
// the offset after each returned message is noted, and handed to
// librdkafka's offset store at most every autoStoreInterval and before
// every Commit, rebalance and Close, so auto-commit and Commit see what they
// would have seen. Stores happen under the lock, so they are never
// reordered.
type autoStore struct {
	mu      sync.Mutex
	pending map[storeKey]kafka.Offset
	last    time.Time
}

type storeKey struct {
	topic     string
	partition int32
}

// note records m as returned to the application.
func (a *autoStore) note(c *kafka.Consumer, m *kafka.Message, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pending == nil {
		a.pending = map[storeKey]kafka.Offset{}
	}
	a.pending[storeKey{*m.TopicPartition.Topic, m.TopicPartition.Partition}] = m.TopicPartition.Offset + 1
	if now.Sub(a.last) >= autoStoreInterval {
		a.last = now
		a.storeLocked(c)
	}
}

// tick stores what is pending if autoStoreInterval has passed since the
// last store: called on every Poll that returns no message, so the offset of
// the last message returned before a quiet spell is stored too, as
// librdkafka would have stored it, and auto-commit sends it.
func (a *autoStore) tick(c *kafka.Consumer, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.pending) > 0 && now.Sub(a.last) >= autoStoreInterval {
		a.last = now
		a.storeLocked(c)
	}
}

// flush stores what is pending now.
func (a *autoStore) flush(c *kafka.Consumer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.storeLocked(c)
}

func (a *autoStore) storeLocked(c *kafka.Consumer) {
	if len(a.pending) == 0 {
		return
	}
	offs := make([]kafka.TopicPartition, 0, len(a.pending))
	for k, o := range a.pending {
		topic := k.topic
		offs = append(offs, kafka.TopicPartition{Topic: &topic, Partition: k.partition, Offset: o})
	}
	clear(a.pending)
	// Best effort, as librdkafka's own auto store: a partition that is no
	// longer assigned (ErrState) has nothing to store.
	_, _ = c.StoreOffsets(offs)
}

// Commit commits the stored offsets of the assigned partitions, as
// kafka.Consumer.Commit does, after storing the offsets of the messages the
// drop-in Poll returned.
func (c *Consumer) Commit() ([]kafka.TopicPartition, error) {
	if c.autoStore {
		c.stores.flush(c.Consumer)
	}
	return c.Consumer.Commit()
}
