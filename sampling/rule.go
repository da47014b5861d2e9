package sampling

import "fmt"

// MatchKind says how a [Rule]'s Topic is compared with a topic name.
type MatchKind uint8

const (
	// Exact matches the topic name that equals Topic. It is the zero value.
	Exact MatchKind = iota
	// Glob matches topic names against the shell pattern Topic, with the
	// syntax of [path.Match]: '*' matches any run of characters (topic names
	// hold no '/'), '?' one character, '[a-z]' a class, '\' escapes.
	Glob
	// Regex matches topic names in which the RE2 expression Topic finds a
	// match. It is not anchored: write ^ and $ to match the whole name.
	Regex
)

// String returns "exact", "glob" or "regex".
func (k MatchKind) String() string {
	switch k {
	case Exact:
		return "exact"
	case Glob:
		return "glob"
	case Regex:
		return "regex"
	}
	return fmt.Sprintf("MatchKind(%d)", uint8(k))
}

// MarshalText implements [encoding.TextMarshaler].
func (k MatchKind) MarshalText() ([]byte, error) {
	switch k {
	case Exact, Glob, Regex:
		return []byte(k.String()), nil
	}
	return nil, fmt.Errorf("sampling: invalid match kind %d", uint8(k))
}

// UnmarshalText implements [encoding.TextUnmarshaler]. It accepts "exact",
// "glob" and "regex"; the empty string means Exact.
func (k *MatchKind) UnmarshalText(text []byte) error {
	switch string(text) {
	case "", "exact":
		*k = Exact
	case "glob":
		*k = Glob
	case "regex":
		*k = Regex
	default:
		return fmt.Errorf("sampling: unknown match kind %q (want exact, glob or regex)", text)
	}
	return nil
}

// ParentPolicy says whether a span's parent or its topic's ratio decides.
type ParentPolicy uint8

const (
	// Respect lets a valid parent's sampled flag decide, like
	// [go.opentelemetry.io/otel/sdk/trace.ParentBased]; the ratio decides for
	// root spans only. It is the zero value.
	Respect ParentPolicy = iota
	// Override lets the topic's ratio decide even when the parent says
	// otherwise.
	Override
)

// String returns "respect" or "override".
func (p ParentPolicy) String() string {
	switch p {
	case Respect:
		return "respect"
	case Override:
		return "override"
	}
	return fmt.Sprintf("ParentPolicy(%d)", uint8(p))
}

// MarshalText implements [encoding.TextMarshaler].
func (p ParentPolicy) MarshalText() ([]byte, error) {
	switch p {
	case Respect, Override:
		return []byte(p.String()), nil
	}
	return nil, fmt.Errorf("sampling: invalid parent policy %d", uint8(p))
}

// UnmarshalText implements [encoding.TextUnmarshaler]. It accepts "respect"
// and "override"; the empty string means Respect.
func (p *ParentPolicy) UnmarshalText(text []byte) error {
	switch string(text) {
	case "", "respect":
		*p = Respect
	case "override":
		*p = Override
	default:
		return fmt.Errorf("sampling: unknown parent policy %q (want respect or override)", text)
	}
	return nil
}

// Rule is one entry of a rule list given to [Compile].
type Rule struct {
	// Topic is the topic name, glob pattern or regular expression, as Match
	// says. It must not be empty.
	Topic string
	// Match says how Topic is compared; the zero value is Exact.
	Match MatchKind
	// Ratio is the fraction of traces sampled, from 0 (none) to 1 (all).
	Ratio float64
	// Parent says whether a valid parent decides; the zero value is Respect.
	Parent ParentPolicy
	// Untrusted marks topics whose producers are not trusted to continue
	// the consumer's trace; see [RuleSet.Untrusted].
	Untrusted bool
}
