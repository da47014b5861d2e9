package interceptor

// consumerConfig holds the options that only the Consumer reads.
type consumerConfig struct{}

func defaultConsumerConfig() consumerConfig { return consumerConfig{} }
