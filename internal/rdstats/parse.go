package rdstats

import (
	"encoding/json"
	"errors"
	"fmt"
)

// errNotObject reports a document that is valid JSON but not an object.
var errNotObject = errors.New("rdstats: statistics document is not a JSON object")

// Parse decodes one librdkafka statistics document. It never panics. It
// returns an error, prefixed "rdstats: ", when data is not one complete JSON
// object (wrapping encoding/json's description, a *json.SyntaxError), when a
// used field has the wrong type or a number that does not fit it, or when a
// partition key is not a partition id. Unknown fields are ignored; missing
// and null ones are zero. Keys match exactly, and when one repeats the last
// value counts, as with encoding/json and a map.
func Parse(data []byte) (*Stats, error) {
	d := decoder{data: data}
	s, err := d.document()
	if err == nil {
		return s, nil
	}
	// A syntax error anywhere outranks a type error before it: a truncated
	// document says so.
	if jerr := json.Unmarshal(data, new(struct{})); jerr != nil {
		var syn *json.SyntaxError
		if errors.As(jerr, &syn) {
			return nil, fmt.Errorf("rdstats: %w", jerr)
		}
	}
	if errors.Is(err, errSyntax) { // encoding/json accepts it: a bug here
		return nil, fmt.Errorf("rdstats: invalid JSON near offset %d", d.pos)
	}
	return nil, err
}

// document reads the whole document.
func (d *decoder) document() (*Stats, error) {
	if d.ws() != '{' {
		if err := d.skip(); err != nil {
			return nil, err
		}
		if d.ws() != 0 || d.pos < len(d.data) {
			return nil, errSyntax
		}
		return nil, errNotObject
	}
	s := new(Stats)
	b := builder{parts: make([]Partition, 0, len(d.data)/600+1)}
	err := d.object(func(key []byte) (err error) {
		switch string(key) {
		case "name":
			s.Name, err = d.str(key)
		case "client_id":
			s.ClientID, err = d.str(key)
		case "type":
			s.Type, err = d.str(key)
		case "ts":
			s.TS, err = d.integer(key, 64)
		case "msg_cnt":
			s.MsgCnt, err = d.integer(key, 64)
		case "msg_size":
			s.MsgSize, err = d.integer(key, 64)
		case "replyq":
			s.ReplyQ, err = d.integer(key, 64)
		case "brokers":
			s.Brokers, err = d.brokers(key)
		case "topics":
			err = d.topics(key, &b)
		case "cgrp":
			s.Cgrp, err = d.cgrp(key)
		default:
			err = d.skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if d.ws() != 0 || d.pos < len(d.data) {
		return nil, errSyntax
	}
	s.Brokers = sortBrokers(s.Brokers)
	s.Topics = b.topics()
	return s, nil
}

// entries reads an object of named entries (null reads as none), calling
// entry for each with its key; entry must read the value.
func (d *decoder) entries(key []byte, entry func(name []byte) error) error {
	if d.null() {
		return nil
	}
	if d.ws() != '{' {
		return d.typeError(key, "an object")
	}
	return d.object(entry)
}

// brokers reads the brokers object.
func (d *decoder) brokers(key []byte) ([]Broker, error) {
	var out []Broker
	err := d.entries(key, func(name []byte) error {
		var b Broker
		var err error
		if b.Name, err = d.key(); err != nil {
			return err
		}
		err = d.entries(name, func(k []byte) (err error) {
			switch string(k) {
			case "nodeid":
				var v int64
				v, err = d.integer(k, 32)
				b.NodeID = int32(v)
			case "state":
				b.State, err = d.str(k)
			case "outbuf_cnt":
				b.OutbufCnt, err = d.integer(k, 64)
			case "waitresp_cnt":
				b.WaitrespCnt, err = d.integer(k, 64)
			case "rtt":
				b.RTT, err = d.window(k)
			default:
				err = d.skip()
			}
			return err
		})
		out = append(out, b)
		return err
	})
	return out, err
}

// window reads a rolling-window statistic.
func (d *decoder) window(key []byte) (Window, error) {
	var w Window
	err := d.entries(key, func(k []byte) (err error) {
		switch string(k) {
		case "avg":
			w.Avg, err = d.integer(k, 64)
		case "p99":
			w.P99, err = d.integer(k, 64)
		default:
			err = d.skip()
		}
		return err
	})
	return w, err
}

// cgrp reads the cgrp object; null reads as nil.
func (d *decoder) cgrp(key []byte) (*ConsumerGroup, error) {
	if d.null() {
		return nil, nil
	}
	g := new(ConsumerGroup)
	err := d.entries(key, func(k []byte) (err error) {
		switch string(k) {
		case "state":
			g.State, err = d.str(k)
		case "join_state":
			g.JoinState, err = d.str(k)
		case "assignment_size":
			g.AssignmentSize, err = d.integer(k, 64)
		case "rebalance_cnt":
			g.RebalanceCnt, err = d.integer(k, 64)
		default:
			err = d.skip()
		}
		return err
	})
	return g, err
}

// topics reads the topics object into b, replacing what an earlier topics
// member put there.
func (d *decoder) topics(key []byte, b *builder) error {
	b.reset()
	return d.entries(key, func(tk []byte) error {
		name, err := d.key()
		if err != nil {
			return err
		}
		b.startTopic(name)
		return d.entries(tk, func(k []byte) error {
			if string(k) != "partitions" {
				return d.skip()
			}
			b.resetTopic()
			return d.entries(k, func(pk []byte) error {
				id, ok := partitionID(pk)
				if !ok {
					return fmt.Errorf("rdstats: topic %q: partition key %q is not a partition id", name, pk)
				}
				p, err := d.partition(pk)
				if err == nil && id != uaPartition {
					p.ID = id
					b.add(p)
				}
				return err
			})
		})
	})
}

// partition reads one partitions entry.
func (d *decoder) partition(key []byte) (Partition, error) {
	var p Partition
	err := d.entries(key, func(k []byte) (err error) {
		var v int64
		switch string(k) {
		case "leader":
			v, err = d.integer(k, 32)
			p.Leader = int32(v)
		case "msgq_cnt":
			p.MsgqCnt, err = d.integer(k, 64)
		case "xmit_msgq_cnt":
			p.XmitMsgqCnt, err = d.integer(k, 64)
		case "fetchq_cnt":
			p.FetchqCnt, err = d.integer(k, 64)
		case "app_offset":
			p.AppOffset, err = d.integer(k, 64)
		case "stored_offset":
			p.StoredOffset, err = d.integer(k, 64)
		case "committed_offset":
			p.CommittedOffset, err = d.integer(k, 64)
		case "hi_offset":
			p.HiOffset, err = d.integer(k, 64)
		case "ls_offset":
			p.LsOffset, err = d.integer(k, 64)
		case "consumer_lag":
			p.ConsumerLag, err = d.integer(k, 64)
		case "consumer_lag_stored":
			p.ConsumerLagStored, err = d.integer(k, 64)
		case "fetch_state":
			p.FetchState, err = d.str(k)
		default:
			err = d.skip()
		}
		return err
	})
	return p, err
}
