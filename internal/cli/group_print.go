package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// printGroup writes the group's rows as a table for people.
func printGroup(w io.Writer, group string, desc *kafka.ConsumerGroupDescription, rows []*groupRow) {
	sortRows(rows)
	head := "group " + group
	if desc != nil {
		head += fmt.Sprintf("  (%s, %d member(s))", desc.State, len(desc.Members))
	}
	fmt.Fprintln(w, head)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TOPIC\tPART\tCOMMITTED\tEND\tLAG\tFINISHED\tOLDEST UNFINISHED\tMETADATA")
	for _, r := range rows {
		committed := "-"
		if r.Committed != nil {
			committed = fmt.Sprint(*r.Committed)
		}
		fin := fmt.Sprint(r.FinishedAboveCommitted)
		if r.HighestFinished != nil {
			fin += fmt.Sprintf(" (up to %d)", *r.HighestFinished)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%s\t%s\t%s\n", shownString(r.Topic, 64), r.Partition, committed, r.End, r.Lag, fin, r.oldestText(), r.Metadata)
	}
	_ = tw.Flush()
	for _, r := range rows {
		if r.Error != "" {
			fmt.Fprintf(w, "%s [%d]: %s\n", r.Topic, r.Partition, r.Error)
		}
		if r.OldestUnfinishedError != "" {
			fmt.Fprintf(w, "%s [%d]: oldest unfinished message: %s\n", r.Topic, r.Partition, r.OldestUnfinishedError)
		}
	}
}

// oldestText describes the oldest unfinished message of a row.
func (r *groupRow) oldestText() string {
	switch {
	case r.Committed == nil:
		return "no commit"
	case r.OldestUnfinished == nil && r.Unfinished <= 0:
		return "-"
	case r.OldestUnfinished == nil:
		return "? (see below)"
	case r.OldestUnfinishedAgeMS == nil:
		return fmt.Sprintf("%d (no timestamp)", *r.OldestUnfinished)
	}
	return fmt.Sprintf("%d (waiting %s)", *r.OldestUnfinished, fmtAge(r.age))
}
