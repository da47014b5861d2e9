package tracetree

import (
	"sort"
	"strconv"
	"strings"
)

// Attribute keys the details come from.
const (
	attrPartition = "messaging.destination.partition.id"
	attrOffset    = "messaging.kafka.offset"
	attrGroup     = "messaging.consumer.group.name"
	attrQueued    = "kafkatrace.message.time_in_queue_ms"
)

// item is one detail of a span's line.
type item struct {
	text string
	rank int  // lower is kept longer when space is short
	err  bool // the ERROR item, whose message can be shortened
}

// Ranks of the details: an error is kept longest, then links, the group,
// the partition and offset; the time in queue goes first.
const (
	rankError = iota
	rankLinks
	rankGroup
	rankPartition
	rankOffset
	rankQueued
)

// errorMin is the columns of an ERROR item kept before other details get
// space: "ERROR " and the start of its message.
const errorMin = len("ERROR ") + 32

// details returns the details of s in the order they are printed:
// p<partition> @<offset> group=<g> queued=<n>ms links=<n> ERROR <message>.
// Values are cleaned and cut to limit columns.
func details(s Span, limit int) []item {
	var items []item
	add := func(key, prefix, suffix string, rank int) {
		if v, ok := s.Attrs[key]; ok {
			items = append(items, item{text: prefix + clean(v, limit) + suffix, rank: rank})
		}
	}
	add(attrPartition, "p", "", rankPartition)
	add(attrOffset, "@", "", rankOffset)
	add(attrGroup, "group=", "", rankGroup)
	add(attrQueued, "queued=", "ms", rankQueued)
	if len(s.Links) > 0 {
		items = append(items, item{text: "links=" + strconv.Itoa(len(s.Links)), rank: rankLinks})
	}
	if s.Error {
		text := "ERROR"
		if msg := strings.TrimSpace(clean(s.StatusMessage, limit)); msg != "" {
			text += " " + msg
		}
		items = append(items, item{text: text, rank: rankError, err: true})
	}
	return items
}

// minWidth is the columns it keeps when space is short.
func (it item) minWidth() int {
	w := width(it.text)
	if it.err {
		return min(w, errorMin)
	}
	return w
}

// fullWidth returns the columns items take, all of them shown.
func fullWidth(items []item) int {
	n := 0
	for i, it := range items {
		if i > 0 {
			n++
		}
		n += width(it.text)
	}
	return n
}

// firstWidth returns the columns of the detail kept longest, or 0.
func firstWidth(items []item) int {
	best, w := -1, 0
	for _, it := range items {
		if best < 0 || it.rank < best {
			best, w = it.rank, it.minWidth()
		}
	}
	return w
}

// join returns the details that fit in room columns, in print order:
// details are kept in rank order while they fit, and an error's message is
// then given what is left.
func join(items []item, room int) string {
	if len(items) == 0 || room <= 0 {
		return ""
	}
	if fullWidth(items) <= room {
		return strings.Join(texts(items), " ")
	}
	ranked := make([]int, len(items))
	for i := range ranked {
		ranked[i] = i
	}
	sort.SliceStable(ranked, func(a, b int) bool { return items[ranked[a]].rank < items[ranked[b]].rank })
	keep := make([]bool, len(items))
	used, errAt, errGot := 0, -1, 0
	for _, i := range ranked {
		sep := 0
		if used > 0 {
			sep = 1
		}
		need := items[i].minWidth()
		if items[i].err && used+sep+need > room {
			need = room - used - sep // a shorter message, or ERROR alone
		}
		if used+sep+need > room || (items[i].err && need < len("ERROR")) {
			continue
		}
		keep[i], used = true, used+sep+need
		if items[i].err {
			errAt, errGot = i, need
		}
	}
	var out []string
	for i, it := range items {
		if !keep[i] {
			continue
		}
		text := it.text
		if i == errAt {
			text = errorText(text, errGot+room-used)
		}
		out = append(out, text)
	}
	return strings.Join(out, " ")
}

// errorText returns "ERROR <message>" cut to at most cols columns by
// shortening the message, down to "ERROR" alone.
func errorText(text string, cols int) string {
	if width(text) <= cols {
		return text
	}
	msg := strings.TrimPrefix(text, "ERROR ")
	if cols < len("ERROR ")+2 || msg == text {
		return "ERROR"
	}
	return "ERROR " + truncate(msg, cols-len("ERROR "))
}

func texts(items []item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.text
	}
	return out
}
