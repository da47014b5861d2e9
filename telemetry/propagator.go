package telemetry

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// propagatorsEnv names the standard environment variable listing the
// propagators, comma separated; it replaces Config.Propagators.
const propagatorsEnv = "OTEL_PROPAGATORS"

// knownPropagators is for error messages; autoprop.RegisterTextMapPropagator
// can add more names.
const knownPropagators = "tracecontext, baggage, b3, b3multi, jaeger, xray, ottrace or none"

// Propagator returns the propagator [Start] installs unless the config
// file's propagators key names others: the ones OTEL_PROPAGATORS lists, or
// W3C TraceContext and Baggage when it is unset. An invalid OTEL_PROPAGATORS
// is reported through otel.Handle and gives TraceContext and Baggage (Start
// and New fail on it instead). With [New], prefer [Provider.Propagator],
// which also follows the configuration.
func Propagator() propagation.TextMapPropagator {
	names, err := envPropagators(os.Getenv)
	if err != nil {
		otel.Handle(fmt.Errorf("telemetry: %w; using tracecontext,baggage", err))
	}
	if names == nil {
		names = DefaultConfig().Propagators
	}
	return newPropagator(names)
}

// newPropagator returns the propagator names list, in order, through
// autoprop; names must have passed checkPropagators.
func newPropagator(names []string) propagation.TextMapPropagator {
	p, err := autoprop.TextMapPropagator(names...)
	if err != nil {
		otel.Handle(fmt.Errorf("telemetry: propagators: %w", err)) // unreachable: checked
	}
	if p == nil {
		return propagation.NewCompositeTextMapPropagator()
	}
	return p
}

// envPropagators returns the names OTEL_PROPAGATORS lists, nil when it is
// unset, or an error naming the variable for each problem.
func envPropagators(getenv func(string) string) ([]string, error) {
	v := strings.TrimSpace(getenv(propagatorsEnv))
	if v == "" {
		return nil, nil
	}
	var names []string
	for name := range strings.SplitSeq(v, ",") {
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
	}
	var errs []error
	checkPropagators(names, func(_ int, msg string) {
		errs = append(errs, keyErrorf(propagatorsEnv, "%s", msg))
	})
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return names, nil
}

// checkPropagators reports each problem in names to bad, with the index of
// the name at fault, or -1 for the list as a whole.
func checkPropagators(names []string, bad func(i int, msg string)) {
	if len(names) == 0 {
		bad(-1, "no propagator named; write none to propagate nothing")
		return
	}
	for i, name := range names {
		if name == "none" && len(names) > 1 {
			bad(i, `"none" cannot be combined with other propagators`)
			continue
		}
		if _, err := autoprop.TextMapPropagator(name); err != nil {
			bad(i, fmt.Sprintf("unknown propagator %q (want %s)", name, knownPropagators))
		}
	}
}
