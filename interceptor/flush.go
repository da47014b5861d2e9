package interceptor

import (
	"time"
)

// flushPoll is how often Flush rechecks while only the application's reading
// of Events() is outstanding (confluent-kafka-go's Flush polls every 100ms).
const flushPoll = 5 * time.Millisecond

// Flush waits until every message has been delivered and every report the
// application will see has been handed to it (Len() == 0), or until timeoutMs
// passes, as kafka.Producer.Flush does. It returns the number of messages and
// events still outstanding.
func (p *Producer) Flush(timeoutMs int) int {
	deadline := time.Now().Add(time.Duration(timeoutMs) * time.Millisecond)
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		if p.Len() == 0 {
			return 0
		}
		remain := time.Until(deadline)
		if remain <= 0 {
			return p.Len()
		}
		if p.Producer.Len() > 0 {
			p.Producer.Flush(int(min(remain, 100*time.Millisecond).Milliseconds()) + 1)
			continue
		}
		// Reports are in our queues or Events(), waiting for the router or
		// the application.
		select {
		case <-time.After(min(remain, flushPoll)):
		case <-timer.C:
			return p.Len()
		}
	}
}
