package poller

import (
	"fmt"
	"slices"
	"strings"
)

// BatchError is what a BatchHandler returns when some messages of its batch
// failed and the others succeeded: only the failed ones are retried, then
// handed to the failure policy; the others count as finished.
//
// A BatchError naming no message of the batch (empty, or only indexes out of
// range) fails the whole batch, as any other error does.
type BatchError struct {
	// Failed maps the index of each failed message, in the slice the
	// handler was given, to its error.
	Failed map[int]error
}

// Fail records that msgs[index] failed with err, and returns e.
func (e *BatchError) Fail(index int, err error) *BatchError {
	if e.Failed == nil {
		e.Failed = map[int]error{}
	}
	e.Failed[index] = err
	return e
}

// Error lists the failed messages' indexes and the first one's error.
func (e *BatchError) Error() string {
	idx := e.indexes()
	if len(idx) == 0 {
		return "kafkatrace: batch failed (a BatchError naming no message)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "kafkatrace: %d message(s) of the batch failed (index", len(idx))
	for i, n := range idx {
		if i == 8 {
			b.WriteString(" ...")
			break
		}
		fmt.Fprintf(&b, " %d", n)
	}
	fmt.Fprintf(&b, "); index %d: %v", idx[0], e.Failed[idx[0]])
	return b.String()
}

// Unwrap returns the failed messages' errors in index order.
func (e *BatchError) Unwrap() []error {
	idx := e.indexes()
	out := make([]error, 0, len(idx))
	for _, i := range idx {
		if err := e.Failed[i]; err != nil {
			out = append(out, err)
		}
	}
	return out
}

func (e *BatchError) indexes() []int {
	out := make([]int, 0, len(e.Failed))
	for i := range e.Failed {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}
