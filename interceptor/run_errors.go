package interceptor

import "errors"

// Errors with which Consumer.Run refuses to start; test with errors.Is.
var (
	// ErrNilHandler: Run was given a nil handler.
	ErrNilHandler = errors.New("kafkatrace: Run needs a non-nil handler")
	// ErrEventsChannel: the consumer was built with
	// go.events.channel.enable=true; Run polls by itself.
	ErrEventsChannel = errors.New("kafkatrace: Run polls by itself and cannot be used with go.events.channel.enable=true")
	// ErrRunActive: another Run is active on this Consumer.
	ErrRunActive = errors.New("kafkatrace: Run is already running on this Consumer")
	// ErrConsumerClosed: Close has begun.
	ErrConsumerClosed = errors.New("kafkatrace: Run on a closed Consumer")
	// ErrNotSubscribed: the consumer has neither a subscription nor an
	// assignment, or its subscription was made on the embedded
	// kafka.Consumer, whose rebalance callback Run cannot see (the
	// returned error says which).
	ErrNotSubscribed = errors.New("kafkatrace: Run needs a subscription made through interceptor.Consumer.Subscribe or SubscribeTopics (or an assignment)")
)
