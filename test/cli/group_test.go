package cli_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// A group whose Run is stuck on one slow message: group shows that message
// as the oldest unfinished one, with its age, and counts the messages
// finished above it from kafkatrace's commit metadata.
func TestGroupStuckMessage(t *testing.T) {
	topic, group := unique(t, "t"), unique(t, "g")
	mc := mockCluster(t, topic, 2)
	bs := mc.BootstrapServers()
	p := rawProducer(t, bs, nil)
	const n, stuck = 10, 3
	var msgs []*kafka.Message
	for i := 0; i < n; i++ {
		msgs = append(msgs, &kafka.Message{Value: []byte(strconv.Itoa(i))})
	}
	produce(t, p, topic, msgs...)
	produced := time.Now()

	tp := sdktrace.NewTracerProvider()
	defer func() { _ = tp.Shutdown(context.Background()) }()
	c, err := interceptor.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers": bs, "group.id": group, "auto.offset.reset": "earliest",
		"auto.commit.interval.ms": 100, "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
	}, interceptor.WithTracerProvider(tp), interceptor.WithOrdering(interceptor.Unordered))
	require.NoError(t, err)
	defer func() { require.NoError(t, c.Close()) }()
	require.NoError(t, c.Subscribe(topic, nil))

	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(n - 1)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- c.Run(ctx, func(ctx context.Context, m *kafka.Message) error {
			if m.TopicPartition.Offset == stuck {
				<-release // the slow message
				return nil
			}
			wg.Done()
			return nil
		})
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			close(release)
			cancel()
			require.NoError(t, <-errc)
		}
	}
	defer stop()
	wg.Wait() // every other message finished

	// The commit of what finished lands within a few auto-commit intervals.
	var row map[string]any
	require.Eventually(t, func() bool {
		res := run(t, "group", "-b", bs, "-g", group, "-t", topic, "--json")
		if res.code != 0 {
			return false
		}
		rows := jsonLines(t, res.stdout)
		row = rows[0]
		return len(rows) == 2 && row["committed"] == float64(stuck) && row["finished_above_committed"] == float64(n-stuck-1)
	}, 20*time.Second, 100*time.Millisecond, "group shows the commit at the stuck message; last row: %v", row)

	assert.Equal(t, group, row["group"])
	assert.Equal(t, topic, row["topic"])
	assert.EqualValues(t, 0, row["partition"])
	assert.EqualValues(t, n, row["end"])
	assert.EqualValues(t, n-stuck, row["lag"])
	assert.Equal(t, "kafkatrace", row["metadata"])
	assert.EqualValues(t, stuck, row["oldest_unfinished"])
	assert.EqualValues(t, n-1, row["highest_finished"])
	assert.EqualValues(t, 1, row["unfinished"])
	age := time.Duration(row["oldest_unfinished_age_ms"].(float64)) * time.Millisecond
	assert.True(t, age > 0 && age <= time.Since(produced)+time.Second, "waiting since it was produced: %v", age)

	res := run(t, "group", "-b", bs, "-g", group, "-t", topic, "--json")
	rows := jsonLines(t, res.ok(t))
	require.Len(t, rows, 2)
	empty := rows[1]
	assert.EqualValues(t, 1, empty["partition"])
	assert.Nil(t, empty["oldest_unfinished"])
	assert.Equal(t, "none", empty["metadata"])
	t.Logf("group --json:\n%s", res.stdout)

	human := run(t, "group", "-b", bs, "-g", group, "-t", topic).ok(t)
	lines := strings.Split(human, "\n")
	require.GreaterOrEqual(t, len(lines), 3)
	assert.Equal(t, "group "+group, lines[0])
	assert.Regexp(t, `^TOPIC\s+PART\s+COMMITTED\s+END\s+LAG\s+FINISHED\s+OLDEST UNFINISHED\s+METADATA$`, lines[1])
	assert.Regexp(t, `^`+topic+`\s+0\s+3\s+10\s+7\s+6 \(up to 9\)\s+3 \(waiting [0-9.]+m?s\)\s+kafkatrace$`, lines[2])
	t.Logf("group:\n%s", human)

	// Without -t: every partition the group committed.
	all := jsonLines(t, run(t, "group", "-b", bs, "-g", group, "--json").ok(t))
	require.NotEmpty(t, all)
	assert.EqualValues(t, stuck, all[0]["oldest_unfinished"])

	stop()
	// Once released and stopped, everything is committed: nothing unfinished.
	require.Eventually(t, func() bool {
		rows := jsonLines(t, run(t, "group", "-b", bs, "-g", group, "-t", topic, "--json").ok(t))
		return rows[0]["committed"] == float64(n) && rows[0]["lag"] == float64(0) && rows[0]["oldest_unfinished"] == nil
	}, 10*time.Second, 100*time.Millisecond)
}

// A group whose commits carry no kafkatrace record gets the standard view:
// committed, end, lag, and the message at the commit as oldest unfinished.
func TestGroupWithoutKafkatraceMetadata(t *testing.T) {
	topic, group := unique(t, "t"), unique(t, "g")
	mc := mockCluster(t, topic, 1)
	bs := mc.BootstrapServers()
	p := rawProducer(t, bs, nil)
	produce(t, p, topic, &kafka.Message{Value: []byte("0")}, &kafka.Message{Value: []byte("1")}, &kafka.Message{Value: []byte("2")})

	c, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": bs, "group.id": group})
	require.NoError(t, err)
	md := "someone else's"
	_, err = c.CommitOffsets([]kafka.TopicPartition{{Topic: &topic, Partition: 0, Offset: 1, Metadata: &md}})
	require.NoError(t, err)
	require.NoError(t, c.Close())

	rows := jsonLines(t, run(t, "group", "-b", bs, "-g", group, "--json").ok(t))
	require.Len(t, rows, 1)
	r := rows[0]
	assert.EqualValues(t, 1, r["committed"])
	assert.EqualValues(t, 3, r["end"])
	assert.EqualValues(t, 2, r["lag"])
	assert.Equal(t, "foreign", r["metadata"])
	assert.EqualValues(t, 0, r["finished_above_committed"])
	assert.Nil(t, r["highest_finished"])
	assert.EqualValues(t, 1, r["oldest_unfinished"])
	assert.NotNil(t, r["oldest_unfinished_age_ms"])
	human := run(t, "group", "-b", bs, "-g", group).ok(t)
	assert.Regexp(t, `\n`+topic+`\s+0\s+1\s+3\s+2\s+0\s+1 \(waiting [0-9.]+m?s\)\s+foreign\n`, human)
}
