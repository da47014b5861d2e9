package cli

import (
	"context"
	"io"
	"sort"
	"strings"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

const groupUsage = `Usage: kafkatrace group -g GROUP [-t TOPIC] [flags]

Shows, for each partition a consumer group has committed offsets for (of
TOPIC only, with -t), the committed offset, the end offset and the lag, and
decodes the finished-offsets record that kafkatrace consumers commit as
offset metadata: how many messages above the committed offset are already
finished, and the oldest unfinished message (the committed offset itself)
with how long it has been waiting since its timestamp. That is what is stuck,
and since when. Groups whose commits carry no kafkatrace record still get
the committed offset, end and lag.

Flags:
  -g, --group GROUP            consumer group (required)
  -t, --topic TOPIC            only this topic; its partitions without a
                               commit are shown too
` + commonUsage

// groupFlags are group's own flags.
type groupFlags struct {
	common
	group, topic string
}

func runGroup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f groupFlags
	fs := newFlagSet("group", groupUsage, stdout)
	f.register(fs)
	fs.StringVar(&f.group, "g", "", "")
	fs.StringVar(&f.group, "group", "", "")
	fs.StringVar(&f.topic, "t", "", "")
	fs.StringVar(&f.topic, "topic", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usageError("unexpected argument %q (see kafkatrace group --help)", pos[0])
	case f.group == "":
		return usageError("-g/--group is required (see kafkatrace group --help)")
	}
	if err := f.check(); err != nil {
		return err
	}
	if err := f.requireBootstrap(); err != nil {
		return err
	}

	cl, err := f.connect(stderr)
	if err != nil {
		return err
	}
	defer cl.Close()
	var ask []kafka.TopicPartition // nil: every partition the group committed
	if f.topic != "" {
		parts, err := cl.partitions(f.topic)
		if err != nil {
			return err
		}
		for _, p := range parts {
			ask = append(ask, kafka.TopicPartition{Topic: &f.topic, Partition: p})
		}
	} else if err := cl.ping(); err != nil {
		return err
	}
	committed, err := cl.committed(ctx, f.group, ask)
	if err == nil && ask == nil && !hasCommit(committed) {
		// Brokers that do not list all of a group's offsets (librdkafka's
		// mock cluster) answer nothing: ask for every partition instead.
		if ask, err = cl.allPartitions(); err == nil && len(ask) > 0 {
			committed, err = cl.committed(ctx, f.group, ask)
			committed = onlyCommitted(committed)
		}
	}
	if err != nil {
		return err
	}
	desc := cl.describe(ctx, f.group)
	if !hasCommit(committed) {
		live := desc != nil && desc.State != kafka.ConsumerGroupStateDead && len(desc.Members) > 0
		switch {
		case live && f.topic == "":
			return runtimeError("group %q has %d member(s) but no committed offsets yet (pass -t TOPIC to see its lag)", f.group, len(desc.Members))
		case !live && f.topic != "":
			return runtimeError("group %q not found (no committed offsets on topic %s; list groups with kafka-consumer-groups --list)", f.group, f.topic)
		case !live:
			return runtimeError("group %q not found (no committed offsets; list groups with kafka-consumer-groups --list)", f.group)
		}
	}
	rows, err := cl.groupRows(ctx, f.group, committed)
	if err != nil {
		return err
	}
	if f.json {
		enc := newJSON(stdout)
		for _, r := range rows {
			_ = enc.Encode(r)
		}
		return nil
	}
	printGroup(stdout, f.group, desc, rows)
	return nil
}

// committed lists the group's committed offsets (with metadata) of ask, or
// of every partition it committed when ask is nil.
func (cl *client) committed(ctx context.Context, group string, ask []kafka.TopicPartition) ([]kafka.TopicPartition, error) {
	ctx, cancel := cl.ctxDeadline(ctx)
	defer cancel()
	res, err := cl.admin.ListConsumerGroupOffsets(ctx,
		[]kafka.ConsumerGroupTopicPartitions{{Group: group, Partitions: ask}},
		kafka.SetAdminRequireStableOffsets(false))
	if err != nil {
		if isTimeout(err) {
			return nil, cl.unreachable("committed offsets of group "+group, err)
		}
		return nil, runtimeError("committed offsets of group %q: %v", group, err)
	}
	if len(res.ConsumerGroupsTopicPartitions) != 1 {
		return nil, runtimeError("committed offsets of group %q: no answer", group)
	}
	out := res.ConsumerGroupsTopicPartitions[0].Partitions
	sort.Slice(out, func(i, j int) bool {
		if *out[i].Topic != *out[j].Topic {
			return *out[i].Topic < *out[j].Topic
		}
		return out[i].Partition < out[j].Partition
	})
	return out, nil
}

// hasCommit reports whether any partition has a committed offset.
func hasCommit(tps []kafka.TopicPartition) bool {
	for _, tp := range tps {
		if tp.Offset >= 0 {
			return true
		}
	}
	return false
}

// describe returns the group's state and members, or nil when the brokers
// do not say (old brokers, librdkafka's mock cluster).
func (cl *client) describe(ctx context.Context, group string) *kafka.ConsumerGroupDescription {
	ctx, cancel := cl.ctxDeadline(ctx)
	defer cancel()
	res, err := cl.admin.DescribeConsumerGroups(ctx, []string{group})
	if err != nil || len(res.ConsumerGroupDescriptions) != 1 {
		return nil
	}
	d := res.ConsumerGroupDescriptions[0]
	if d.Error.Code() != kafka.ErrNoError || d.State == kafka.ConsumerGroupStateUnknown {
		return nil
	}
	return &d
}

// allPartitions lists every partition of every topic but Kafka's internal
// ones.
func (cl *client) allPartitions() ([]kafka.TopicPartition, error) {
	md, err := cl.c.GetMetadata(nil, true, msUntil(cl.deadline()))
	if err != nil {
		return nil, cl.unreachable("metadata", err)
	}
	var out []kafka.TopicPartition
	for name, tm := range md.Topics {
		if strings.HasPrefix(name, "__") {
			continue
		}
		for _, p := range tm.Partitions {
			topic := name
			out = append(out, kafka.TopicPartition{Topic: &topic, Partition: p.ID})
		}
	}
	return out, nil
}

// onlyCommitted keeps the partitions with a committed offset.
func onlyCommitted(tps []kafka.TopicPartition) []kafka.TopicPartition {
	out := tps[:0]
	for _, tp := range tps {
		if tp.Offset >= 0 {
			out = append(out, tp)
		}
	}
	return out
}
