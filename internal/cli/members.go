package cli

import (
	"net/url"
	"strings"
)

// maxMembers is the most tracestate or baggage members listed; the rest are
// counted.
const maxMembers = 32

// memberList is a decoded tracestate or baggage header: its first
// maxMembers members and how many more it has.
type memberList struct {
	Members []member `json:"members"`
	More    int      `json:"more,omitempty"`
	invalid
}

// member is one key=value of a tracestate or baggage header, escaped for
// display (baggage values percent-decoded); Error says why it is invalid.
type member struct {
	Key        string   `json:"key"`
	Value      string   `json:"value"`
	Properties []string `json:"properties,omitempty"`
	Error      string   `json:"error,omitempty"`
}

// splitMembers calls fn with each non-empty comma-separated member of s,
// trimmed of optional whitespace, and returns how many there were.
func splitMembers(s string, fn func(i int, m string)) int {
	n := 0
	for s != "" {
		var m string
		m, s, _ = strings.Cut(s, ",")
		m = strings.Trim(m, " \t")
		if m == "" {
			continue
		}
		fn(n, m)
		n++
	}
	return n
}

// parseTraceState decodes a W3C tracestate value: key=value members, keys
// of lowercase letters, digits and _-*/ (tenant@system for multi-tenant
// keys), values of printable ASCII without ',' and '=', at most 32 members.
func parseTraceState(raw []byte) *memberList {
	l := &memberList{Members: []member{}}
	n := splitMembers(string(raw), func(i int, m string) {
		if i >= maxMembers {
			l.More++
			return
		}
		k, v, ok := strings.Cut(m, "=")
		mem := member{Key: shownString(k, maxShown), Value: shownString(v, maxShown)}
		switch {
		case !ok:
			mem.Error = "no '='"
		case !validStateKey(k):
			mem.Error = "invalid key"
		case !validStateValue(v):
			mem.Error = "invalid value"
		}
		l.Members = append(l.Members, mem)
	})
	if n > 32 {
		l.invalid = bad(raw, "%d members, W3C allows 32", n)
	}
	return l
}

// validStateKey reports whether k is a W3C tracestate key.
func validStateKey(k string) bool {
	tenant, system, multi := strings.Cut(k, "@")
	if !multi {
		return len(k) <= 256 && stateKeyChars(k, true)
	}
	return len(tenant) >= 1 && len(tenant) <= 241 && stateKeyChars(tenant, false) &&
		len(system) >= 1 && len(system) <= 14 && stateKeyChars(system, true)
}

// stateKeyChars reports whether k is lowercase letters, digits and _-*/,
// starting with a letter (or a digit unless alphaFirst).
func stateKeyChars(k string, alphaFirst bool) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		lower, digit := c >= 'a' && c <= 'z', c >= '0' && c <= '9'
		if i == 0 && !lower && (alphaFirst || !digit) {
			return false
		}
		if !lower && !digit && c != '_' && c != '-' && c != '*' && c != '/' {
			return false
		}
	}
	return true
}

// validStateValue reports whether v is a W3C tracestate value.
func validStateValue(v string) bool {
	if v == "" || len(v) > 256 || v[len(v)-1] == ' ' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e || c == ',' || c == '=' {
			return false
		}
	}
	return true
}

// maxBaggage is the W3C limit of a baggage header.
const maxBaggage = 8192

// parseBaggage decodes a W3C baggage value: key=value members with
// ;-separated properties, values percent-decoded.
func parseBaggage(raw []byte) *memberList {
	l := &memberList{Members: []member{}}
	splitMembers(string(raw), func(i int, m string) {
		if i >= maxMembers {
			l.More++
			return
		}
		kv, props, _ := strings.Cut(m, ";")
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.Trim(k, " \t"), strings.Trim(v, " \t")
		mem := member{Key: shownString(k, maxShown)}
		dec, err := url.PathUnescape(v)
		switch {
		case !ok:
			mem.Error = "no '='"
		case !isToken(k):
			mem.Error = "invalid key"
		case err != nil:
			mem.Error = "bad percent-encoding"
		}
		if err != nil {
			dec = v
		}
		mem.Value = shownString(dec, maxShown)
		for props != "" && len(mem.Properties) < 8 {
			var p string
			p, props, _ = strings.Cut(props, ";")
			if p = strings.Trim(p, " \t"); p != "" {
				mem.Properties = append(mem.Properties, shownString(p, 64))
			}
		}
		l.Members = append(l.Members, mem)
	})
	if len(raw) > maxBaggage {
		l.invalid = bad(raw, "%d bytes, W3C allows %d", len(raw), maxBaggage)
	}
	return l
}

// isToken reports whether s is an HTTP token (RFC 9110), as baggage keys are.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
