package rdstats

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func mustParse(t *testing.T, doc string) *Stats {
	t.Helper()
	s, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return s
}

// Missing fields are zero, unknown ones (of every JSON kind) are ignored,
// and the document may be pretty-printed.
func TestMissingAndUnknownFields(t *testing.T) {
	s := mustParse(t, `{}`)
	if !reflect.DeepEqual(*s, Stats{}) {
		t.Errorf("Parse({}) = %+v, want the zero Stats", *s)
	}
	s = mustParse(t, " \n{\n  \"eos\": {\"idemp_state\": \"Assigned\", \"producer_id\": -1},\n"+
		"  \"x\": [1, -2.5e+3, true, false, null, \"\\u00e9\\n\", [], {}],\n"+
		"  \"brokers\": {\"b/1\": {\"req\": {\"Produce\": 3}, \"toppars\": {\"t-0\": {\"topic\": \"t\", \"partition\": 0}}}},\n"+
		"  \"ts\": 7\r\n}\t")
	want := Stats{TS: 7, Brokers: []Broker{{Name: "b/1"}}}
	if !reflect.DeepEqual(*s, want) {
		t.Errorf("got %+v, want %+v", *s, want)
	}
}

// null reads as the zero value; a topic or partition that is null is there,
// with nothing in it.
func TestNull(t *testing.T) {
	s := mustParse(t, `{"name":null,"ts":null,"cgrp":null,"brokers":{"b/1":null},`+
		`"topics":{"t":null,"u":{"partitions":{"0":null,"1":{"leader":null,"rtt":null}}}}}`)
	want := Stats{
		Brokers: []Broker{{Name: "b/1"}},
		Topics:  []Topic{{Name: "t"}, {Name: "u", Partitions: []Partition{{ID: 0}, {ID: 1}}}},
	}
	if !reflect.DeepEqual(*s, want) {
		t.Errorf("got %+v, want %+v", *s, want)
	}
}

// Brokers and topics come back sorted by name and partitions by id, with
// the UA partition left out, whatever order the document has them in.
func TestSortedAndUAPartitionSkipped(t *testing.T) {
	s := mustParse(t, `{"brokers":{"GroupCoordinator":{"nodeid":-1},"b:9092/2":{"nodeid":2},"b:9092/1":{"nodeid":1}},`+
		`"topics":{"zeta":{"partitions":{"-1":{"msgq_cnt":5},"10":{},"2":{},"0":{}}},"alpha":{"partitions":{"-1":{}}}}}`)
	var brokers []string
	for _, b := range s.Brokers {
		brokers = append(brokers, b.Name)
	}
	if want := []string{"GroupCoordinator", "b:9092/1", "b:9092/2"}; !reflect.DeepEqual(brokers, want) {
		t.Errorf("brokers %q, want %q", brokers, want)
	}
	if len(s.Topics) != 2 || s.Topics[0].Name != "alpha" || s.Topics[0].Partitions != nil || s.Topics[1].Name != "zeta" {
		t.Fatalf("topics %+v, want alpha (no partitions) then zeta", s.Topics)
	}
	var ids []int32
	for _, p := range s.Topics[1].Partitions {
		ids = append(ids, p.ID)
	}
	if want := []int32{0, 2, 10}; !reflect.DeepEqual(ids, want) {
		t.Errorf("partition ids %v, want %v", ids, want)
	}
}

// A repeated key counts once, with its last value, as encoding/json does
// with a map: nested objects are replaced, not merged.
func TestRepeatedKeys(t *testing.T) {
	s := mustParse(t, `{"ts":1,"ts":2,"cgrp":{"state":"init"},"cgrp":{"join_state":"steady"},`+
		`"brokers":{"b/1":{"nodeid":1,"rtt":{"avg":5,"p99":9}},"b/1":{"nodeid":1,"rtt":{"avg":6}}},`+
		`"topics":{"t":{"partitions":{"0":{"leader":1},"0":{"leader":2},"1":{}},"partitions":{"0":{"leader":3}}},`+
		`"u":{"partitions":{"5":{}}},"u":{"partitions":{"6":{}}}}}`)
	want := Stats{
		TS:      2,
		Cgrp:    &ConsumerGroup{JoinState: "steady"},
		Brokers: []Broker{{Name: "b/1", NodeID: 1, RTT: Window{Avg: 6}}},
		Topics: []Topic{
			{Name: "t", Partitions: []Partition{{ID: 0, Leader: 3}}},
			{Name: "u", Partitions: []Partition{{ID: 6}}},
		},
	}
	if !reflect.DeepEqual(*s, want) {
		t.Errorf("got %+v, want %+v", *s, want)
	}
	s = mustParse(t, `{"topics":{"t":{"partitions":{"1":{}}}},"topics":{"u":{}}}`)
	if len(s.Topics) != 1 || s.Topics[0].Name != "u" {
		t.Errorf("a second topics member: got %+v, want only u", s.Topics)
	}
}

// Escaped keys and strings decode as encoding/json decodes them.
func TestEscapes(t *testing.T) {
	s := mustParse(t, `{"n\u0061me":"a\"b\u00e9\ud83d\ude00","brokers":{"b\/1":{"state":"\u0055P"}},`+
		`"topics":{"caf\u00e9":{"partitions":{"\u0031":{"fetch_state":"active"}}}}}`)
	if s.Name != "a\"bé😀" || s.Brokers[0].Name != "b/1" || s.Brokers[0].State != "UP" ||
		s.Topics[0].Name != "café" || s.Topics[0].Partitions[0].ID != 1 {
		t.Errorf("got %+v", s)
	}
	s = mustParse(t, "{\"name\":\"a\xffb\"}")
	if s.Name != "a\uFFFDb" {
		t.Errorf("invalid UTF-8: got %q, want it replaced as encoding/json does", s.Name)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		syntax    bool   // a *json.SyntaxError is wrapped
		contains  string // in the message
	}{
		{"empty", ``, true, "unexpected end of JSON input"},
		{"blank", " \n ", true, "unexpected end of JSON input"},
		{"truncated", `{"name":"rdkafka#consumer-1","brokers":{"b/1":{"nodeid":1`, true, "unexpected end of JSON input"},
		{"truncated in a string", `{"name":"rdk`, true, "unexpected end"},
		{"trailing data", `{} {}`, true, "invalid character '{' after top-level value"},
		{"bad literal", `{"x":nul}`, true, "invalid character"},
		{"bad escape", `{"name":"\x"}`, true, "invalid character 'x' in string escape code"},
		{"control character", "{\"name\":\"a\nb\"}", true, "invalid character"},
		{"leading zero", `{"ts":01}`, true, "invalid character '1' after object key:value pair"},
		{"missing colon", `{"ts" 1}`, true, "invalid character"},
		{"trailing comma", `{"ts":1,}`, true, "invalid character '}'"},
		{"type error before a truncation", `{"ts":"x","brokers":{`, true, "unexpected end"},
		{"too deep", `{"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, true, "exceeded max depth"},

		{"null document", `null`, false, "not a JSON object"},
		{"array document", `[{"ts":1}]`, false, "not a JSON object"},
		{"string ts", `{"ts":"1"}`, false, `field "ts" at offset 6: want an integer, have "1"`},
		{"fraction", `{"msg_cnt":1.5}`, false, `want an integer, have 1.5`},
		{"exponent", `{"msg_cnt":1e3}`, false, `want an integer, have 1e3`},
		{"int64 overflow", `{"ts":9223372036854775808}`, false, "want an integer that fits in int64, have 9223372036854775808"},
		{"int64 underflow", `{"ts":-9223372036854775809}`, false, "fits in int64"},
		{"huge", `{"ts":` + strings.Repeat("9", 40) + `}`, false, "fits in int64"},
		{"int32 overflow", `{"brokers":{"b":{"nodeid":2147483648}}}`, false, `field "nodeid"`},
		{"leader overflow", partDoc(`"leader":-2147483649`), false, `field "leader"`},
		{"object for string", `{"type":{}}`, false, `field "type" at offset 8: want a string, have {}`},
		{"bool for integer", partDoc(`"hi_offset":true`), false, "want an integer, have true"},
		{"array for brokers", `{"brokers":[]}`, false, `field "brokers" at offset 11: want an object, have []`},
		{"string for broker", `{"brokers":{"b/1":"UP"}}`, false, `field "b/1"`},
		{"number for rtt", brokerDoc(`"rtt":3`), false, `field "rtt"`},
		{"number for cgrp", `{"cgrp":1}`, false, `field "cgrp"`},
		{"number for topic", `{"topics":{"t":1}}`, false, `field "t"`},
		{"number for partitions", `{"topics":{"t":{"partitions":1}}}`, false, `field "partitions"`},
		{"string for partition", `{"topics":{"t":{"partitions":{"0":"x"}}}}`, false, `field "0"`},
		{"partition key not a number", `{"topics":{"t":{"partitions":{"x":{}}}}}`, false, `topic "t": partition key "x" is not a partition id`},
		{"partition key with a leading zero", `{"topics":{"t":{"partitions":{"01":{}}}}}`, false, `partition key "01"`},
		{"partition key -0", `{"topics":{"t":{"partitions":{"-0":{}}}}}`, false, `partition key "-0"`},
		{"partition key past int32", `{"topics":{"t":{"partitions":{"2147483648":{}}}}}`, false, `partition key "2147483648"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse(%.60s) = %+v, want an error", tt.doc, s)
			}
			if s != nil {
				t.Errorf("Parse returned %+v with its error", s)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "rdstats: ") || !strings.Contains(msg, tt.contains) {
				t.Errorf("error %q, want it prefixed %q and containing %q", msg, "rdstats: ", tt.contains)
			}
			var syn *json.SyntaxError
			if errors.As(err, &syn) != tt.syntax {
				t.Errorf("errors.As(%q, *json.SyntaxError) = %v, want %v", msg, !tt.syntax, tt.syntax)
			}
		})
	}
}

// The extremes of each integer width are in range.
func TestIntegerLimits(t *testing.T) {
	s := mustParse(t, `{"ts":-9223372036854775808,"msg_cnt":9223372036854775807,"replyq":-0,`+
		`"brokers":{"b":{"nodeid":-2147483648}},"topics":{"t":{"partitions":{"2147483647":{"leader":2147483647}}}}}`)
	if s.TS != -9223372036854775808 || s.MsgCnt != 9223372036854775807 || s.ReplyQ != 0 ||
		s.Brokers[0].NodeID != -2147483648 || s.Topics[0].Partitions[0].ID != 2147483647 ||
		s.Topics[0].Partitions[0].Leader != 2147483647 {
		t.Errorf("got %+v", s)
	}
}

func TestLag(t *testing.T) {
	tests := []struct {
		lag, stored int64
		want        int64
		ok          bool
	}{
		{lag: 7, stored: 9, want: 7, ok: true},
		{lag: 0, stored: 0, want: 0, ok: true},
		{lag: -1, stored: -1, want: -1, ok: false},
	}
	for _, tt := range tests {
		p := Partition{ConsumerLag: tt.lag, ConsumerLagStored: tt.stored}
		if got, ok := p.Lag(); got != tt.want || ok != tt.ok {
			t.Errorf("Partition{ConsumerLag: %d}.Lag() = %d, %v; want %d, %v", tt.lag, got, ok, tt.want, tt.ok)
		}
		if got, ok := p.StoredLag(); got != tt.stored || ok != tt.ok {
			t.Errorf("Partition{ConsumerLagStored: %d}.StoredLag() = %d, %v; want %d, %v", tt.stored, got, ok, tt.stored, tt.ok)
		}
	}
}
