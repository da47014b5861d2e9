// Command kfake runs franz-go's in-memory Kafka broker (pkg/kfake) as a
// process, so integration tests can run without Docker:
//
//	kfake [-addr 127.0.0.1:9092] [-partitions 3] [-log-level warn] [-refuse-create-topics | -no-auto-create-topics]
//
// Topics are created on first use and consumer groups work. The broker keeps
// everything in memory and stops on SIGINT or SIGTERM. With
// -refuse-create-topics it behaves like a locked-down cluster: no topic is
// created on first use and CreateTopics is refused (TOPIC_AUTHORIZATION_FAILED).
// With -no-auto-create-topics no topic is created on first use, but
// CreateTopics works: a topic is missing until someone creates it.
//
// With -check ADDR it does not serve: it sends one Metadata request to ADDR
// and exits 0 if a broker answered, 1 otherwise. Scripts use it to wait for
// a broker to be ready.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func main() {
	var (
		addr       = flag.String("addr", envOr("KFAKE_ADDR", "127.0.0.1:9092"), "loopback host:port to listen on (env KFAKE_ADDR)")
		partitions = flag.Int("partitions", envInt("KFAKE_PARTITIONS", 3), "partitions of auto-created topics (env KFAKE_PARTITIONS)")
		logLevel   = flag.String("log-level", envOr("KFAKE_LOG_LEVEL", "warn"), "none, error, warn, info or debug (env KFAKE_LOG_LEVEL)")
		check      = flag.String("check", "", "send a Metadata request to this host:port and exit 0 if a broker answers")
		timeout    = flag.Duration("check-timeout", 3*time.Second, "time limit of -check")
		refuse     = flag.Bool("refuse-create-topics", false, "refuse CreateTopics and do not create topics on first use")
		noAuto     = flag.Bool("no-auto-create-topics", false, "do not create topics on first use (CreateTopics works)")
	)
	flag.Parse()

	if *check != "" {
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		defer cancel()
		if err := checkBroker(ctx, *check); err != nil {
			fmt.Fprintf(os.Stderr, "kfake: check %s: %v\n", *check, err)
			os.Exit(1)
		}
		return
	}

	if err := serve(*addr, *partitions, *logLevel, *refuse, *noAuto); err != nil {
		fmt.Fprintf(os.Stderr, "kfake: %v\n", err)
		os.Exit(1)
	}
}

func serve(addr string, partitions int, logLevel string, refuse, noAuto bool) error {
	port, err := loopbackPort(addr)
	if err != nil {
		return err
	}
	level, err := parseLevel(logLevel)
	if err != nil {
		return err
	}
	if partitions < 1 {
		return fmt.Errorf("partitions must be at least 1, got %d", partitions)
	}

	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		// kfake listens on 127.0.0.1:port; honour the host the user gave.
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			return net.Listen(network, addr)
		}),
		kfake.DefaultNumPartitions(partitions),
		kfake.WithLogger(kfake.BasicLogger(os.Stderr, level)),
	}
	if !refuse && !noAuto {
		opts = append(opts, kfake.AllowAutoTopicCreation())
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return err
	}
	if refuse {
		c.ControlKey(int16(kmsg.CreateTopics), func(req kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			return refuseCreateTopics(req)
		})
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Printf("kfake listening on %s (partitions=%d)\n", strings.Join(c.ListenAddrs(), ","), partitions)
	<-ctx.Done()
	stop() // a second signal now kills the process

	fmt.Println("kfake shutting down")
	c.Close()
	return nil
}

// loopbackPort returns the port of addr and refuses hosts that are not
// loopback: the broker has no authentication and must stay on this machine.
func loopbackPort(addr string) (int, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, fmt.Errorf("bad -addr %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port <= 0 || port > 65535 {
		return 0, fmt.Errorf("bad port in -addr %q", addr)
	}
	if host == "localhost" {
		return port, nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return 0, fmt.Errorf("-addr %q: host must be a loopback address", addr)
	}
	return port, nil
}

func parseLevel(s string) (kfake.LogLevel, error) {
	switch strings.ToLower(s) {
	case "none":
		return kfake.LogLevelNone, nil
	case "error":
		return kfake.LogLevelError, nil
	case "warn":
		return kfake.LogLevelWarn, nil
	case "info":
		return kfake.LogLevelInfo, nil
	case "debug":
		return kfake.LogLevelDebug, nil
	}
	return 0, errors.New("log level must be none, error, warn, info or debug")
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return n
	}
	return def
}

// refuseCreateTopics answers a CreateTopics request with
// TOPIC_AUTHORIZATION_FAILED for each topic.
func refuseCreateTopics(req kmsg.Request) (kmsg.Response, error, bool) {
	creq := req.(*kmsg.CreateTopicsRequest)
	resp := creq.ResponseKind().(*kmsg.CreateTopicsResponse)
	for _, t := range creq.Topics {
		rt := kmsg.NewCreateTopicsResponseTopic()
		rt.Topic = t.Topic
		rt.ErrorCode = kerr.TopicAuthorizationFailed.Code
		msg := "topic creation is refused by this broker (kfake -refuse-create-topics)"
		rt.ErrorMessage = &msg
		resp.Topics = append(resp.Topics, rt)
	}
	return resp, nil, true
}
