package interceptor_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

func nopHandler(context.Context, *kafka.Message) error { return nil }

// Run's refusals are sentinel errors, and Run refuses to idle silently
// without a subscription or behind one made on the embedded consumer.
func TestRunRefusals(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	bootstrap := mc.BootstrapServers()

	t.Run("nil handler", func(t *testing.T) {
		c := newConsumer(t, bootstrap, uniqueTopic(t), tp, nil)
		defer c.Close()
		assert.ErrorIs(t, c.Run(context.Background(), nil), interceptor.ErrNilHandler)
	})
	t.Run("not subscribed", func(t *testing.T) {
		c := newConsumer(t, bootstrap, uniqueTopic(t), tp, nil)
		defer c.Close()
		err := c.Run(context.Background(), nopHandler)
		require.ErrorIs(t, err, interceptor.ErrNotSubscribed)
		assert.Contains(t, err.Error(), "no subscription and no assignment")
	})
	t.Run("subscribed on the embedded consumer", func(t *testing.T) {
		c := newConsumer(t, bootstrap, uniqueTopic(t), tp, nil)
		defer c.Close()
		require.NoError(t, c.Consumer.Subscribe(topic, nil))
		err := c.Run(context.Background(), nopHandler)
		require.ErrorIs(t, err, interceptor.ErrNotSubscribed)
		assert.Contains(t, err.Error(), "embedded kafka.Consumer")
		assert.Contains(t, err.Error(), "c.Subscribe")
	})
	t.Run("assigned without a group subscription", func(t *testing.T) {
		c := newConsumer(t, bootstrap, uniqueTopic(t), tp, nil)
		defer c.Close()
		require.NoError(t, c.Assign([]kafka.TopicPartition{{Topic: &topic, Partition: 0}}))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		assert.NoError(t, c.Run(ctx, nopHandler), "an assignment is enough")
	})
	t.Run("events channel", func(t *testing.T) {
		c := newConsumer(t, bootstrap, uniqueTopic(t), tp, kafka.ConfigMap{"go.events.channel.enable": true})
		defer c.Close()
		assert.ErrorIs(t, c.Run(context.Background(), nopHandler), interceptor.ErrEventsChannel)
	})
	t.Run("already running", func(t *testing.T) {
		produceN(t, bootstrap, topic, tp, 1, nil)
		c := newConsumer(t, bootstrap, uniqueTopic(t), tp, nil)
		defer c.Close()
		require.NoError(t, c.Subscribe(topic, nil))
		handling, release := make(chan struct{}), make(chan struct{})
		var once sync.Once
		stop := runConsumer(c, func(context.Context, *kafka.Message) error {
			once.Do(func() { close(handling) })
			<-release
			return nil
		})
		select {
		case <-handling: // the first Run is active: its handler runs
		case <-time.After(30 * time.Second):
			t.Fatal("the first Run never handled the message")
		}
		assert.ErrorIs(t, c.Run(context.Background(), nopHandler), interceptor.ErrRunActive)
		close(release)
		require.NoError(t, stop())
	})
	t.Run("closed", func(t *testing.T) {
		c := newConsumer(t, bootstrap, uniqueTopic(t), tp, nil)
		require.NoError(t, c.Subscribe(topic, nil))
		require.NoError(t, c.Close())
		assert.ErrorIs(t, c.Run(context.Background(), nopHandler), interceptor.ErrConsumerClosed)
	})
}

// A Run that has been given no partition for a few seconds says why instead
// of idling silently: here, the topic does not exist.
func TestRunSaysWhyItHasNoPartitions(t *testing.T) {
	mc := mockCluster(t, "", 0)
	tp, _ := recorder()
	missing := uniqueTopic(t)
	got := make(chan error, 4)
	c := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil,
		interceptor.WithEventHandler(func(ev kafka.Event) {
			if err, ok := ev.(*interceptor.AsyncError); ok {
				select {
				case got <- err:
				default:
				}
			}
		}))
	defer c.Close()
	require.NoError(t, c.Subscribe(missing, nil))
	stop := runConsumer(c, nopHandler)
	defer stop()
	select {
	case err := <-got:
		require.ErrorIs(t, err, interceptor.ErrNoAssignment)
		assert.Contains(t, err.Error(), missing)
		assert.Contains(t, err.Error(), "do not exist")
	case <-time.After(30 * time.Second):
		t.Fatal("Run said nothing about having no partitions")
	}
	require.NoError(t, stop())
}
