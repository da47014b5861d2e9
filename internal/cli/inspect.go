package cli

import (
	"context"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

const inspectUsage = `Usage: kafkatrace inspect -t TOPIC [-p PARTITION] [-o OFFSET [--count N] | --last N] [--follow] [flags]

Shows each message's topic, partition, offset, timestamp and age, and its
trace context decoded: traceparent (trace ID, parent span ID, sampled),
tracestate and baggage members, and legacy uber-trace-id and B3 headers.
Malformed headers are shown escaped, truncated and marked invalid.

Without -o, shows the last 10 messages of each partition (of -p only, if
given). --follow then keeps printing new messages until interrupted; alone,
it prints only messages produced from now on.

Flags:
  -t, --topic TOPIC            topic to read (required)
  -p, --partition N            only this partition (default: all)
  -o, --offset OFFSET          start at this offset (requires -p)
      --count N                with -o: how many messages (default 1)
      --last N                 the last N messages of each partition (default 10)
  -f, --follow                 keep reading new messages until interrupted
      --show-key               show message keys (escaped, truncated)
      --all-headers            also list the headers that are not trace context
      --jaeger URL             Jaeger query URL, to print each trace's link
                               (default $JAEGER_QUERY_URL)
` + commonUsage

// inspectFlags are inspect's own flags.
type inspectFlags struct {
	common
	topic                string
	partition            int
	offset               int64
	count, last          int
	follow, showKey, all bool
	jaeger               string
}

func runInspect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f inspectFlags
	fs := newFlagSet("inspect", inspectUsage, stdout)
	f.register(fs)
	fs.StringVar(&f.topic, "t", "", "")
	fs.StringVar(&f.topic, "topic", "", "")
	fs.IntVar(&f.partition, "p", -1, "")
	fs.IntVar(&f.partition, "partition", -1, "")
	fs.Int64Var(&f.offset, "o", -1, "")
	fs.Int64Var(&f.offset, "offset", -1, "")
	fs.IntVar(&f.count, "count", 1, "")
	fs.IntVar(&f.last, "last", 10, "")
	fs.BoolVar(&f.follow, "f", false, "")
	fs.BoolVar(&f.follow, "follow", false, "")
	fs.BoolVar(&f.showKey, "show-key", false, "")
	fs.BoolVar(&f.all, "all-headers", false, "")
	fs.StringVar(&f.jaeger, "jaeger", strings.TrimSpace(os.Getenv("JAEGER_QUERY_URL")), "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	set := setFlags(fs)
	if err := f.check(set, pos); err != nil {
		return err
	}

	cl, err := f.connect(stderr)
	if err != nil {
		return err
	}
	defer cl.Close()
	ranges, err := f.ranges(cl, set)
	if err != nil {
		return err
	}
	opts := recordOptions{showKey: f.showKey, allHeaders: f.all, jaeger: f.jaeger}
	var recs []*record
	enc := newJSON(stdout)
	emit := func(r *record) {
		if f.json {
			_ = enc.Encode(r)
		} else {
			printRecord(stdout, r)
		}
	}
	err = cl.read(ctx, f.topic, ranges, f.follow, func(m *kafka.Message) bool {
		r := newRecord(m, time.Now(), opts)
		if f.follow {
			emit(r) // as they come
		} else {
			recs = append(recs, r)
		}
		return false
	})
	if err != nil {
		return err
	}
	sort.Slice(recs, func(i, j int) bool {
		if recs[i].Partition != recs[j].Partition {
			return recs[i].Partition < recs[j].Partition
		}
		return recs[i].Offset < recs[j].Offset
	})
	for _, r := range recs {
		emit(r)
	}
	if set["o"] || set["offset"] {
		if !f.follow && (len(recs) == 0 || recs[0].Offset != f.offset) {
			return runtimeError("no message at offset %d of %s [%d] (removed by compaction, or a transaction marker)", f.offset, f.topic, f.partition)
		}
	}
	return nil
}

// check validates inspect's flags and arguments.
func (f *inspectFlags) check(set map[string]bool, pos []string) error {
	if err := f.common.check(); err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected argument %q (see kafkatrace inspect --help)", pos[0])
	}
	hasOffset := set["o"] || set["offset"]
	switch {
	case f.topic == "":
		return usageError("-t/--topic is required (see kafkatrace inspect --help)")
	case hasOffset && f.partition < 0:
		return usageError("-o/--offset requires -p/--partition")
	case hasOffset && f.offset < 0:
		return usageError("-o/--offset must be 0 or more, got %d (use --last N for the newest messages)", f.offset)
	case hasOffset && set["last"]:
		return usageError("-o/--offset and --last are exclusive")
	case set["count"] && !hasOffset:
		return usageError("--count goes with -o/--offset")
	case f.count < 1:
		return usageError("--count must be 1 or more")
	case f.last < 0:
		return usageError("--last must be 0 or more")
	case (set["p"] || set["partition"]) && f.partition < 0:
		return usageError("-p/--partition must be 0 or more")
	}
	return f.requireBootstrap()
}

// ranges is what to read of each selected partition.
func (f *inspectFlags) ranges(cl *client, set map[string]bool) ([]readRange, error) {
	parts, err := cl.partitions(f.topic)
	if err != nil {
		return nil, err
	}
	if f.partition >= 0 {
		found := false
		for _, p := range parts {
			found = found || p == int32(f.partition)
		}
		if !found {
			return nil, runtimeError("partition %d not found: topic %q has %d partition(s)", f.partition, f.topic, len(parts))
		}
		parts = []int32{int32(f.partition)}
	}
	wm, err := cl.watermarks(f.topic, parts)
	if err != nil {
		return nil, err
	}
	var out []readRange
	for _, p := range parts {
		lo, hi := wm[p][0], wm[p][1]
		r := readRange{partition: p}
		switch {
		case set["o"] || set["offset"]:
			if f.offset < lo {
				return nil, runtimeError("offset %d of %s [%d] is below the log start %d (deleted by retention or compaction)", f.offset, f.topic, p, lo)
			}
			switch {
			case f.offset == hi && !f.follow:
				return nil, runtimeError("offset %d of %s [%d] is past the last message (it is the next offset; use --follow to wait for it)", f.offset, f.topic, p)
			case f.offset > hi:
				return nil, runtimeError("offset %d of %s [%d] is past the last message (the next offset is %d; --follow waits from there, not beyond)", f.offset, f.topic, p, hi)
			}
			r.start, r.end = f.offset, min(hi, f.offset+int64(f.count))
		case f.follow && !set["last"]:
			r.start, r.end = hi, hi
		default:
			r.start, r.end = max(lo, hi-int64(f.last)), hi
		}
		if f.follow {
			r.end = -1
		}
		out = append(out, r)
	}
	return out, nil
}
