package interceptor_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// order is the JSON value of a message on the orders topic.
type order struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Cents    int64  `json:"cents"`
}

// RunBatch hands the handler up to 100 messages of one partition at a time,
// under one "process orders" span linked to every message's producer. Here
// a batch becomes one database transaction. A value that does not decode is
// named in a *BatchError: only those messages are retried and then
// dead-lettered, and the rest of the batch counts as finished. A database
// error fails the whole batch, which is retried whole.
func ExampleConsumer_RunBatch() {
	// Any database/sql driver; this one needs _ "github.com/jackc/pgx/v5/stdlib".
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	dlq, err := interceptor.NewProducer(&kafka.ConfigMap{"bootstrap.servers": "localhost:9092"})
	if err != nil {
		log.Fatal(err)
	}
	defer dlq.Close() // after the consumer: Run neither creates nor closes it

	c, err := interceptor.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers": "localhost:9092",
		"group.id":          "order-archive",
		"auto.offset.reset": "earliest",
	},
		interceptor.WithBatch(100, 100*time.Millisecond), // the defaults
		interceptor.WithMaxInFlight(8),                   // batches at once
		interceptor.WithDeadLetter(interceptor.DeadLetterTopic("orders.dlq"), dlq))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Subscribe("orders", nil); err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = c.RunBatch(ctx, func(ctx context.Context, msgs []*kafka.Message) error {
		// msgs are one partition's, in offset order; ctx carries the batch's span.
		failed := &interceptor.BatchError{}
		rows := make([]order, 0, len(msgs))
		for i, m := range msgs {
			var o order
			if err := json.Unmarshal(m.Value, &o); err != nil {
				failed.Fail(i, fmt.Errorf("order at offset %v: %w", m.TopicPartition.Offset, err))
				continue
			}
			rows = append(rows, o)
		}

		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err // the whole batch is retried
		}
		defer tx.Rollback() // a no-op after Commit
		ins, err := tx.PrepareContext(ctx,
			`INSERT INTO orders (id, customer, cents) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`)
		if err != nil {
			return err
		}
		for _, o := range rows {
			if _, err := ins.ExecContext(ctx, o.ID, o.Customer, o.Cents); err != nil {
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if len(failed.Failed) > 0 {
			return failed // only these are retried, then dead-lettered
		}
		return nil // not a nil *BatchError: that would be a non-nil error
	})
	var herr *interceptor.HandlerError
	if errors.As(err, &herr) {
		// A message could not be dead-lettered either; nothing was committed past it.
		log.Fatalf("stopped at %v: %v", herr.TopicPartition, err)
	}
}

// WithDeadLetter produces a message that failed every attempt to a
// dead-letter topic, here one per source topic, through the service's own
// traced producer. The offset moves past the message only once the broker
// has acknowledged the copy; if that produce fails, Run stops as under
// StopOnFailure and nothing is committed past the message.
func ExampleWithDeadLetter() {
	p, err := interceptor.NewProducer(&kafka.ConfigMap{"bootstrap.servers": "localhost:9092"})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close() // deferred first, so it runs after c.Close

	route := func(msg *kafka.Message, err error) string {
		switch *msg.TopicPartition.Topic {
		case "orders":
			return "orders.dlq"
		case "payments":
			return "payments.dlq"
		}
		return "" // no dead-letter topic: Run stops on this message
	}
	c, err := interceptor.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers": "localhost:9092",
		"group.id":          "billing",
	},
		interceptor.WithRetry(3, interceptor.ExponentialBackoff(100*time.Millisecond, 5*time.Second)),
		interceptor.WithDeadLetter(route, p))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.SubscribeTopics([]string{"orders", "payments"}, nil); err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = c.Run(ctx, func(ctx context.Context, m *kafka.Message) error {
		var o order
		if err := json.Unmarshal(m.Value, &o); err != nil {
			// After the last attempt the message goes to its dead-letter
			// topic with kafkatrace-dlt-* headers saying where from and why.
			return err
		}
		return nil
	})
	var herr *interceptor.HandlerError
	if errors.As(err, &herr) && herr.DeadLetterErr != nil {
		// The dead-letter produce failed (topic missing, broker down, not
		// authorized): librdkafka's error is kept.
		var kerr kafka.Error
		if errors.As(herr.DeadLetterErr, &kerr) {
			log.Printf("dead-letter produce failed: %v (%v)", kerr.Code(), kerr)
		}
		log.Fatalf("stopped at %v: %v", herr.TopicPartition, err)
	}
}

// With enable.auto.commit=false, a consumer made by NewConsumer commits its
// finished work (offsets and the finished-offsets record) itself, every
// auto.commit.interval.ms (5s by default); WithCommitInterval sets another
// cadence. Commits are sent from a goroutine of Run's, one at a time; a
// failed one is reported here and sent again at the next interval.
func ExampleWithCommitInterval() {
	c, err := interceptor.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers":  "localhost:9092",
		"group.id":           "shipping",
		"enable.auto.commit": false,
	},
		interceptor.WithCommitInterval(time.Second),
		interceptor.WithEventHandler(func(ev kafka.Event) {
			var aerr *interceptor.AsyncError
			if err, ok := ev.(error); ok && errors.As(err, &aerr) && aerr.Op == "commit" {
				log.Printf("commit failed, retried at the next interval: %v", aerr.Err)
			}
		}))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Subscribe("orders", nil); err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = c.Run(ctx, func(ctx context.Context, m *kafka.Message) error {
		log.Printf("shipping %s", m.Key)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
