package main

import "sort"

// series collects one figure per round.
type series []float64

func (s series) median() float64 {
	if len(s) == 0 {
		return 0
	}
	c := append(series(nil), s...)
	sort.Float64s(c)
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

// ratios divides a by b round by round (interleaved rounds share the
// machine's state), so the median ratio is robust to drift between rounds.
func ratios(a, b series) series {
	out := make(series, 0, len(a))
	for i := range a {
		if i < len(b) && b[i] > 0 {
			out = append(out, a[i]/b[i])
		}
	}
	return out
}
