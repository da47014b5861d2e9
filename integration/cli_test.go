//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/internal/cli"
	"github.com/kafkatrace/kafkatrace/telemetry"
)

// kafkatrace trace -t/-p/-o finds a traced message's trace in the real
// Jaeger and prints it as the waterfall, fitted to --width; --json prints
// Jaeger's trace on one line.
func TestCLITraceOfMessage(t *testing.T) {
	run := runID()
	topic := "cli-" + run
	createTopics(t, 1, topic)
	svc := newService(t, "kt-cli", telemetry.Exporter{Type: telemetry.ExporterOTLP, Endpoint: otlpEndpoint(), Insecure: true})
	prod := newProducer(t, svc, run)

	ctx, root := svc.Tracer("checkout").Start(context.Background(), "checkout")
	dc := make(chan kafka.Event, 1)
	require.NoError(t, prod.ProduceContext(ctx, &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Value: []byte("order-1"),
	}, dc))
	report := (<-dc).(*kafka.Message)
	require.NoError(t, report.TopicPartition.Error)
	root.End()
	flushCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	require.NoError(t, svc.ForceFlush(flushCtx))
	traceID := root.SpanContext().TraceID().String()
	offset := strconv.FormatInt(int64(report.TopicPartition.Offset), 10)

	args := []string{"trace", "-b", bootstrap(), "-t", topic, "-p", "0", "-o", offset,
		"--jaeger", queryURL(), "--width", "100", "--timeout", "10s"}
	cliRun := func(args ...string) (string, string, int) {
		var stdout, stderr bytes.Buffer
		code := cli.MainContext(context.Background(), args, &stdout, &stderr)
		return stdout.String(), stderr.String(), code
	}

	// Jaeger shows spans about a second after export: retry until it does.
	var out, errOut string
	deadline := time.Now().Add(60 * time.Second)
	for {
		var code int
		out, errOut, code = cliRun(args...)
		if code == 0 && strings.Contains(out, "send "+topic) {
			break
		}
		require.True(t, time.Now().Before(deadline), "Jaeger never showed the trace; last exit %d: %s%s", code, out, errOut)
		require.Contains(t, errOut, "not found in Jaeger", "only a trace not there yet is retried")
		time.Sleep(500 * time.Millisecond)
	}
	assert.Empty(t, errOut)
	assert.Contains(t, out, "trace "+traceID)
	assert.Contains(t, out, queryURL()+"/trace/"+traceID)
	assert.Contains(t, out, "checkout")
	assert.Contains(t, out, "send "+topic)
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		assert.LessOrEqual(t, utf8.RuneCountInString(line), 100, "fits --width 100: %q", line)
	}
	t.Logf("kafkatrace trace:\n%s", out)

	jsonOut, errOut, code := cliRun(append(args, "--json")...)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 1, strings.Count(jsonOut, "\n"), "one line")
	var tr struct {
		TraceID string `json:"traceID"`
		Spans   []struct {
			OperationName string `json:"operationName"`
		} `json:"spans"`
	}
	require.NoError(t, json.Unmarshal([]byte(jsonOut), &tr))
	assert.Equal(t, traceID, tr.TraceID)
	var names []string
	for _, s := range tr.Spans {
		names = append(names, s.OperationName)
	}
	assert.Contains(t, names, "send "+topic)
	assert.Contains(t, names, "checkout")
}
