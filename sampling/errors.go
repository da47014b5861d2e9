package sampling

import (
	"errors"
	"fmt"
)

// RuleError reports why [Compile] rejected a rule.
type RuleError struct {
	// Index is the rule's position in the slice given to Compile.
	Index int
	// Field names the offending field: "topic", "match", "ratio" or "parent".
	Field string
	// Err says what is wrong with it.
	Err error
}

// Error returns a message naming the rule index and field.
func (e *RuleError) Error() string {
	return fmt.Sprintf("sampling: rule %d: %s: %v", e.Index, e.Field, e.Err)
}

// Unwrap returns e.Err.
func (e *RuleError) Unwrap() error { return e.Err }

// errRatio is wrapped by every error about a ratio outside 0..1.
var errRatio = errors.New("ratio must be within [0, 1]")

func checkRatio(r float64) error {
	// The negated form also rejects NaN.
	if !(r >= 0 && r <= 1) {
		return fmt.Errorf("%w, got %v", errRatio, r)
	}
	return nil
}
