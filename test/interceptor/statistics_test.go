package interceptor_test

import (
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/test/internal/handled"
)

// A statistics event whose document does not parse still reaches the
// application, unchanged, and the parse error reaches otel.Handle; the
// statistics that follow are read as before.
//
// librdkafka only emits well-formed documents, and Poll and Run read the
// embedded kafka.Consumer directly, so a malformed document can be slipped
// in only on the channel-based consumer (go.events.channel.enable=true):
// the wrapper reads the inner consumer's Events() channel, which
// confluent-kafka-go returns as a plain chan kafka.Event. A *kafka.Stats
// built outside confluent-kafka-go can only be its zero value, whose
// document is empty: a document truncated to nothing. Poll and Run make the
// same ObserveStats call on what they poll and hand the event on whatever
// it returns; kmetrics' own tests feed it truncated and invalid documents.
func TestMalformedStatisticsEventReachesApplication(t *testing.T) {
	reported := handled.Errors(t)
	m := newMeters(t)
	tp, _ := recorder()
	c := newConsumer(t, "localhost:1", uniqueTopic(t), tp, kafka.ConfigMap{
		"go.events.channel.enable": true, "statistics.interval.ms": 50,
	}, interceptor.WithMeterProvider(m.mp))
	defer func() { require.NoError(t, c.Close()) }()

	bad := &kafka.Stats{}
	//lint:ignore SA1019 the deprecated channel-based consumer is the only way in for a hand-made event
	c.Consumer.Events() <- bad
	deadline := time.After(30 * time.Second)
	var gotBad bool
	var good *kafka.Stats
	for !gotBad || good == nil {
		select {
		//lint:ignore SA1019 the channel-based consumer
		case ev := <-c.Events():
			if s, ok := ev.(*kafka.Stats); ok {
				if s == bad {
					gotBad = true
				} else if gotBad && good == nil {
					good = s // librdkafka's own, after the bad one was handled
				}
			}
		case <-deadline:
			t.Fatalf("the application got the malformed event: %v, a later good one: %v", gotBad, good != nil)
		}
	}

	// Events are observed before they are forwarded, so both have been.
	errs := reported()
	require.Len(t, errs, 1, "only the malformed document is reported: %v", errs)
	assert.True(t, strings.HasPrefix(errs[0].Error(), "kafkatrace: librdkafka statistics: "), errs[0].Error())
	assert.NotEmpty(t, good.String())
}
