//go:build !race

package rdstats

// raceEnabled is false without the race detector, so
// TestParse1000PartitionsWithinBudget asserts its timing (see race_on_test.go).
const raceEnabled = false
