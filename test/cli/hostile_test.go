package cli_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const validTP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

// Hostile headers (10,000 of them, a 1 MiB traceparent, invalid UTF-8,
// terminal escapes, malformed and duplicate trace context) are shown
// escaped, truncated and marked invalid, quickly and with bounded output.
func TestInspectHostileHeaders(t *testing.T) {
	topic := unique(t, "t")
	mc := mockCluster(t, topic, 1)
	p := rawProducer(t, mc.BootstrapServers(), kafka.ConfigMap{"message.max.bytes": 4 << 20})

	many := []kafka.Header{{Key: "traceparent", Value: []byte(validTP)}}
	for i := 1; i < 10000; i++ {
		many = append(many, kafka.Header{Key: fmt.Sprintf("x-%d", i), Value: []byte("v")})
	}
	huge := "00-" + strings.Repeat("a", 1<<20-3)
	var members []string
	for i := 0; i < 1000; i++ {
		members = append(members, fmt.Sprintf("k%d=v", i))
	}
	produce(t, p, topic,
		&kafka.Message{Headers: many},
		&kafka.Message{Headers: []kafka.Header{{Key: "traceparent", Value: []byte(huge)}, {Key: "tracestate", Value: []byte(strings.Join(members, ","))}}},
		&kafka.Message{Key: []byte("\xff\x00k"), Headers: []kafka.Header{
			{Key: "trace\xffparent", Value: []byte("\xff\xfe")},
			{Key: "traceparent", Value: []byte("00-4bf92f3577b34da6a3ce929d0e0e47\xff\xff-00f067aa0ba902b7-01")},
			{Key: "tracestate", Value: []byte("k=\xff,ok=1,Bad=1")},
			{Key: "baggage", Value: []byte("user=%zz,snow=%E2%98%83;prop=1, bad key=1")},
		}},
		&kafka.Message{Headers: hdr("traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01")},
		&kafka.Message{Headers: hdr("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01")},
		&kafka.Message{Headers: hdr("traceparent", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")},
		&kafka.Message{Headers: hdr("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n\x1b[31mred")},
		&kafka.Message{Headers: hdr("traceparent", validTP, "traceparent", "garbage", "TRACEPARENT", "x", "uber-trace-id", "abc:0:0:1", "b3", "1-2-3-4-5")},
	)
	bs := mc.BootstrapServers()
	args := []string{"inspect", "-b", bs, "-t", topic, "-p", "0", "-o", "0", "--count", "8", "--show-key", "--all-headers"}

	res := run(t, append(args, "--json")...)
	out := res.ok(t)
	assert.Less(t, res.took, 10*time.Second)
	assert.Less(t, len(out), 64<<10, "bounded output for 10,000 headers and 1 MiB values")
	assert.True(t, utf8.ValidString(out), "JSON output is valid UTF-8")
	recs := jsonLines(t, out)
	require.Len(t, recs, 8)
	t.Logf("inspect --json, messages 2 to 7:\n%s", strings.Join(strings.Split(out, "\n")[2:], "\n"))

	// 10,000 headers: counted, 32 others listed, the traceparent found.
	assert.EqualValues(t, 10000, get(t, recs[0], "headers"))
	assert.EqualValues(t, 9999, get(t, recs[0], "other_headers"))
	assert.Len(t, get(t, recs[0], "other_header_list"), 32)
	assert.Equal(t, true, get(t, recs[0], "trace", "traceparent", "valid"))

	// 1 MiB traceparent: invalid, its raw value cut to 256 bytes; 1000
	// tracestate members: 32 listed, the rest counted.
	tp := get(t, recs[1], "trace", "traceparent")
	assert.Equal(t, false, get(t, tp, "valid"))
	assert.Equal(t, "too long (1048576 bytes)", get(t, tp, "error"))
	assert.EqualValues(t, 1<<20, get(t, tp, "size"))
	assert.Equal(t, huge[:256]+"… (1048576 bytes)", get(t, tp, "raw"))
	assert.Len(t, get(t, recs[1], "trace", "tracestate", "members"), 32)
	assert.EqualValues(t, 968, get(t, recs[1], "trace", "tracestate", "more"))
	assert.Equal(t, "1000 members, W3C allows 32", get(t, recs[1], "trace", "tracestate", "error"))

	// Invalid UTF-8 in names, values and the key: escaped.
	assert.Equal(t, `\xff\x00k`, get(t, recs[2], "key"))
	assert.Equal(t, map[string]any{"key": `trace\xffparent`, "value": `\xff\xfe`}, get(t, recs[2], "other_header_list", 0))
	assert.Equal(t, map[string]any{"valid": false, "error": "trace-id is not 32 lowercase hex digits",
		"raw": `00-4bf92f3577b34da6a3ce929d0e0e47\xff\xff-00f067aa0ba902b7-01`, "size": 55.0}, get(t, recs[2], "trace", "traceparent"))
	assert.Equal(t, []any{
		map[string]any{"key": "k", "value": `\xff`, "error": "invalid value"},
		map[string]any{"key": "ok", "value": "1"},
		map[string]any{"key": "Bad", "value": "1", "error": "invalid key"},
	}, get(t, recs[2], "trace", "tracestate", "members"))
	assert.Equal(t, []any{
		map[string]any{"key": "user", "value": "%zz", "error": "bad percent-encoding"},
		map[string]any{"key": "snow", "value": "☃", "properties": []any{"prop=1"}},
		map[string]any{"key": "bad key", "value": "1", "error": "invalid key"},
	}, get(t, recs[2], "trace", "baggage", "members"))

	for i, want := range map[int]string{
		3: "trace-id is not 32 lowercase hex digits",
		4: "trace-id is all zeros",
		5: "version ff is forbidden",
		6: "version 00 must be 55 bytes, got 64",
	} {
		assert.Equal(t, false, get(t, recs[i], "trace", "traceparent", "valid"), "message %d", i)
		assert.Equal(t, want, get(t, recs[i], "trace", "traceparent", "error"), "message %d", i)
	}
	assert.Equal(t, `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n\x1b[31mred`, get(t, recs[6], "trace", "traceparent", "raw"))

	// Duplicates: the first decoded, the others counted; bad legacy headers
	// do not hide the valid traceparent.
	assert.Equal(t, true, get(t, recs[7], "trace", "traceparent", "valid"))
	assert.EqualValues(t, 2, get(t, recs[7], "trace", "traceparent", "duplicates"))
	assert.Equal(t, false, get(t, recs[7], "trace", "uber_trace_id", "valid"))
	assert.Equal(t, "span-id is zero", get(t, recs[7], "trace", "uber_trace_id", "error"))
	assert.Equal(t, false, get(t, recs[7], "trace", "b3", "valid"))
	assert.Equal(t, "traceparent", get(t, recs[7], "trace", "trace_id_from"))

	res = run(t, args...)
	human := res.ok(t)
	assert.Less(t, res.took, 10*time.Second)
	assert.Less(t, len(human), 64<<10)
	assert.NotContains(t, human, "\x1b", "no terminal escape reaches the terminal")
	assert.True(t, utf8.ValidString(human))
	for _, want := range []string{
		"  headers        10000 (9999 not trace context)\n",
		"… 9967 more\n",
		"  traceparent    invalid: too long (1048576 bytes): \"00-aaaa",
		"aaa… (1048576 bytes)\"\n",
		"  key            \"\\xff\\x00k\"\n",
		"    header       \"trace\\xffparent\" = \"\\xff\\xfe\"\n",
		"  tracestate     k=\\xff (invalid value), ok=1, Bad=1 (invalid key)\n",
		"  baggage        user=%zz (bad percent-encoding), snow=☃;prop=1, bad key=1 (invalid key)\n",
		"  traceparent    invalid: trace-id is all zeros: \"00-00000000000000000000000000000000-00f067aa0ba902b7-01\"\n",
		"  traceparent    invalid: version 00 must be 55 bytes, got 64: \"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\\n\\x1b[31mred\"\n",
		"                 2 duplicates ignored (the first is shown)\n",
		"  uber-trace-id  invalid: span-id is zero: \"abc:0:0:1\"\n",
		"  b3             invalid: want traceid-spanid-sampled-parentspanid, got 5 fields: \"1-2-3-4-5\"\n",
	} {
		assert.Contains(t, human, want)
	}
	t.Logf("inspect output (%d bytes, %v):\n%s", len(human), res.took, human[strings.Index(human, topic+" [0] @ 2"):])
}
