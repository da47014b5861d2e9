package sampling

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// RuleSet is a compiled, immutable list of rules. It is safe for concurrent
// use and does not depend on the tracing SDK, so it can answer [Untrusted]
// for instrumentation that does not sample. A nil *RuleSet has no rules and
// a default ratio of 1.
//
// [Untrusted]: RuleSet.Untrusted
type RuleSet struct {
	rules    []compiledRule
	exact    map[string]int // topic -> index of the first Exact rule for it
	patterns []int          // indices of Glob and Regex rules, ascending
	def      ratio
}

type compiledRule struct {
	Rule
	ratio ratio
	re    *regexp.Regexp
}

func (c *compiledRule) matches(topic string) bool {
	switch c.Match {
	case Glob:
		ok, _ := path.Match(c.Topic, topic) // validated by Compile
		return ok
	case Regex:
		return c.re.MatchString(topic)
	}
	return c.Topic == topic
}

// emptyRuleSet stands in for a nil *RuleSet.
var emptyRuleSet = &RuleSet{def: newRatio(1)}

// Compile validates rules and returns them as a RuleSet, in order: the first
// rule matching a topic applies to it. Topics no rule matches are sampled
// with defaultRatio, respecting a parent's decision. An invalid rule gives a
// [*RuleError] naming its index and field; the rules slice is copied.
func Compile(rules []Rule, defaultRatio float64) (*RuleSet, error) {
	if err := checkRatio(defaultRatio); err != nil {
		return nil, fmt.Errorf("sampling: default ratio: %w", err)
	}
	rs := &RuleSet{
		rules: make([]compiledRule, len(rules)),
		exact: make(map[string]int),
		def:   newRatio(defaultRatio),
	}
	for i, r := range rules {
		c, err := compileRule(r)
		if err != nil {
			err.Index = i
			return nil, err
		}
		rs.rules[i] = c
		if r.Match != Exact {
			rs.patterns = append(rs.patterns, i)
		} else if _, dup := rs.exact[r.Topic]; !dup {
			rs.exact[r.Topic] = i
		}
	}
	return rs, nil
}

func compileRule(r Rule) (compiledRule, *RuleError) {
	c := compiledRule{Rule: r}
	if r.Topic == "" {
		return c, &RuleError{Field: "topic", Err: errors.New("must not be empty")}
	}
	switch r.Match {
	case Exact:
	case Glob:
		// Match checks the whole pattern even when the name does not match.
		if _, err := path.Match(r.Topic, ""); err != nil {
			return c, &RuleError{Field: "topic", Err: fmt.Errorf("bad glob %q: %w", r.Topic, err)}
		}
	case Regex:
		re, err := regexp.Compile(r.Topic)
		if err != nil {
			return c, &RuleError{Field: "topic", Err: fmt.Errorf("bad regex: %w", err)}
		}
		c.re = re
	default:
		return c, &RuleError{Field: "match", Err: fmt.Errorf("unknown match kind %d", uint8(r.Match))}
	}
	if err := checkRatio(r.Ratio); err != nil {
		return c, &RuleError{Field: "ratio", Err: err}
	}
	if r.Parent != Respect && r.Parent != Override {
		return c, &RuleError{Field: "parent", Err: fmt.Errorf("unknown parent policy %d", uint8(r.Parent))}
	}
	c.ratio = newRatio(r.Ratio)
	return c, nil
}

func (rs *RuleSet) orEmpty() *RuleSet {
	if rs == nil {
		return emptyRuleSet
	}
	return rs
}

// lookup returns the first rule matching topic, or nil.
func (rs *RuleSet) lookup(topic string) *compiledRule {
	limit := len(rs.rules)
	if i, ok := rs.exact[topic]; ok {
		limit = i
	}
	for _, i := range rs.patterns {
		if i >= limit {
			break
		}
		if rs.rules[i].matches(topic) {
			return &rs.rules[i]
		}
	}
	if limit < len(rs.rules) {
		return &rs.rules[limit]
	}
	return nil
}

// Match returns the first rule that matches topic, and false when none does.
func (rs *RuleSet) Match(topic string) (Rule, bool) {
	if c := rs.orEmpty().lookup(topic); c != nil {
		return c.Rule, true
	}
	return Rule{}, false
}

// Untrusted reports whether the first rule matching topic marks it
// untrusted. Topics no rule matches are trusted.
func (rs *RuleSet) Untrusted(topic string) bool {
	c := rs.orEmpty().lookup(topic)
	return c != nil && c.Untrusted
}

// Rules returns a copy of the rules, in order.
func (rs *RuleSet) Rules() []Rule {
	rs = rs.orEmpty()
	out := make([]Rule, len(rs.rules))
	for i := range rs.rules {
		out[i] = rs.rules[i].Rule
	}
	return out
}

// DefaultRatio returns the ratio for topics no rule matches.
func (rs *RuleSet) DefaultRatio() float64 { return rs.orEmpty().def.value }

// String lists the rules compactly, for example
// [payments=1 glob:firehose.*=0.001 regex:^partner-=0.1/override/untrusted]
// default=1. Exact topics carry no prefix.
func (rs *RuleSet) String() string {
	rs = rs.orEmpty()
	var b strings.Builder
	b.WriteByte('[')
	for i := range rs.rules {
		r := &rs.rules[i]
		if i > 0 {
			b.WriteByte(' ')
		}
		if r.Match != Exact {
			b.WriteString(r.Match.String())
			b.WriteByte(':')
		}
		b.WriteString(r.Topic)
		b.WriteByte('=')
		b.WriteString(formatRatio(r.ratio.value))
		if r.Parent == Override {
			b.WriteString("/override")
		}
		if r.Untrusted {
			b.WriteString("/untrusted")
		}
	}
	b.WriteString("] default=")
	b.WriteString(formatRatio(rs.def.value))
	return b.String()
}

func formatRatio(r float64) string { return strconv.FormatFloat(r, 'g', -1, 64) }
