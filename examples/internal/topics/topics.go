// Package topics creates the topics the examples use, so that a consumer
// started before its producer does not wait for librdkafka's next metadata
// refresh (up to minutes) to notice a topic that appeared after it subscribed.
package topics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Ensure creates each of names that does not exist yet, with the given
// partitions and the broker's default replication factor. It returns nil
// when every topic exists afterwards, else an error naming the topics that
// are missing and why the broker refused them (no authorization, topic
// creation disabled, ...) and how to create them by hand. It gives up after
// timeout.
func Ensure(bootstrap string, partitions int, timeout time.Duration, names ...string) error {
	admin, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": bootstrap, "log_level": 3})
	if err != nil {
		return err
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	specs := make([]kafka.TopicSpecification, len(names))
	for i, n := range names {
		specs[i] = kafka.TopicSpecification{Topic: n, NumPartitions: partitions, ReplicationFactor: -1}
	}
	results, err := admin.CreateTopics(ctx, specs, kafka.SetAdminOperationTimeout(timeout))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("no broker answered at %s within %v: is Kafka running there (KAFKA_BOOTSTRAP_SERVERS)?", bootstrap, timeout)
		}
		return fmt.Errorf("creating topics %s: %w", strings.Join(names, ", "), err)
	}
	var missing []string
	for _, r := range results {
		switch r.Error.Code() {
		case kafka.ErrNoError, kafka.ErrTopicAlreadyExists:
		default:
			missing = append(missing, fmt.Sprintf("%s (%v)", r.Topic, r.Error))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the broker at %s refused to create topic(s) %s; create them yourself, e.g. "+
			"kafka-topics.sh --bootstrap-server %s --create --topic NAME --partitions %d",
			bootstrap, strings.Join(missing, ", "), bootstrap, partitions)
	}
	return nil
}
