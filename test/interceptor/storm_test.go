package interceptor_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// A rebalance storm under each protocol: while a producer keeps writing,
// consumers join and leave the group over and over, each leaving with slow
// handlers still running (they overstay the revoke timeout and are
// cancelled). No message is lost; the only messages handled twice are ones
// whose handling had not finished; committed offsets never pass unfinished
// work; every span ends and every Close returns within a bound.
//
// The batch variants run RunBatch with enable.auto.commit=false, so the
// commits are Run's own, on a 50ms cadence, while the group rebalances.
func TestRebalanceStorm(t *testing.T) {
	type variant struct{ strategy, mode string }
	for _, v := range []variant{{"range", "run"}, {"cooperative-sticky", "run"}, {"range", "batch"}, {"cooperative-sticky", "batch"}} {
		strategy, batch := v.strategy, v.mode == "batch"
		t.Run(v.strategy+"/"+v.mode, func(t *testing.T) {
			a := account(t)
			const partitions, cycles = 6, 15
			topic := dlName("storm")
			bootstrap := kfakeBroker(t, partitions) // see kfakeBroker: the mock refuses commits while rebalancing
			tp, _ := recorder(a.option())
			group := dlName("group")
			extra := kafka.ConfigMap{"partition.assignment.strategy": strategy}
			if batch {
				extra["enable.auto.commit"] = false
			}

			var mu sync.Mutex
			finished := map[pos]int{} // successful handler returns
			handled := map[pos]int{}  // handler calls
			var violations []string
			eventErrs := map[string]int{}
			// handle works on msgs (one for Run, a batch for RunBatch) and
			// counts them finished only if it returns nil.
			handle := func(ctx context.Context, msgs []*kafka.Message) error {
				work := time.Duration(0)
				mu.Lock()
				for _, m := range msgs {
					k := posOf(m)
					handled[k]++
					if finished[k] > 0 {
						violations = append(violations, fmt.Sprintf("p%d@%d handled again after it had finished", k.p, k.o))
					}
					work += time.Duration(rand.IntN(2000)) * time.Microsecond / time.Duration(len(msgs))
					if k.o%25 == 0 {
						work = 300 * time.Millisecond // overstays the revoke timeout
					}
				}
				mu.Unlock()
				select {
				case <-time.After(work):
				case <-ctx.Done():
					return ctx.Err()
				}
				mu.Lock()
				for _, m := range msgs {
					finished[posOf(m)]++
				}
				mu.Unlock()
				return nil
			}
			progress := func() int {
				mu.Lock()
				defer mu.Unlock()
				return len(finished)
			}
			checkCommitted := func() {
				for p := int32(0); p < partitions; p++ {
					c := committed(t, bootstrap, group, topic, p)
					mu.Lock()
					for o := kafka.Offset(0); o < c; o++ {
						if finished[pos{p, o}] == 0 {
							violations = append(violations, fmt.Sprintf("p%d committed at %d but %d unfinished", p, c, o))
							break
						}
					}
					mu.Unlock()
				}
			}

			// A steady stream of messages for the whole storm.
			p := newProducer(t, bootstrap, tp, nil)
			var sent atomic.Int64
			stopProducing, produced := make(chan struct{}), make(chan struct{})
			dc := make(chan kafka.Event, 100_000)
			go func() {
				defer close(produced)
				for i := 0; ; i++ {
					select {
					case <-stopProducing:
						return
					default:
					}
					if err := p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
						Key: []byte(strconv.Itoa(i % 40)), Value: []byte(strconv.Itoa(i))}, dc); err != nil {
						t.Errorf("Produce: %v", err)
						return
					}
					sent.Add(1)
					time.Sleep(2 * time.Millisecond) // pacing
				}
			}()

			type member struct {
				c        *interceptor.Consumer
				stop     func() error
				assigned chan struct{}
			}
			join := func() *member {
				m := &member{assigned: make(chan struct{})}
				var once sync.Once
				m.c = newConsumer(t, bootstrap, group, tp, extra, interceptor.WithMaxInFlight(8),
					interceptor.WithBatch(10, 5*time.Millisecond), interceptor.WithCommitInterval(50*time.Millisecond),
					interceptor.WithEventHandler(func(ev kafka.Event) {
						if e, ok := ev.(kafka.Error); ok {
							mu.Lock()
							eventErrs[e.Code().String()]++
							mu.Unlock()
						}
					}),
					interceptor.WithRevokeTimeout(100*time.Millisecond), interceptor.WithShutdownTimeout(100*time.Millisecond))
				require.NoError(t, m.c.Subscribe(topic, func(_ *kafka.Consumer, ev kafka.Event) error {
					if e, ok := ev.(kafka.AssignedPartitions); ok && len(e.Partitions) > 0 {
						once.Do(func() { close(m.assigned) })
					}
					return nil
				}))
				if batch {
					m.stop = runBatch(m.c, handle)
				} else {
					m.stop = runConsumer(m.c, func(ctx context.Context, msg *kafka.Message) error {
						return handle(ctx, []*kafka.Message{msg})
					})
				}
				return m
			}
			var maxClose time.Duration
			leave := func(m *member) {
				t0 := time.Now()
				require.NoError(t, m.stop())
				require.NoError(t, m.c.Close())
				maxClose = max(maxClose, time.Since(t0))
			}
			waitFor := func(what string, cond func() bool) {
				t.Helper()
				require.Eventually(t, cond, time.Minute, 5*time.Millisecond, what)
			}
			assignedWithin := func(m *member) {
				t.Helper()
				select {
				case <-m.assigned:
				case <-time.After(time.Minute):
					t.Fatal("a joining consumer never got partitions")
				}
			}

			var members []*member
			t.Cleanup(func() { // after a failure: nothing left running
				for _, m := range members {
					_ = m.stop()
					_ = m.c.Close()
				}
			})
			members = append(members, join())
			assignedWithin(members[0])
			waitFor("first messages", func() bool { return progress() > 50 })
			start := time.Now()
			for i := 0; i < cycles; i++ {
				m := join() // join: the group rebalances while the others process
				assignedWithin(m)
				members = append(members, m)
				before := progress()
				waitFor("progress after a join", func() bool { return progress() > before+30 })
				checkCommitted()
				if len(members) > 2 {
					gone := members[0]
					members = members[1:]
					leave(gone) // leave: its slow handlers are cut short
				}
			}
			storm := time.Since(start)
			close(stopProducing)
			<-produced
			require.Zero(t, p.Flush(30_000))
			n := int(sent.Load())
			for range n {
				require.NoError(t, (<-dc).(*kafka.Message).TopicPartition.Error)
			}
			waitFor("every message finished", func() bool { return progress() == n })
			for _, m := range members {
				leave(m)
			}
			members = nil
			checkCommitted()

			mu.Lock()
			defer mu.Unlock()
			assert.Empty(t, violations)
			dups, redone := 0, 0
			for k, times := range handled {
				if times > 1 {
					dups++
					redone += times - 1
				}
				assert.Equal(t, 1, finished[k], "p%d@%d finished exactly once", k.p, k.o)
			}
			assert.Less(t, maxClose, 15*time.Second, "Close returns within a bound")
			a.sent.Store(int64(n))
			a.received.Store(int64(len(finished)))
			a.duplicated.Store(int64(dups))
			a.note("membership_changes=%d storm=%v redeliveries_of_unfinished=%d max_close=%v errors=%v",
				2*cycles-1, storm.Round(time.Millisecond), redone, maxClose.Round(time.Millisecond), eventErrs)
		})
	}
}
