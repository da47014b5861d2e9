package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// client is the one librdkafka handle a subcommand uses: a consumer that
// never joins a group nor commits (partitions are assigned by hand), and an
// admin client on the same connections.
type client struct {
	c        *kafka.Consumer
	admin    *kafka.AdminClient
	opts     *common
	logsDone chan struct{}
	started  time.Time
}

// reserved are the properties the command sets itself, which -X may not
// change: the reads depend on them, and the command never joins a group or
// commits.
var reserved = map[string]string{
	"bootstrap.servers":        "give the brokers with -b",
	"group.id":                 "the command never joins a group (give the group to inspect with 'group -g')",
	"enable.auto.commit":       "the command never commits",
	"enable.auto.offset.store": "the command never commits",
	"enable.partition.eof":     "the command relies on end-of-partition events",
	"auto.offset.reset":        "the command reports offsets outside the log instead of moving",
	"go.logs.channel.enable":   "the command routes librdkafka's logs itself (-v shows them)",
}

// connect creates the client. librdkafka's logs go to a channel that is
// drained, and shown on stderr only with -v: a bad bootstrap address makes
// librdkafka log connection errors forever, which would bury the one-line
// error. Creating the client does not contact the brokers.
func (o *common) connect(stderr io.Writer) (*client, error) {
	conf := kafka.ConfigMap{
		"bootstrap.servers":        o.bootstrap,
		"group.id":                 "kafkatrace-cli", // required by librdkafka; never joined, never committed
		"client.id":                "kafkatrace-cli",
		"enable.auto.commit":       false,
		"enable.auto.offset.store": false,
		"enable.partition.eof":     true,
		"auto.offset.reset":        "error",
	}
	for _, kv := range o.props {
		if why, ok := reserved[kv[0]]; ok {
			return nil, usageError("-X %s: %s", kv[0], why)
		}
		conf[kv[0]] = kv[1]
	}
	conf["go.logs.channel.enable"] = true // sets log.queue=true
	c, err := kafka.NewConsumer(&conf)
	if err != nil {
		return nil, usageError("invalid client configuration: %v (check -X settings)", err)
	}
	admin, err := kafka.NewAdminClientFromConsumer(c)
	if err != nil {
		_ = c.Close()
		return nil, runtimeError("admin client: %v", err)
	}
	cl := &client{c: c, admin: admin, opts: o, logsDone: make(chan struct{}), started: time.Now()}
	go func() {
		defer close(cl.logsDone)
		for l := range c.Logs() { // closed by c.Close
			if o.verbose {
				fmt.Fprintf(stderr, "kafkatrace: librdkafka: %s %s: %s\n", l.Name, l.Tag, oneLine(l.Message))
			}
		}
	}()
	return cl, nil
}

// Close closes the client and waits until no log line can be written.
func (cl *client) Close() {
	cl.admin.Close()
	_ = cl.c.Close()
	<-cl.logsDone
}

// deadline is the end of a network operation that starts now.
func (cl *client) deadline() time.Time { return time.Now().Add(cl.opts.timeout) }

// firstDeadline is the end of the first request to the brokers: --timeout
// from the start of the command, less the time closing the client takes, so
// that unreachable brokers fail the whole command within --timeout.
func (cl *client) firstDeadline() time.Time {
	return cl.started.Add(cl.opts.timeout - min(200*time.Millisecond, cl.opts.timeout/10))
}

// msUntil is the librdkafka timeout in milliseconds left until d (at least 1).
func msUntil(d time.Time) int {
	return max(1, int(time.Until(d).Milliseconds()))
}

// unreachable is the error of a broker request that failed or timed out.
func (cl *client) unreachable(what string, err error) error {
	return runtimeError("%s: cannot reach the brokers at %s within %v: %v (check -b/--bootstrap-server, KAFKA_BOOTSTRAP_SERVERS and -X security settings)",
		what, cl.opts.bootstrap, cl.opts.timeout, err)
}

// partitions returns the sorted partition IDs of topic; an error when the
// brokers cannot be reached or the topic does not exist. It is the first
// request of the subcommands that name a topic (see firstDeadline).
func (cl *client) partitions(topic string) ([]int32, error) {
	md, err := cl.c.GetMetadata(&topic, false, msUntil(cl.firstDeadline()))
	if err != nil {
		return nil, cl.unreachable("metadata", err)
	}
	tm, ok := md.Topics[topic]
	code := tm.Error.Code()
	if !ok || code == kafka.ErrUnknownTopicOrPart || code == kafka.ErrUnknownTopic || (code == kafka.ErrNoError && len(tm.Partitions) == 0) {
		return nil, runtimeError("topic %q not found (check the name and -b/--bootstrap-server)", topic)
	}
	if code != kafka.ErrNoError {
		return nil, runtimeError("metadata of topic %q: %v", topic, tm.Error)
	}
	ps := make([]int32, 0, len(tm.Partitions))
	for _, p := range tm.Partitions {
		ps = append(ps, p.ID)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	return ps, nil
}

// ping checks that the brokers answer a metadata request.
func (cl *client) ping() error {
	if _, err := cl.c.GetMetadata(nil, false, msUntil(cl.firstDeadline())); err != nil {
		return cl.unreachable("metadata", err)
	}
	return nil
}

// watermarks returns the low and high watermark of each partition of
// topic, within one timeout for all of them.
func (cl *client) watermarks(topic string, parts []int32) (map[int32][2]int64, error) {
	d := cl.deadline()
	out := make(map[int32][2]int64, len(parts))
	for _, p := range parts {
		lo, hi, err := cl.c.QueryWatermarkOffsets(topic, p, msUntil(d))
		if err != nil {
			return nil, runtimeError("offsets of %s [%d]: %v (the partition's leader may be unreachable; try a longer --timeout)", topic, p, err)
		}
		out[p] = [2]int64{lo, hi}
	}
	return out, nil
}

// ctxDeadline is a context ending at the operation's deadline or with ctx.
func (cl *client) ctxDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithDeadline(ctx, cl.deadline())
}

// isTimeout reports whether err is a deadline or librdkafka timeout.
func isTimeout(err error) bool {
	var ke kafka.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ke) && ke.Code() == kafka.ErrTimedOut)
}
