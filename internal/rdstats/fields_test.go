package rdstats

import (
	"reflect"
	"testing"
)

// Documents around one field, for the per-field table.
func topDoc(fields string) string    { return `{` + fields + `}` }
func brokerDoc(fields string) string { return `{"brokers":{"b:9092/1":{` + fields + `}}}` }
func partDoc(fields string) string {
	return `{"topics":{"t":{"topic":"t","partitions":{"3":{` + fields + `}}}}}`
}
func cgrpDoc(fields string) string { return `{"cgrp":{` + fields + `}}` }

func broker0(s *Stats) Broker       { return s.Brokers[0] }
func part0(s *Stats) Partition      { return s.Topics[0].Partitions[0] }
func cgrp0(s *Stats) *ConsumerGroup { return s.Cgrp }

// Each used field is read from its librdkafka name, with the other fields
// of its object around it.
func TestFields(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		got  func(*Stats) any
		want any
	}{
		{"name", topDoc(`"ts":1,"name":"rdkafka#consumer-2"`), func(s *Stats) any { return s.Name }, "rdkafka#consumer-2"},
		{"client_id", topDoc(`"client_id":"orders-svc"`), func(s *Stats) any { return s.ClientID }, "orders-svc"},
		{"type", topDoc(`"type":"producer"`), func(s *Stats) any { return s.Type }, "producer"},
		{"ts", topDoc(`"ts":5016483227792`), func(s *Stats) any { return s.TS }, int64(5016483227792)},
		{"msg_cnt", topDoc(`"msg_cnt":22710,"msg_max":500000`), func(s *Stats) any { return s.MsgCnt }, int64(22710)},
		{"msg_size", topDoc(`"msg_size":704010,"msg_size_max":1073741824`), func(s *Stats) any { return s.MsgSize }, int64(704010)},
		{"replyq", topDoc(`"replyq":12`), func(s *Stats) any { return s.ReplyQ }, int64(12)},

		{"broker name is its key", brokerDoc(`"name":"b:9092/1"`), func(s *Stats) any { return broker0(s).Name }, "b:9092/1"},
		{"nodeid", brokerDoc(`"nodeid":13`), func(s *Stats) any { return broker0(s).NodeID }, int32(13)},
		{"nodeid -1", brokerDoc(`"nodeid":-1`), func(s *Stats) any { return broker0(s).NodeID }, int32(-1)},
		{"state", brokerDoc(`"state":"UP"`), func(s *Stats) any { return broker0(s).State }, "UP"},
		{"outbuf_cnt", brokerDoc(`"outbuf_msg_cnt":9,"outbuf_cnt":4`), func(s *Stats) any { return broker0(s).OutbufCnt }, int64(4)},
		{"waitresp_cnt", brokerDoc(`"waitresp_cnt":2,"waitresp_msg_cnt":7`), func(s *Stats) any { return broker0(s).WaitrespCnt }, int64(2)},
		{"rtt", brokerDoc(`"int_latency":{"avg":1,"p99":2},"rtt":{"min":1580,"avg":2349,"p95":3199,"p99":3391,"p99_99":3391,"cnt":34},"throttle":{"avg":5}`),
			func(s *Stats) any { return broker0(s).RTT }, Window{Avg: 2349, P99: 3391}},

		{"partition id is its key", partDoc(`"partition":3`), func(s *Stats) any { return part0(s).ID }, int32(3)},
		{"leader", partDoc(`"leader":2`), func(s *Stats) any { return part0(s).Leader }, int32(2)},
		{"msgq_cnt", partDoc(`"msgq_cnt":1,"msgq_bytes":31`), func(s *Stats) any { return part0(s).MsgqCnt }, int64(1)},
		{"xmit_msgq_cnt", partDoc(`"xmit_msgq_cnt":6`), func(s *Stats) any { return part0(s).XmitMsgqCnt }, int64(6)},
		{"fetchq_cnt", partDoc(`"fetchq_cnt":40,"fetchq_size":4000`), func(s *Stats) any { return part0(s).FetchqCnt }, int64(40)},
		{"app_offset", partDoc(`"app_offset":17`), func(s *Stats) any { return part0(s).AppOffset }, int64(17)},
		{"stored_offset", partDoc(`"stored_offset":16,"stored_leader_epoch":0`), func(s *Stats) any { return part0(s).StoredOffset }, int64(16)},
		{"committed_offset, not the misspelt twin", partDoc(`"commited_offset":1,"committed_offset":15`),
			func(s *Stats) any { return part0(s).CommittedOffset }, int64(15)},
		{"hi_offset", partDoc(`"lo_offset":0,"hi_offset":20`), func(s *Stats) any { return part0(s).HiOffset }, int64(20)},
		{"ls_offset", partDoc(`"ls_offset":19`), func(s *Stats) any { return part0(s).LsOffset }, int64(19)},
		{"consumer_lag", partDoc(`"consumer_lag":3`), func(s *Stats) any { return part0(s).ConsumerLag }, int64(3)},
		{"consumer_lag_stored", partDoc(`"consumer_lag_stored":4`), func(s *Stats) any { return part0(s).ConsumerLagStored }, int64(4)},
		{"fetch_state", partDoc(`"fetch_state":"offset-query"`), func(s *Stats) any { return part0(s).FetchState }, "offset-query"},
		{"invalid offset kept", partDoc(`"committed_offset":-1001`), func(s *Stats) any { return part0(s).CommittedOffset }, InvalidOffset},

		{"cgrp state", cgrpDoc(`"state":"up","stateage":3`), func(s *Stats) any { return cgrp0(s).State }, "up"},
		{"cgrp join_state", cgrpDoc(`"join_state":"steady"`), func(s *Stats) any { return cgrp0(s).JoinState }, "steady"},
		{"cgrp assignment_size", cgrpDoc(`"assignment_size":3`), func(s *Stats) any { return cgrp0(s).AssignmentSize }, int64(3)},
		{"cgrp rebalance_cnt", cgrpDoc(`"rebalance_age":5,"rebalance_cnt":2,"rebalance_reason":"x"`), func(s *Stats) any { return cgrp0(s).RebalanceCnt }, int64(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(tt.doc))
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.doc, err)
			}
			if got := tt.got(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%s) = %#v, want %#v", tt.doc, got, tt.want)
			}
		})
	}
}
