package carrier

import "sync"

// ResetLimitReports makes the next oversize tracestate and baggage reported
// again, so a test can observe the once-per-process report.
func ResetLimitReports() {
	tracestateOnce, baggageOnce = sync.Once{}, sync.Once{}
}
