//go:build race

package rdstats

// raceEnabled is true when the tests run under the race detector, which
// slows decoding several times over: TestParse1000PartitionsWithinBudget
// then logs its timing instead of asserting it. The benchmark always runs.
const raceEnabled = true
