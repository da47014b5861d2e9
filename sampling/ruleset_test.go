package sampling_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/sampling"
)

func TestCompileErrorsNameIndexAndField(t *testing.T) {
	tests := []struct {
		name    string
		rules   []sampling.Rule
		index   int
		field   string
		message string
	}{
		{"ratio above one", []sampling.Rule{{Topic: "a", Ratio: 1}, {Topic: "b", Ratio: 1.5}}, 1, "ratio", "1.5"},
		{"negative ratio", []sampling.Rule{{Topic: "a", Ratio: -0.1}}, 0, "ratio", "-0.1"},
		{"NaN ratio", []sampling.Rule{{Topic: "a", Ratio: nan()}}, 0, "ratio", "NaN"},
		{"bad regex", []sampling.Rule{{Topic: "a"}, {Topic: "b"}, {Topic: "(", Match: sampling.Regex}}, 2, "topic", "regex"},
		{"bad glob", []sampling.Rule{{Topic: "orders.[", Match: sampling.Glob}}, 0, "topic", "glob"},
		{"bad glob after a mismatch", []sampling.Rule{{Topic: "x[", Match: sampling.Glob}}, 0, "topic", "glob"},
		{"empty topic", []sampling.Rule{{Topic: ""}}, 0, "topic", "empty"},
		{"unknown match", []sampling.Rule{{Topic: "a", Match: 7}}, 0, "match", "7"},
		{"unknown parent", []sampling.Rule{{Topic: "a", Parent: 9}}, 0, "parent", "9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := sampling.Compile(tt.rules, 1)
			require.Error(t, err)
			assert.Nil(t, rs)
			var re *sampling.RuleError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.index, re.Index)
			assert.Equal(t, tt.field, re.Field)
			assert.Contains(t, err.Error(), tt.message)
			assert.Contains(t, err.Error(), "rule ")
		})
	}
}

func TestCompileRejectsBadDefaultRatio(t *testing.T) {
	for _, r := range []float64{-1, 1.01, nan()} {
		_, err := sampling.Compile(nil, r)
		require.Error(t, err, "default ratio %v", r)
		assert.Contains(t, err.Error(), "default ratio")
		var re *sampling.RuleError
		assert.False(t, errors.As(err, &re), "a default ratio error is not about a rule")
	}
}

func TestFirstMatchWins(t *testing.T) {
	rs, err := sampling.Compile([]sampling.Rule{
		{Topic: "orders.audit", Ratio: 0},                          // 0: exact before the glob
		{Topic: "orders.*", Match: sampling.Glob, Ratio: 0.5},      // 1
		{Topic: "orders.eu", Ratio: 1},                             // 2: shadowed by 1
		{Topic: "^partner-", Match: sampling.Regex, Ratio: 0.1},    // 3
		{Topic: "partner-x", Ratio: 1},                             // 4: shadowed by 3
		{Topic: "payments", Ratio: 1},                              // 5
		{Topic: "payments", Ratio: 0},                              // 6: duplicate, shadowed by 5
		{Topic: "pay*", Match: sampling.Glob, Ratio: 0.2},          // 7: after exact 5
		{Topic: "p?yroll", Match: sampling.Glob, Ratio: 0.3},       // 8
		{Topic: "^inv-[0-9]+$", Match: sampling.Regex, Ratio: 0.4}, // 9
	}, 0.75)
	require.NoError(t, err)

	tests := []struct {
		topic string
		index int // -1: no rule
	}{
		{"orders.audit", 0},
		{"orders.us", 1},
		{"orders.eu", 1},
		{"orders.", 1},
		{"orders", -1},
		{"partner-x", 3},
		{"my-partner-x", -1},
		{"payments", 5},
		{"payment", 7},
		{"payroll", 7},
		{"poyroll", 8},
		{"inv-42", 9},
		{"inv-42a", -1},
		{"unknown", -1},
		{"", -1},
	}
	rules := rs.Rules()
	for _, tt := range tests {
		got, ok := rs.Match(tt.topic)
		if tt.index < 0 {
			assert.False(t, ok, "topic %q matched %+v", tt.topic, got)
			continue
		}
		if assert.True(t, ok, "topic %q", tt.topic) {
			assert.Equal(t, rules[tt.index], got, "topic %q", tt.topic)
		}
	}
	assert.Equal(t, 0.75, rs.DefaultRatio())
}

func TestUntrusted(t *testing.T) {
	rs, err := sampling.Compile([]sampling.Rule{
		{Topic: "partner-trusted", Ratio: 1},
		{Topic: "^partner-", Match: sampling.Regex, Ratio: 0.1, Untrusted: true},
		{Topic: "public.*", Match: sampling.Glob, Ratio: 1, Untrusted: true},
	}, 1)
	require.NoError(t, err)

	assert.True(t, rs.Untrusted("partner-acme"))
	assert.True(t, rs.Untrusted("public.events"))
	assert.False(t, rs.Untrusted("partner-trusted"), "the first matching rule decides")
	assert.False(t, rs.Untrusted("orders"), "unmatched topics are trusted")

	var nilSet *sampling.RuleSet
	assert.False(t, nilSet.Untrusted("partner-acme"))
	assert.Empty(t, nilSet.Rules())
	assert.Equal(t, 1.0, nilSet.DefaultRatio())
}

func TestRulesIsACopy(t *testing.T) {
	in := []sampling.Rule{{Topic: "a", Ratio: 0.5}}
	rs, err := sampling.Compile(in, 1)
	require.NoError(t, err)
	in[0].Topic = "changed"
	out := rs.Rules()
	out[0].Ratio = 0
	assert.Equal(t, []sampling.Rule{{Topic: "a", Ratio: 0.5}}, rs.Rules())
}

func TestRuleSetString(t *testing.T) {
	rs, err := sampling.Compile([]sampling.Rule{
		{Topic: "payments", Ratio: 1},
		{Topic: "firehose.*", Match: sampling.Glob, Ratio: 0.001},
		{Topic: "audit", Ratio: 0},
		{Topic: "^partner-", Match: sampling.Regex, Ratio: 0.1, Parent: sampling.Override, Untrusted: true},
	}, 0.5)
	require.NoError(t, err)
	assert.Equal(t,
		"[payments=1 glob:firehose.*=0.001 audit=0 regex:^partner-=0.1/override/untrusted] default=0.5",
		rs.String())
	assert.Equal(t, "[] default=1", (*sampling.RuleSet)(nil).String())
}

func TestMatchKindText(t *testing.T) {
	for _, k := range []sampling.MatchKind{sampling.Exact, sampling.Glob, sampling.Regex} {
		b, err := k.MarshalText()
		require.NoError(t, err)
		var got sampling.MatchKind
		require.NoError(t, got.UnmarshalText(b))
		assert.Equal(t, k, got)
	}
	var k sampling.MatchKind = sampling.Regex
	require.NoError(t, k.UnmarshalText(nil))
	assert.Equal(t, sampling.Exact, k, "empty means exact")
	assert.ErrorContains(t, k.UnmarshalText([]byte("globb")), `"globb"`)
	_, err := sampling.MatchKind(5).MarshalText()
	assert.Error(t, err)
	assert.Equal(t, "MatchKind(5)", sampling.MatchKind(5).String())
}

func TestParentPolicyText(t *testing.T) {
	for _, p := range []sampling.ParentPolicy{sampling.Respect, sampling.Override} {
		b, err := p.MarshalText()
		require.NoError(t, err)
		var got sampling.ParentPolicy
		require.NoError(t, got.UnmarshalText(b))
		assert.Equal(t, p, got)
	}
	p := sampling.Override
	require.NoError(t, p.UnmarshalText([]byte("")))
	assert.Equal(t, sampling.Respect, p, "empty means respect")
	assert.ErrorContains(t, p.UnmarshalText([]byte("ignore")), `"ignore"`)
	_, err := sampling.ParentPolicy(3).MarshalText()
	assert.Error(t, err)
}
