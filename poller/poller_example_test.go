package poller_test

import (
	"fmt"
	"time"

	"github.com/kafkatrace/kafkatrace/poller"
)

// The default retry backoff doubles from 100ms up to 5s.
func ExampleExponentialBackoff() {
	backoff := poller.ExponentialBackoff(100*time.Millisecond, 5*time.Second)
	for attempt := 1; attempt <= 7; attempt++ {
		fmt.Print(backoff(attempt), " ")
	}
	fmt.Println()
	// Output: 100ms 200ms 400ms 800ms 1.6s 3.2s 5s
}

// A poller over any Source (a *kafka.Consumer in production): ordering by
// key, at most 16 handlers at once, failing messages skipped after 5 tries.
func ExampleNew() {
	cfg := poller.Config{
		Ordering:    poller.ByKey,
		MaxInFlight: 16,
		Attempts:    5,
		OnFailure:   poller.SkipOnFailure,
	}
	fmt.Println(cfg.Ordering, cfg.OnFailure)
	// Output: by-key skip
}
