package cli_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Nothing listens at the bootstrap address: every subcommand gives one line
// and exit 1 within the --timeout, instead of librdkafka's endless logs.
func TestUnreachableBrokers(t *testing.T) {
	var wg sync.WaitGroup
	for _, args := range [][]string{
		{"inspect", "-t", "orders"},
		{"inspect", "-t", "orders", "--follow"},
		{"group", "-g", "g"},
		{"group", "-g", "g", "-t", "orders"},
		{"trace", "-t", "orders", "-p", "0", "-o", "0", "--jaeger", "http://127.0.0.1:1"},
	} {
		wg.Add(1)
		go func() { // concurrently: each waits for its timeout
			defer wg.Done()
			res := run(t, append(args, "-b", "127.0.0.1:1", "--timeout", "2s")...)
			line := res.failed(t, 1, "cannot reach the brokers at 127.0.0.1:1 within 2s", "-b/--bootstrap-server")
			assert.Less(t, res.took, 5*time.Second, "%v", args)
			assert.Empty(t, res.stdout)
			t.Logf("%s (%v): %s", args[0], res.took.Round(time.Millisecond), line)
		}()
	}
	wg.Wait()
}

// A topic, partition, offset or group that does not exist: one line, exit 1.
func TestMissingTopicAndGroup(t *testing.T) {
	topic := unique(t, "t")
	mc := mockCluster(t, topic, 1)
	bs := mc.BootstrapServers()
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"inspect", "-t", "nope"}, []string{`topic "nope" not found`}},
		{[]string{"inspect", "-t", topic, "-p", "7"}, []string{`partition 7 not found: topic "` + topic + `" has 1 partition(s)`}},
		{[]string{"inspect", "-t", topic, "-p", "0", "-o", "5"}, []string{"offset 5 of " + topic + " [0] is past the last message (the next offset is 0"}},
		{[]string{"group", "-g", "nope"}, []string{`group "nope" not found (no committed offsets`}},
		{[]string{"group", "-g", "nope", "-t", topic}, []string{`group "nope" not found (no committed offsets on topic ` + topic}},
		{[]string{"group", "-g", "nope", "-t", "nope"}, []string{`topic "nope" not found`}},
		{[]string{"trace", "-t", "nope", "-p", "0", "-o", "0", "--jaeger", "http://127.0.0.1:1"}, []string{`topic "nope" not found`}},
		{[]string{"trace", "-t", topic, "-p", "0", "-o", "0", "--jaeger", "http://127.0.0.1:1"}, []string{"no offset 0 in " + topic + " [0]: the partition is empty"}},
	} {
		res := run(t, append(c.args, "-b", bs, "--timeout", "5s")...)
		line := res.failed(t, 1, c.want...)
		t.Logf("%s", line)
	}
}

// Bad flags and arguments: one line, exit 2; --help: usage on stdout, exit 0.
func TestUsage(t *testing.T) {
	t.Setenv("KAFKA_BOOTSTRAP_SERVERS", "")
	t.Setenv("JAEGER_QUERY_URL", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"inspect", "-b", "x"}, "-t/--topic is required"},
		{[]string{"inspect", "-t", "x"}, "no brokers: set -b/--bootstrap-server or KAFKA_BOOTSTRAP_SERVERS"},
		{[]string{"inspect", "-b", "x", "-t", "x", "-o", "3"}, "-o/--offset requires -p/--partition"},
		{[]string{"inspect", "-b", "x", "-t", "x", "-p", "0", "-o", "3", "--last", "2"}, "exclusive"},
		{[]string{"inspect", "-b", "x", "-t", "x", "--count", "2"}, "--count goes with -o/--offset"},
		{[]string{"inspect", "-b", "x", "-t", "x", "--nope"}, "flag provided but not defined: -nope (see kafkatrace inspect --help)"},
		{[]string{"inspect", "-b", "x", "-t", "x", "-p", "zero"}, `invalid value "zero" for flag -p`},
		{[]string{"inspect", "-b", "x", "-t", "x", "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"inspect", "-b", "x", "-t", "x", "-X", "novalue"}, "want key=value"},
		{[]string{"inspect", "-b", "x", "-t", "x", "-X", "no.such.property=1"}, "invalid client configuration"},
		{[]string{"inspect", "-b", "x", "-t", "x", "extra"}, `unexpected argument "extra"`},
		{[]string{"inspect", "-b", "x", "-t", "x", "-X", "group.id=mine"}, "-X group.id: the command never joins a group"},
		{[]string{"inspect", "-b", "x", "-t", "x", "-X", "enable.auto.commit=true"}, "-X enable.auto.commit: the command never commits"},
		{[]string{"inspect", "-b", "x", "-t", "x", "-X", "bootstrap.servers=y"}, "-X bootstrap.servers: give the brokers with -b"},
		{[]string{"group", "-b", "x"}, "-g/--group is required"},
		{[]string{"trace", "--jaeger", "http://j"}, "give a trace ID, or a message with -t TOPIC -p PARTITION -o OFFSET"},
		{[]string{"trace", "abc", "--jaeger", "http://j"}, `invalid trace ID "abc"`},
		{[]string{"trace", "4bf92f3577b34da6a3ce929d0e0e4736"}, "no Jaeger: set --jaeger URL or JAEGER_QUERY_URL"},
		{[]string{"trace", "4bf92f3577b34da6a3ce929d0e0e4736", "--jaeger", "ftp://j"}, `--jaeger "ftp://j": want Jaeger's query URL`},
		{[]string{"trace", "4bf92f3577b34da6a3ce929d0e0e4736", "--jaeger", "http://[::1"}, `--jaeger "http://[::1": want Jaeger's query URL`},
		{[]string{"trace", "-t", "x", "-p", "0", "--jaeger", "http://j"}, "all three"},
		{[]string{"trace", "4bf92f3577b34da6a3ce929d0e0e4736", "-t", "x", "--jaeger", "http://j"}, "not both"},
	} {
		line := run(t, c.args...).failed(t, 2, c.want)
		t.Logf("%s", line)
	}
	res := run(t)
	assert.Equal(t, 2, res.code)
	assert.Contains(t, res.stderr, "Usage: kafkatrace COMMAND")

	for _, sub := range []string{"inspect", "trace", "group"} {
		for _, h := range []string{"-h", "--help"} {
			out := run(t, sub, h).ok(t)
			require.True(t, strings.HasPrefix(out, "Usage: kafkatrace "+sub+" "), out)
			assert.Contains(t, out, "-b, --bootstrap-server")
			assert.Contains(t, out, "Exit codes: 0 done, 1 failed")
		}
	}
	assert.Contains(t, run(t, "--help").ok(t), "Commands:")
	assert.Contains(t, run(t, "version").ok(t), "kafkatrace ")
}
