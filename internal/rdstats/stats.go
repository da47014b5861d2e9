package rdstats

// InvalidOffset is librdkafka's "invalid offset" (RD_KAFKA_OFFSET_INVALID): the
// value of an offset field that librdkafka does not know yet. Parse keeps it.
const InvalidOffset int64 = -1001

// Stats is one librdkafka statistics document.
type Stats struct {
	Name     string // name: the client instance name, e.g. "rdkafka#producer-1"
	ClientID string // client_id: the configured client.id
	Type     string // type: "producer" or "consumer"
	TS       int64  // ts: librdkafka's monotonic clock, in microseconds
	MsgCnt   int64  // msg_cnt: messages in the producer queues
	MsgSize  int64  // msg_size: bytes of the messages in the producer queues
	ReplyQ   int64  // replyq: ops waiting for the application to poll them

	// Brokers holds every entry of brokers, sorted by name, including the
	// ones librdkafka numbers -1 (bootstrap and logical brokers such as
	// "GroupCoordinator"); [Stats.RealBrokers] skips those.
	Brokers []Broker

	// Topics holds every entry of topics, sorted by name.
	Topics []Topic

	// Cgrp is the consumer group section, nil when the document has none
	// (producers, and consumers without a group).
	Cgrp *ConsumerGroup
}

// Broker is one entry of brokers.
type Broker struct {
	Name        string // the key of the entry: its name, e.g. "localhost:9092/2"
	NodeID      int32  // nodeid: the broker id, -1 for bootstrap and logical brokers
	State       string // state: e.g. "UP", "DOWN", "CONNECT"
	OutbufCnt   int64  // outbuf_cnt: requests waiting to be sent
	WaitrespCnt int64  // waitresp_cnt: requests in flight, awaiting a response
	RTT         Window // rtt: round-trip time, in microseconds
}

// Window is the part of a librdkafka rolling-window statistic that is used.
// librdkafka resets the window at each emit, so both are zero when the
// interval saw no samples.
type Window struct {
	Avg int64 // avg: the mean of the window
	P99 int64 // p99: the 99th percentile of the window
}

// Topic is one entry of topics.
type Topic struct {
	Name string // the key of the entry: the topic name

	// Partitions holds the topic's partitions sorted by id, without the
	// internal UA partition (-1).
	Partitions []Partition
}

// Partition is one entry of a topic's partitions. Offsets are as librdkafka
// reports them: [InvalidOffset] when unknown.
type Partition struct {
	ID                int32  // the key of the entry: the partition id
	Leader            int32  // leader: the leader's broker id, -1 when unknown
	MsgqCnt           int64  // msgq_cnt: messages waiting in the first-level produce queue
	XmitMsgqCnt       int64  // xmit_msgq_cnt: messages ready in the transmit queue
	FetchqCnt         int64  // fetchq_cnt: pre-fetched messages in the fetch queue
	AppOffset         int64  // app_offset: offset of the last message passed to the application + 1
	StoredOffset      int64  // stored_offset: offset to be committed
	CommittedOffset   int64  // committed_offset: last committed offset
	HiOffset          int64  // hi_offset: the partition's high watermark
	LsOffset          int64  // ls_offset: the partition's last stable offset
	ConsumerLag       int64  // consumer_lag: hi_offset - max(app_offset, committed_offset), -1 when unknown
	ConsumerLagStored int64  // consumer_lag_stored: hi_offset - stored_offset, -1 when unknown
	FetchState        string // fetch_state: e.g. "none", "offset-query", "active"
}

// Lag returns the consumer lag and true, or librdkafka's value and false when
// the lag is unknown: librdkafka reports -1 until the application has
// consumed or committed on the partition and the high watermark is known
// (any negative value counts as unknown).
func (p Partition) Lag() (int64, bool) { return p.ConsumerLag, p.ConsumerLag >= 0 }

// StoredLag is [Partition.Lag] for consumer_lag_stored, the lag behind the
// stored (to be committed) offset.
func (p Partition) StoredLag() (int64, bool) {
	return p.ConsumerLagStored, p.ConsumerLagStored >= 0
}

// ConsumerGroup is the cgrp section.
type ConsumerGroup struct {
	State          string // state: e.g. "up", "wait-coord"
	JoinState      string // join_state: e.g. "steady", "wait-join"
	AssignmentSize int64  // assignment_size: partitions currently assigned
	RebalanceCnt   int64  // rebalance_cnt: rebalances (assign or revoke) so far
}
