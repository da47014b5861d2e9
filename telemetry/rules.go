package telemetry

import (
	"errors"
	"fmt"

	"github.com/kafkatrace/kafkatrace/sampling"
)

// compile turns the sampling section into a RuleSet. It reports every
// problem, each naming its key: all bad rules, every bad field of a rule,
// and the default ratio.
func (s Sampling) compile() (*sampling.RuleSet, error) {
	rules, errs := s.check()
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	rs, err := sampling.Compile(rules, s.DefaultRatio)
	if err != nil {
		return nil, fmt.Errorf("sampling: %w", err) // unreachable: checked
	}
	return rs, nil
}

// check converts the rules and lists the problems of the section.
func (s Sampling) check() ([]sampling.Rule, []error) {
	var errs []error
	if _, err := sampling.Compile(nil, s.DefaultRatio); err != nil {
		errs = append(errs, &keyError{"sampling.default_ratio", unwrapOr(err)})
	}
	rules := make([]sampling.Rule, len(s.Rules))
	for i, r := range s.Rules {
		key := func(field string) string { return fmt.Sprintf("sampling.rules[%d].%s", i, field) }
		rules[i] = sampling.Rule{Topic: r.Topic, Ratio: r.Ratio, Untrusted: r.Untrusted}
		if err := rules[i].Match.UnmarshalText([]byte(r.Match)); err != nil {
			// Left Exact, so the topic is still checked for emptiness.
			errs = append(errs, keyErrorf(key("match"), "%q: want exact, glob or regex", r.Match))
		}
		if err := rules[i].Parent.UnmarshalText([]byte(r.Parent)); err != nil {
			errs = append(errs, keyErrorf(key("parent"), "%q: want respect or override", r.Parent))
		}
		for _, re := range ruleErrors(rules[i]) {
			errs = append(errs, &keyError{key(re.Field), re.Err})
		}
	}
	return rules, errs
}

// ruleErrors compiles r on its own, repeatedly: each time it replaces the
// field the last attempt rejected with a valid stand-in, so that every bad
// field of r is reported, not only the first. The sampling package stays
// the one judge of what is valid.
func ruleErrors(r sampling.Rule) []*sampling.RuleError {
	var out []*sampling.RuleError
	for range 4 { // topic or match, ratio, parent: each fails at most once
		_, err := sampling.Compile([]sampling.Rule{r}, 1)
		var re *sampling.RuleError
		if !errors.As(err, &re) {
			break
		}
		out = append(out, re)
		switch re.Field {
		case "topic", "match":
			r.Topic, r.Match = "-", sampling.Exact
		case "ratio":
			r.Ratio = 1
		case "parent":
			r.Parent = sampling.Respect
		default:
			return out
		}
	}
	return out
}

// unwrapOr returns what err wraps, or err itself.
func unwrapOr(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return err
}
