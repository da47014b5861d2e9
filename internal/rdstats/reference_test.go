package rdstats

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// referenceParse is Parse written the slow, obvious way, as the oracle of
// the fuzz and generator tests: encoding/json decodes the document into
// maps, and the fields are picked out of them by exact key. Only whether it
// fails is compared, not its error text.
func referenceParse(data []byte) (*Stats, error) {
	if !json.Valid(data) {
		return nil, errors.New("invalid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not an object")
	}
	r := &refReader{}
	s := &Stats{
		Name:     r.str(top["name"]),
		ClientID: r.str(top["client_id"]),
		Type:     r.str(top["type"]),
		TS:       r.int(top["ts"], 64),
		MsgCnt:   r.int(top["msg_cnt"], 64),
		MsgSize:  r.int(top["msg_size"], 64),
		ReplyQ:   r.int(top["replyq"], 64),
	}
	for name, bv := range r.obj(top["brokers"]) {
		b := r.obj(bv)
		rtt := r.obj(b["rtt"])
		s.Brokers = append(s.Brokers, Broker{
			Name:        name,
			NodeID:      int32(r.int(b["nodeid"], 32)),
			State:       r.str(b["state"]),
			OutbufCnt:   r.int(b["outbuf_cnt"], 64),
			WaitrespCnt: r.int(b["waitresp_cnt"], 64),
			RTT:         Window{Avg: r.int(rtt["avg"], 64), P99: r.int(rtt["p99"], 64)},
		})
	}
	slices.SortFunc(s.Brokers, func(x, y Broker) int { return strings.Compare(x.Name, y.Name) })
	for name, tv := range r.obj(top["topics"]) {
		t := Topic{Name: name}
		for key, pv := range r.obj(r.obj(tv)["partitions"]) {
			id, err := strconv.ParseInt(key, 10, 32)
			if err != nil || strconv.Itoa(int(id)) != key {
				r.fail(fmt.Errorf("partition key %q", key))
			}
			pm := r.obj(pv)
			p := Partition{
				ID:                int32(id),
				Leader:            int32(r.int(pm["leader"], 32)),
				MsgqCnt:           r.int(pm["msgq_cnt"], 64),
				XmitMsgqCnt:       r.int(pm["xmit_msgq_cnt"], 64),
				FetchqCnt:         r.int(pm["fetchq_cnt"], 64),
				AppOffset:         r.int(pm["app_offset"], 64),
				StoredOffset:      r.int(pm["stored_offset"], 64),
				CommittedOffset:   r.int(pm["committed_offset"], 64),
				HiOffset:          r.int(pm["hi_offset"], 64),
				LsOffset:          r.int(pm["ls_offset"], 64),
				ConsumerLag:       r.int(pm["consumer_lag"], 64),
				ConsumerLagStored: r.int(pm["consumer_lag_stored"], 64),
				FetchState:        r.str(pm["fetch_state"]),
			}
			if id != -1 {
				t.Partitions = append(t.Partitions, p)
			}
		}
		slices.SortFunc(t.Partitions, func(x, y Partition) int { return int(x.ID) - int(y.ID) })
		s.Topics = append(s.Topics, t)
	}
	slices.SortFunc(s.Topics, func(x, y Topic) int { return strings.Compare(x.Name, y.Name) })
	if g, ok := top["cgrp"]; ok && g != nil {
		m := r.obj(g)
		s.Cgrp = &ConsumerGroup{
			State:          r.str(m["state"]),
			JoinState:      r.str(m["join_state"]),
			AssignmentSize: r.int(m["assignment_size"], 64),
			RebalanceCnt:   r.int(m["rebalance_cnt"], 64),
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}

// refReader converts decoded values, remembering the first failure; null
// (nil) converts to the zero value.
type refReader struct{ err error }

func (r *refReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *refReader) str(v any) string {
	s, ok := v.(string)
	if !ok && v != nil {
		r.fail(fmt.Errorf("want a string, have %T", v))
	}
	return s
}

func (r *refReader) int(v any, bits int) int64 {
	if v == nil {
		return 0
	}
	n, ok := v.(json.Number)
	if !ok {
		r.fail(fmt.Errorf("want a number, have %T", v))
		return 0
	}
	i, err := strconv.ParseInt(string(n), 10, bits)
	if err != nil {
		r.fail(err)
	}
	return i
}

func (r *refReader) obj(v any) map[string]any {
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		r.fail(fmt.Errorf("want an object, have %T", v))
	}
	return m
}
