package interceptor_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With enable.auto.commit=false, Run commits finished work every
// auto.commit.interval.ms itself: a consumer killed (SIGKILL, no shutdown
// commit) after handling 1,000 messages and one interval leaves them
// committed, and the next owner redoes none of them.
func TestCommitsWithoutAutoCommitSurviveKill(t *testing.T) {
	const n, partitions = 1000, 3
	topic, group := dlName("src"), dlName("group")
	mc := mockCluster(t, topic, partitions)
	bootstrap := mc.BootstrapServers()
	tp, _ := recorder()
	produceN(t, bootstrap, topic, tp, n, func(i int) string { return strconv.Itoa(i % 30) })

	lines, kill := child(t, "KAFKATRACE_CHILD=run", "KAFKATRACE_BOOTSTRAP="+bootstrap,
		"KAFKATRACE_GROUP="+group, "KAFKATRACE_TOPIC="+topic)
	for i := 0; i < n; i++ {
		nextLine(t, lines, time.Minute)
	}
	ends := watermarks(t, bootstrap, topic, partitions)
	require.Eventually(t, func() bool {
		for p := int32(0); p < partitions; p++ {
			if committed(t, bootstrap, group, topic, p) != ends[p] {
				return false
			}
		}
		return true
	}, 10*time.Second, 20*time.Millisecond, "finished work committed while the consumer runs")
	kill()

	// The next owner gets only what comes after.
	produceN(t, bootstrap, topic, tp, partitions, func(i int) string { return "after" + strconv.Itoa(i) })
	var mu sync.Mutex
	var got []string
	c := newConsumer(t, bootstrap, group, tp, nil)
	require.NoError(t, c.Subscribe(topic, nil))
	stop := runConsumer(c, func(_ context.Context, m *kafka.Message) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, string(m.Key))
		return nil
	})
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= partitions }, time.Minute, 10*time.Millisecond)
	for p := int32(0); p < partitions; p++ {
		end := watermarks(t, bootstrap, topic, partitions)[p]
		require.Eventually(t, func() bool { return committed(t, bootstrap, group, topic, p) == end }, 10*time.Second, 20*time.Millisecond)
	}
	require.NoError(t, stop())
	require.NoError(t, c.Close())
	mu.Lock()
	defer mu.Unlock()
	assert.ElementsMatch(t, []string{"after0", "after1", "after2"}, got, "nothing handled before the kill comes again")
}

// watermarks returns the high watermark of each partition of topic.
func watermarks(t *testing.T, bootstrap, topic string, partitions int) map[int32]kafka.Offset {
	t.Helper()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": bootstrap, "group.id": "watermarks"})
	require.NoError(t, err)
	defer c.Close()
	out := map[int32]kafka.Offset{}
	for p := int32(0); p < int32(partitions); p++ {
		_, hi, err := c.QueryWatermarkOffsets(topic, p, 5000)
		require.NoError(t, err)
		out[p] = kafka.Offset(hi)
	}
	return out
}
