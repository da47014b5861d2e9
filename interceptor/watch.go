package interceptor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel"

	"github.com/kafkatrace/kafkatrace/poller"
)

// ErrNoAssignment is wrapped by the *AsyncError Run reports when the
// consumer has held no partition for assignmentWait after Run started; the
// message says why (a topic that does not exist, a group still joining).
var ErrNoAssignment = errors.New("kafkatrace: no partitions assigned")

// assignmentWait is how long Run waits for a first assignment before it
// says why there is none.
const assignmentWait = 5 * time.Second

// watchAssignment reports, once, a Run that has been given no partition
// within assignmentWait: a silent consumer is the first thing a new user
// meets when the topic does not exist yet. It returns when ctx is done or
// after reporting.
func (c *Consumer) watchAssignment(ctx context.Context) {
	t := time.NewTimer(assignmentWait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return
	case <-t.C:
	}
	if parts, err := c.Consumer.Assignment(); err != nil || len(parts) > 0 {
		return
	}
	if err := c.whyNoAssignment(); err != nil && ctx.Err() == nil {
		c.reportAsync(&poller.AsyncError{Op: "assign", Err: err})
	}
}

// whyNoAssignment names the subscribed topics the broker does not know, or
// says the group is still joining.
func (c *Consumer) whyNoAssignment() error {
	topics, err := c.Consumer.Subscription()
	if err != nil || len(topics) == 0 {
		return nil
	}
	var missing []string
	for _, t := range topics {
		if strings.HasPrefix(t, "^") {
			continue // a pattern: nothing to look up
		}
		md, err := c.Consumer.GetMetadata(&t, false, 2000)
		if err != nil {
			return fmt.Errorf("%w after %v, and the broker did not answer a metadata request for %q: %v",
				ErrNoAssignment, assignmentWait, t, err)
		}
		if tm, ok := md.Topics[t]; !ok || tm.Error.Code() == kafka.ErrUnknownTopicOrPart || len(tm.Partitions) == 0 {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w after %v: topic(s) %s do not exist on the broker; consumers do not create topics: "+
			"create them (or let a producer do so), and the consumer notices them at its next metadata refresh "+
			"(topic.metadata.refresh.interval.ms)", ErrNoAssignment, assignmentWait, strings.Join(missing, ", "))
	}
	return fmt.Errorf("%w after %v although topic(s) %s exist: the consumer group is still joining "+
		"(a slow rebalance, or other members hold every partition)", ErrNoAssignment, assignmentWait, strings.Join(topics, ", "))
}

// reportAsync sends err where the poller sends the errors Run cannot
// return: WithEventHandler, else otel.Handle.
func (c *Consumer) reportAsync(err *poller.AsyncError) {
	if h := c.cfg.consumer.poller.OnError; h != nil {
		h(err)
		return
	}
	otel.Handle(err)
}
