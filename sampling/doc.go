// Package sampling provides an [sdktrace.Sampler] that decides per Kafka
// topic, and the rule set behind it.
//
// A [Rule] names a topic exactly, by glob or by regular expression, and gives
// it a sampling ratio, a parent policy and an untrusted flag. [Compile] checks
// and freezes an ordered list of rules into a [RuleSet]; the first rule that
// matches a topic wins, and topics no rule matches get the set's default
// ratio.
//
// The [Sampler] reads the topic from the messaging.destination.name attribute
// that must be passed when the span starts (trace.WithAttributes on
// Tracer.Start): a sampler never sees attributes set later. Spans without that
// attribute are not Kafka spans and go to the default sampler,
// ParentBased(AlwaysSample) unless [WithDefaultSampler] says otherwise.
//
// Ratios are applied to the trace ID with the algorithm of
// [sdktrace.TraceIDRatioBased], so every service, in any OpenTelemetry SDK,
// that applies the same ratio to a trace reaches the same decision. Ratio 0
// never samples and ratio 1 always does.
//
// The parent policy says who decides when the span has a valid parent:
//   - [Respect] (the default): the parent's sampled flag decides, as with
//     [sdktrace.ParentBased]; the ratio only decides for root spans.
//   - [Override]: the topic's ratio decides even against the parent.
//
// The untrusted flag does not change sampling by itself. Instrumentation that
// consumes an untrusted topic (the interceptor package, through
// WithTopicPolicy, using [RuleSet.Untrusted] or [Sampler.Untrusted]) starts a
// new root span that only links to the producer's context, so the sampler
// sees no parent there and the topic's ratio decides.
//
// [Sampler.Swap] replaces the rule set atomically while spans are being
// sampled; ShouldSample takes no lock.
package sampling // import "github.com/kafkatrace/kafkatrace/sampling"
