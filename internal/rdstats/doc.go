// Package rdstats parses the statistics document that librdkafka emits every
// statistics.interval.ms (the string of confluent-kafka-go's *kafka.Stats
// event) into typed values holding only the fields kafkatrace's metrics use.
//
// [Parse] never panics: malformed or truncated JSON, values of the wrong type
// and numbers that do not fit their field are errors; unknown fields are
// ignored and missing ones are left zero. Values are kept as librdkafka reports
// them, so an offset librdkafka does not know is [InvalidOffset] (-1001) and an
// unknown consumer lag is -1; [Partition.Lag] and [Partition.StoredLag] tell
// the latter apart.
//
// Brokers, topics and partitions come back sorted (brokers and topics by name,
// partitions by id) with librdkafka's internal UA partition (-1) left out, so
// that [Stats.RealBrokers] and [Stats.Partitions] walk them in a stable order
// without allocating.
//
// The format is described in librdkafka's STATISTICS.md; the field names in
// the struct comments are the ones librdkafka emits.
package rdstats
