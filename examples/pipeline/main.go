// Command pipeline runs three traced services — orders → payments →
// notifications — and prints every finished trace as a waterfall tree.
//
//	cd examples && go run ./pipeline -n 20   # or, from the repository root: make demo N=20
//
// With no KAFKA_BOOTSTRAP_SERVERS it runs on an embedded broker
// (librdkafka's mock cluster). With OTEL_EXPORTER_OTLP_ENDPOINT set (for
// example after `docker compose up -d`) it also exports to that collector
// and prints each trace's Jaeger URL (JAEGER_QUERY_URL, default
// http://localhost:16686). Ctrl-C stops it cleanly.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/kafkatrace/kafkatrace/internal/tracetree"
)

func main() {
	n := flag.Int("n", 5, "orders to send; 0 sends until interrupted")
	interval := flag.Duration("interval", 200*time.Millisecond, "pause between orders")
	timeout := flag.Duration("timeout", 2*time.Minute, "give up after this long (0: never)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	cfg := config{
		Messages:  *n,
		Interval:  *interval,
		Bootstrap: os.Getenv("KAFKA_BOOTSTRAP_SERVERS"),
		OTLP:      os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "",
		JaegerURL: envOr("JAEGER_QUERY_URL", "http://localhost:16686"),
		Out:       os.Stdout,
		Width:     tracetree.Width(os.Stdout),
		Progress:  io.Discard,
		Log:       os.Stderr,
		Summary:   os.Stdout,
	}
	if isTerminal(os.Stderr) {
		cfg.Progress = os.Stderr // the progress line redraws itself with escape codes
	}
	where := "embedded broker"
	if cfg.Bootstrap != "" {
		where = cfg.Bootstrap
	}
	fmt.Fprintf(os.Stderr, "pipeline: orders → payments → notifications on %s\n", where)
	printed, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pipeline:", err)
		os.Exit(1)
	}
	if *n > 0 && printed < *n {
		fmt.Fprintf(os.Stderr, "pipeline: stopped after %d of %d traces\n", printed, *n)
		if ctx.Err() == context.DeadlineExceeded {
			os.Exit(1)
		}
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
