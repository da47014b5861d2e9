// Package rdgen generates librdkafka statistics documents of any size for
// the tests and benchmarks of rdstats (and the bench program).
package rdgen

import "strconv"

// invalidOffset is librdkafka's "no offset" (rdstats.InvalidOffset).
const invalidOffset = -1001

// Shape says what Stats builds: partitions spread round-robin over
// topics, each led by a broker in turn.
type Shape struct {
	Topics     int
	Partitions int // in all, across the topics
	Brokers    int
	Consumer   bool // a consumer with a cgrp section and a GroupCoordinator
}

// Topic is the name of topic t. Topic, Broker, Hi and Committed are the
// values Stats writes, so that tests can check what Parse read.
func Topic(t int) string { return "topic-" + strconv.Itoa(t) }

// Broker is the name of broker n.
func Broker(n int) string { return "kafka-" + strconv.Itoa(n) + ".example:9092/" + strconv.Itoa(n) }

// Hi is the high watermark of a partition.
func Hi(topic, part int) int64 { return int64(100000 + 1000*topic + part) }

// Committed is the committed offset of a partition: invalidOffset for every
// tenth partition, which has never committed.
func Committed(topic, part int) int64 {
	if part%10 == 9 { // every tenth partition has never committed
		return invalidOffset
	}
	return Hi(topic, part) - int64(part%7)
}

// Stats builds a statistics document of the shape librdkafka emits (see
// STATISTICS.md and testdata/): every field it writes per broker, window,
// toppar, topic and partition, not only the ones Parse reads, compact as
// librdkafka writes it, with each topic's UA partition (-1).
func Stats(sh Shape) []byte {
	w := &jw{b: make([]byte, 0, 1024+sh.Partitions*1100), first: true}
	typ := "producer"
	if sh.Consumer {
		typ = "consumer"
	}
	w.open('{')
	w.str("name", "rdkafka#"+typ+"-1")
	w.str("client_id", "rdkafka")
	w.str("type", typ)
	w.num("ts", 5016483227792)
	w.num("time", 1527060869)
	w.num("age", 9057234)
	w.num("replyq", 3)
	w.num("msg_cnt", 22710)
	w.num("msg_size", 704010)
	w.num("msg_max", 500000)
	w.num("msg_size_max", 1073741824)
	w.num("simple_cnt", 0)
	w.num("metadata_cache_cnt", int64(sh.Topics))

	w.key("brokers")
	w.open('{')
	for n := 1; n <= sh.Brokers; n++ {
		brokerEntry(w, sh, Broker(n), n)
	}
	if sh.Consumer {
		brokerEntry(w, sh, "GroupCoordinator", -1)
	}
	w.close('}')

	w.key("topics")
	w.open('{')
	for t := 0; t < sh.Topics; t++ {
		w.key(Topic(t))
		w.open('{')
		w.str("topic", Topic(t))
		w.num("age", 9060)
		w.num("metadata_age", 9060)
		window(w, "batchsize", 272593)
		window(w, "batchcnt", 6956)
		w.key("partitions")
		w.open('{')
		for p := 0; p < sh.Partitions; p++ {
			if p%sh.Topics == t {
				partition(w, sh, t, p/sh.Topics, 1+p%sh.Brokers)
			}
		}
		partition(w, sh, t, -1, -1)
		w.close('}')
		w.close('}')
	}
	w.close('}')

	if sh.Consumer {
		w.key("cgrp")
		w.open('{')
		w.str("state", "up")
		w.num("stateage", 3897)
		w.str("join_state", "steady")
		w.num("rebalance_age", 842)
		w.num("rebalance_cnt", 2)
		w.str("rebalance_reason", "")
		w.num("assignment_size", int64(sh.Partitions))
		w.close('}')
	}
	for _, k := range []string{"tx", "tx_bytes", "rx", "rx_bytes", "txmsgs", "txmsg_bytes", "rxmsgs", "rxmsg_bytes"} {
		w.num(k, 168584479)
	}
	w.close('}')
	return w.b
}

// brokerEntry writes one brokers entry; id -1 is a logical broker.
func brokerEntry(w *jw, sh Shape, name string, id int) {
	w.key(name)
	w.open('{')
	w.str("name", name)
	w.num("nodeid", int64(id))
	w.str("nodename", "kafka.example:9092")
	if id == -1 {
		w.str("source", "logical")
	} else {
		w.str("source", "learned")
	}
	w.str("state", "UP")
	w.num("stateage", 9057234)
	w.num("outbuf_cnt", int64(id+1))
	w.num("outbuf_msg_cnt", 17)
	w.num("waitresp_cnt", int64(id+2))
	w.num("waitresp_msg_cnt", 120)
	for _, k := range []string{"tx", "txbytes", "txerrs", "txretries", "txidle", "req_timeouts", "rx", "rxbytes",
		"rxerrs", "rxcorriderrs", "rxpartial", "rxidle", "zbuf_grow", "buf_grow", "wakeups", "connects", "disconnects"} {
		w.num(k, 84283332)
	}
	window(w, "int_latency", 23726)
	window(w, "outbuf_latency", 41)
	window(w, "rtt", 2000+int64(id))
	window(w, "throttle", 0)
	w.key("req")
	w.open('{')
	for _, k := range []string{"Produce", "Fetch", "ListOffsets", "Metadata", "OffsetCommit", "OffsetFetch",
		"FindCoordinator", "JoinGroup", "Heartbeat", "LeaveGroup", "SyncGroup", "SaslHandshake", "ApiVersion",
		"InitProducerId", "AddPartitionsToTxn", "AddOffsetsToTxn", "EndTxn", "TxnOffsetCommit", "SaslAuthenticate",
		"DescribeCluster", "DescribeProducers", "DescribeTransactions", "ListTransactions",
		"GetTelemetrySubscriptions", "PushTelemetry"} {
		w.num(k, 320)
	}
	w.close('}')
	w.key("toppars")
	w.open('{')
	for p := 0; id > 0 && p < sh.Partitions; p++ {
		if 1+p%sh.Brokers == id {
			topic, part := Topic(p%sh.Topics), strconv.Itoa(p/sh.Topics)
			w.key(topic + "-" + part)
			w.open('{')
			w.str("topic", topic)
			w.raw("partition", part)
			w.close('}')
		}
	}
	w.close('}')
	w.close('}')
}

// window writes a rolling-window statistic whose avg is avg and whose
// p99 is 3*avg.
func window(w *jw, name string, avg int64) {
	w.key(name)
	w.open('{')
	w.num("min", avg/2)
	w.num("max", avg*4)
	w.num("avg", avg)
	w.num("sum", avg*34)
	w.num("stddev", avg/5)
	w.num("p50", avg)
	w.num("p75", avg*2)
	w.num("p90", avg*2)
	w.num("p95", avg*3)
	w.num("p99", avg*3)
	w.num("p99_99", avg*4)
	w.num("outofrange", 0)
	w.num("hdrsize", 13424)
	w.num("cnt", 34)
	w.close('}')
}

// partition writes one partitions entry; part -1 is the UA partition.
func partition(w *jw, sh Shape, topic, part, leader int) {
	hi, committed, lag := Hi(topic, part), Committed(topic, part), int64(-1)
	if part == -1 {
		hi, committed = invalidOffset, invalidOffset
	} else if committed != invalidOffset {
		lag = hi - committed
	}
	state := "none"
	if sh.Consumer && part >= 0 {
		state = "active"
	}
	w.key(strconv.Itoa(part))
	w.open('{')
	w.num("partition", int64(part))
	w.num("broker", int64(leader))
	w.num("leader", int64(leader))
	w.raw("desired", strconv.FormatBool(sh.Consumer))
	w.raw("unknown", "false")
	w.num("msgq_cnt", int64(part%3))
	w.num("msgq_bytes", 31)
	w.num("xmit_msgq_cnt", int64(part%5))
	w.num("xmit_msgq_bytes", 0)
	w.num("fetchq_cnt", int64(part%11))
	w.num("fetchq_size", 0)
	w.str("fetch_state", state)
	w.num("query_offset", -2)
	w.num("next_offset", hi)
	w.num("app_offset", committed)
	w.num("stored_offset", committed)
	w.num("stored_leader_epoch", 0)
	w.num("commited_offset", committed)
	w.num("committed_offset", committed)
	w.num("committed_leader_epoch", 0)
	w.num("eof_offset", hi)
	w.num("lo_offset", 0)
	w.num("hi_offset", hi)
	w.num("ls_offset", hi)
	w.num("consumer_lag", lag)
	w.num("consumer_lag_stored", lag)
	w.num("leader_epoch", 0)
	for _, k := range []string{"txmsgs", "txbytes", "rxmsgs", "rxbytes", "msgs", "rx_ver_drops",
		"msgs_inflight", "next_ack_seq", "next_err_seq", "acked_msgid"} {
		w.num(k, 2150617)
	}
	w.close('}')
}

// jw appends compact JSON, writing the commas itself.
type jw struct {
	b     []byte
	first bool // nothing written yet in the innermost object
}

func (w *jw) sep() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
}

func (w *jw) key(k string) {
	w.sep()
	w.b = strconv.AppendQuote(w.b, k)
	w.b = append(w.b, ':')
	w.first = true // the value that follows needs no comma
}

func (w *jw) open(c byte)           { w.sep(); w.b = append(w.b, c); w.first = true }
func (w *jw) close(c byte)          { w.b = append(w.b, c); w.first = false }
func (w *jw) num(k string, v int64) { w.key(k); w.b = strconv.AppendInt(w.b, v, 10); w.first = false }
func (w *jw) str(k, v string)       { w.key(k); w.b = strconv.AppendQuote(w.b, v); w.first = false }
func (w *jw) raw(k, v string)       { w.key(k); w.b = append(w.b, v...); w.first = false }
