package interceptor

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// copyConfig returns a shallow copy of conf so the caller's map is never
// changed by the settings kafkatrace has to force.
func copyConfig(conf *kafka.ConfigMap) kafka.ConfigMap {
	out := kafka.ConfigMap{}
	if conf == nil {
		return out
	}
	for k, v := range *conf {
		out[k] = v
	}
	return out
}

// confBool reads a boolean the way confluent-kafka-go accepts it (bool or a
// string such as "true"). A value of another type is a kafka.Error with
// ErrInvalidArg, as confluent-kafka-go itself reports bad config.
func confBool(conf kafka.ConfigMap, key string, def bool) (bool, error) {
	v, ok := conf[key]
	if !ok {
		return def, nil
	}
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		if parsed, err := strconv.ParseBool(b); err == nil {
			return parsed, nil
		}
	}
	return false, kafka.NewError(kafka.ErrInvalidArg,
		fmt.Sprintf("%s expects a bool, got %T %v", key, v, v), false)
}

// confString returns conf[key] as a string, or "" when it is unset.
func confString(conf kafka.ConfigMap, key string) string {
	v, ok := conf[key]
	if !ok || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// serverAddress returns the host of the first bootstrap server (for
// server.address), without scheme or port.
func serverAddress(conf kafka.ConfigMap) string {
	servers := confString(conf, "bootstrap.servers")
	if servers == "" {
		servers = confString(conf, "metadata.broker.list")
	}
	first, _, _ := strings.Cut(servers, ",")
	first = strings.TrimSpace(first)
	if _, rest, ok := strings.Cut(first, "://"); ok {
		first = rest
	}
	if host, _, err := net.SplitHostPort(first); err == nil {
		return host
	}
	return first
}

// confInt reads an int setting the way confluent-kafka-go accepts it.
func confInt(conf kafka.ConfigMap, key string, def int) (int, error) {
	v, ok := conf[key]
	if !ok {
		return def, nil
	}
	switch n := v.(type) {
	case int:
		return n, nil
	case string:
		if parsed, err := strconv.Atoi(n); err == nil {
			return parsed, nil
		}
	}
	return 0, kafka.NewError(kafka.ErrInvalidArg,
		fmt.Sprintf("%s expects an int, got %T %v", key, v, v), false)
}
