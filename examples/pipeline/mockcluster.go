package main

import "github.com/confluentinc/confluent-kafka-go/v2/kafka"

// newMockCluster starts librdkafka's embedded broker. kafka.NewMockCluster
// creates a client of its own with no bootstrap.servers, and librdkafka
// warns about that on stderr (CONFWARN) while the client is created: a line
// the user did nothing to cause. That warning is written synchronously by
// the calling thread, so stderr is pointed at /dev/null for that call only
// (where the platform allows; see quiet_*.go).
func newMockCluster() (*kafka.MockCluster, error) {
	restore := quietStderr()
	defer restore()
	return kafka.NewMockCluster(1)
}
