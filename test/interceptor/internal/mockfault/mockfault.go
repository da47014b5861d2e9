// Package mockfault is a librdkafka mock cluster that can make a broker
// answer requests with errors (rd_kafka_mock_push_request_errors), which
// confluent-kafka-go v2.11.1's kafka.MockCluster does not expose.
//
// It declares the few librdkafka functions it calls instead of including
// rdkafka_mock.h, whose directory only confluent-kafka-go's own package
// knows; the symbols come from the librdkafka that confluent-kafka-go links
// into every binary importing it, as this package does. (The go command
// cannot resolve them when it builds this package alone, and so links the
// final binary externally, as it does for confluent-kafka-go anyway.)
//
// Its cluster is its own, not a kafka.MockCluster, whose librdkafka handle
// is unexported.
package mockfault

/*
#include <stdint.h>
#include <stdlib.h>

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_conf_s rd_kafka_conf_t;
typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

// The signatures of librdkafka 2.11 (rdkafka.h, rdkafka_mock.h); enums are ints.
rd_kafka_conf_t *rd_kafka_conf_new(void);
void rd_kafka_conf_destroy(rd_kafka_conf_t *conf);
rd_kafka_t *rd_kafka_new(int type, rd_kafka_conf_t *conf, char *errstr, size_t errstr_size);
void rd_kafka_destroy(rd_kafka_t *rk);
rd_kafka_mock_cluster_t *rd_kafka_mock_cluster_new(rd_kafka_t *rk, int broker_cnt);
void rd_kafka_mock_cluster_destroy(rd_kafka_mock_cluster_t *mcluster);
const char *rd_kafka_mock_cluster_bootstraps(const rd_kafka_mock_cluster_t *mcluster);
int rd_kafka_mock_topic_create(rd_kafka_mock_cluster_t *mcluster, const char *topic, int partition_cnt, int replication_factor);
void rd_kafka_mock_push_request_errors_array(rd_kafka_mock_cluster_t *mcluster, int16_t ApiKey, size_t cnt, const int *errors);
*/
import "C"

import (
	"errors"
	"sync"
	"unsafe"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// ApiKeyOffsetCommit is the Kafka protocol's OffsetCommit request.
const ApiKeyOffsetCommit = 8

// Cluster is an in-process librdkafka mock cluster, as kafka.MockCluster.
type Cluster struct {
	mu       sync.Mutex
	rk       *C.rd_kafka_t
	mcluster *C.rd_kafka_mock_cluster_t
}

// New starts a mock cluster of brokers brokers (ids 1..brokers).
func New(brokers int) (*Cluster, error) {
	errstr := (*C.char)(C.malloc(512))
	defer C.free(unsafe.Pointer(errstr))
	conf := C.rd_kafka_conf_new()
	rk := C.rd_kafka_new(0 /* RD_KAFKA_PRODUCER, as kafka.NewMockCluster */, conf, errstr, 512)
	if rk == nil {
		C.rd_kafka_conf_destroy(conf)
		return nil, errors.New("mockfault: rd_kafka_new: " + C.GoString(errstr))
	}
	mc := C.rd_kafka_mock_cluster_new(rk, C.int(brokers))
	if mc == nil {
		C.rd_kafka_destroy(rk)
		return nil, errors.New("mockfault: rd_kafka_mock_cluster_new failed")
	}
	return &Cluster{rk: rk, mcluster: mc}, nil
}

// BootstrapServers is the bootstrap.servers of the cluster.
func (c *Cluster) BootstrapServers() string {
	return C.GoString(C.rd_kafka_mock_cluster_bootstraps(c.mcluster))
}

// CreateTopic creates topic with partitions partitions.
func (c *Cluster) CreateTopic(topic string, partitions, replicationFactor int) error {
	ct := C.CString(topic)
	defer C.free(unsafe.Pointer(ct))
	if code := C.rd_kafka_mock_topic_create(c.mcluster, ct, C.int(partitions), C.int(replicationFactor)); code != 0 {
		return kafka.NewError(kafka.ErrorCode(code), "mockfault: CreateTopic", false)
	}
	return nil
}

// PushRequestErrors makes the next len(codes) requests of apiKey, from any
// client, fail with codes in order.
func (c *Cluster) PushRequestErrors(apiKey int16, codes ...kafka.ErrorCode) {
	if len(codes) == 0 {
		return
	}
	arr := make([]C.int, len(codes))
	for i, code := range codes {
		arr[i] = C.int(code)
	}
	C.rd_kafka_mock_push_request_errors_array(c.mcluster, C.int16_t(apiKey), C.size_t(len(arr)), &arr[0])
}

// Close stops the cluster; later calls do nothing.
func (c *Cluster) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mcluster == nil {
		return
	}
	C.rd_kafka_mock_cluster_destroy(c.mcluster)
	C.rd_kafka_destroy(c.rk)
	c.mcluster, c.rk = nil, nil
}
