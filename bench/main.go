// Command bench measures what kafkatrace costs against raw confluent-kafka-go
// and against a hand-written minimal tracing ("floor"), in interleaved rounds
// on one in-process broker, and writes docs/BENCHMARKS.md.
//
//	make bench     # or: cd bench && go run . -out ../docs/BENCHMARKS.md
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/poller"
)

func main() {
	rounds := flag.Int("rounds", 5, "interleaved rounds per throughput figure")
	n := flag.Int("n", 100_000, "messages per throughput measurement")
	memN := flag.Int("mem-n", 1_000_000, "messages in the memory scenario")
	out := flag.String("out", "", "write the markdown report here too")
	child := flag.String("memory-child", "", "internal: run the memory scenario for this variant and print JSON")
	only := flag.String("only", "", "comma-separated sections to run (producer,consumer,micro,allocs,poller,batch,stats,memory); default all")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run here")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	want := func(section string) bool {
		return *only == "" || strings.Contains(","+*only+",", ","+section+",")
	}

	if *child != "" {
		res, err := runMemory(*child, *memN, 20*time.Millisecond)
		if err != nil {
			log.Fatal(err)
		}
		_ = json.NewEncoder(os.Stdout).Encode(res)
		return
	}

	began := time.Now()
	r := &report{Rounds: *rounds, N: *n, Command: commandLine()}
	mc, err := kafka.NewMockCluster(1)
	if err != nil {
		log.Fatal(err)
	}
	defer mc.Close()
	for _, t := range []string{benchTopic, "poller"} {
		if err := mc.CreateTopic(t, 3, 1); err != nil {
			log.Fatal(err)
		}
	}
	consumeParts := partitionsFor(*n)
	if err := mc.CreateTopic("consume", consumeParts, 1); err != nil {
		log.Fatal(err)
	}
	bootstrap := mc.BootstrapServers()
	prov := newProviders()
	defer prov.shutdown()

	producers, err := newProducerVariants(bootstrap, prov)
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		for _, v := range producers {
			v.close()
		}
	}()

	// 1. Producer throughput, 40 B and 1 KiB.
	for _, size := range []int{40, 1024} {
		if !want("producer") {
			break
		}
		table := throughput{Title: fmt.Sprintf("Producer, %s messages", sizeName(size)), Figures: map[string]series{}}
		for round := 0; round < *rounds; round++ {
			for i := range producers {
				v := producers[(i+round)%len(producers)] // rotate who goes first
				d, err := v.run(benchTopic, *n, size)
				if err != nil {
					log.Fatalf("%s: %v", v.name, err)
				}
				table.add(v.name, float64(*n)/d.Seconds())
			}
			progress("producer %s round %d/%d", sizeName(size), round+1, *rounds)
		}
		table.Order = names(producers)
		r.Throughput = append(r.Throughput, table)
	}

	// 2. Consumer throughput: messages carrying trace headers.
	seed := producers[3]
	if _, err := seed.run("consume", *n, 40); err != nil {
		log.Fatal(err)
	}
	consumers := newConsumerVariants(bootstrap, prov)
	ct := throughput{Title: "Consumer, 40 B messages", Figures: map[string]series{}}
	for round := 0; round < *rounds && want("consumer"); round++ {
		for i := range consumers {
			v := consumers[(i+round)%len(consumers)]
			d, err := v.consume("consume", consumeParts, *n, nil)
			if err != nil {
				log.Fatalf("%s: %v", v.name, err)
			}
			ct.add(v.name, float64(*n-1)/d.Seconds())
		}
		progress("consumer round %d/%d", round+1, *rounds)
	}
	if want("consumer") {
		for _, v := range consumers {
			ct.Order = append(ct.Order, v.name)
		}
		r.Throughput = append(r.Throughput, ct)
	}

	// 3. Go benchmarks of both paths, in interleaved rounds too.
	microRounds := max(1, min(*rounds, 3))
	if want("micro") {
		type benchFn struct {
			path, name string
			fn         func(*testing.B)
		}
		var fns []benchFn
		for _, v := range producers {
			fns = append(fns, benchFn{"produce", v.name, func(b *testing.B) { benchProduce(b, v) }})
		}
		for _, v := range consumers {
			fns = append(fns, benchFn{"consume", v.name, func(b *testing.B) { benchConsume(b, bootstrap, mc, seed, v) }})
		}
		results := make([][]micro, len(fns))
		for round := 0; round < microRounds; round++ {
			for i := range fns {
				f := fns[(i+round)%len(fns)]
				results[(i+round)%len(fns)] = append(results[(i+round)%len(fns)], toMicro(f.path, f.name, testing.Benchmark(f.fn)))
			}
			progress("go benchmarks round %d/%d", round+1, microRounds)
		}
		for _, rs := range results {
			r.Micro = append(r.Micro, medianMicro(rs))
		}
		r.MicroRounds = microRounds
	}

	// 3b. Allocation profiles of the paths the content of the spans keeps
	// from their floor.
	if want("allocs") {
		const allocN = 50_000
		profiled := map[string]bool{"floor sampled": true, "floor unsampled": true, contentFloorSampled: true,
			"kafkatrace sampled": true, "kafkatrace unsampled": true,
			"kafkatrace Poll sampled": true, "kafkatrace Poll unsampled": true,
			"kafkatrace Run sampled": true, "kafkatrace Run unsampled": true}
		for _, v := range producers {
			if profiled[v.name] {
				prof, err := profileAllocs("produce", v.name, allocN, func() error {
					_, err := v.run(benchTopic, allocN, 40)
					return err
				})
				if err != nil {
					log.Fatalf("allocation profile of %s: %v", v.name, err)
				}
				r.Allocs = append(r.Allocs, prof)
			}
		}
		for _, v := range consumers {
			if profiled[v.name] {
				prof, err := profileAllocs("consume", v.name, allocN, func() error {
					_, err := v.consume("consume", consumeParts, allocN, nil)
					return err
				})
				if err != nil {
					log.Fatalf("allocation profile of %s: %v", v.name, err)
				}
				r.Allocs = append(r.Allocs, prof)
			}
		}
		progress("allocation profiles")
	}

	// 4. The poller with a 1 ms handler and distinct keys.
	const pollerMsgs, pollerKeys = 40_000, 10_000
	if err := produceKeyed(producers[0], "poller", pollerMsgs, pollerKeys); err != nil {
		log.Fatal(err)
	}
	pollerRounds := max(1, min(*rounds, 3))
	if !want("poller") {
		pollerRounds = 0
	}
	pr := pollerTable{Sequential: series{}, Cases: map[string]series{}, Keys: pollerKeys, Messages: pollerMsgs}
	for round := 0; round < pollerRounds; round++ {
		seq, err := sequential(bootstrap, "poller", 3, 500)
		if err != nil {
			log.Fatal(err)
		}
		pr.Sequential = append(pr.Sequential, seq)
		for _, c := range pollerCases {
			rate, cores, call, err := concurrent(bootstrap, prov.unsampled, "poller", 3, messagesFor(c, 3, pollerMsgs), c.ordering, c.inFlight)
			if err != nil {
				log.Fatalf("%s: %v", c, err)
			}
			pr.cores(c.String(), cores)
			pr.call(c.String(), call)
			pr.Cases[c.String()] = append(pr.Cases[c.String()], rate)
			pr.ratio(c.String(), rate/seq)
		}
		for _, o := range []poller.Ordering{poller.ByKey, poller.Unordered} {
			name := dispatcherCase(o)
			rate, cores, call, err := dispatcher(o, 256, 100_000, pollerKeys)
			if err != nil {
				log.Fatalf("%s: %v", name, err)
			}
			pr.cores(name, cores)
			pr.call(name, call)
			pr.Cases[name] = append(pr.Cases[name], rate)
			pr.ratio(name, rate/seq)
		}
		progress("poller round %d/%d", round+1, pollerRounds)
	}
	for _, c := range pollerCases {
		pr.Order = append(pr.Order, c.String())
	}
	pr.Order = append(pr.Order, dispatcherCase(poller.ByKey), dispatcherCase(poller.Unordered))
	r.Poller = pr

	// 5. RunBatch against Run with a bulk-insert handler, taking turns to
	// go first.
	if want("batch") {
		r.Bulk.Partitions, r.Bulk.IdleCall = partitionsFor(bulkBatchMsgs), idleCall()
		if err := mc.CreateTopic(bulkTopic, r.Bulk.Partitions, 1); err != nil {
			log.Fatal(err)
		}
		if err := produceKeyed(seed, bulkTopic, bulkBatchMsgs, bulkKeys); err != nil {
			log.Fatal(err)
		}
		for round := 0; round < *rounds; round++ {
			for i := range 2 {
				batch := (i+round)%2 == 1
				n := bulkRunMsgs
				if batch {
					n = bulkBatchMsgs
				}
				res, err := measureBulk(bootstrap, prov.sampled, bulkTopic, r.Bulk.Partitions, n, batch)
				if err != nil {
					log.Fatalf("batch (RunBatch %v): %v", batch, err)
				}
				r.Bulk.add(batch, res)
			}
			progress("batch round %d/%d: Run %.0f msgs/s, RunBatch %.0f msgs/s", round+1, *rounds,
				r.Bulk.Run[round], r.Bulk.Batch[round])
		}
	}

	// 6. The statistics parser behind the lag gauges.
	for round := 0; round < microRounds && want("stats"); round++ {
		d, allocs, size := benchParse()
		r.Parse.PerDoc = append(r.Parse.PerDoc, d)
		r.Parse.Allocs, r.Parse.Bytes = allocs, size
		progress("statistics parser round %d/%d: %v", round+1, microRounds, d)
	}

	// 7. Memory against a slow broker, each variant in its own process.
	for _, variant := range []string{"raw", "kafkatrace sampled"} {
		if !want("memory") {
			break
		}
		res, err := memoryChild(variant, *memN)
		if err != nil {
			log.Fatal(err)
		}
		r.Memory = append(r.Memory, res)
		progress("memory %s", variant)
	}

	r.Elapsed = time.Since(began)
	r.Env = environment()
	md := r.markdown()
	fmt.Print(md)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func names(vs []*producerVariant) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.name
	}
	return out
}

func sizeName(size int) string {
	if size >= 1024 {
		return strconv.Itoa(size/1024) + " KiB"
	}
	return strconv.Itoa(size) + " B"
}

// produceKeyed produces n messages with keys cycling over keys distinct
// values through v.
func produceKeyed(v *producerVariant, topic string, n, keys int) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for got := 0; got < n; {
			if _, ok := (<-v.events).(*kafka.Message); ok {
				got++
			}
		}
	}()
	for i := 0; i < n; i++ {
		if err := v.produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
			Key: []byte(strconv.Itoa(i % keys)), Value: make([]byte, 40)}); err != nil {
			return err
		}
	}
	<-done
	return nil
}

// memoryChild runs the memory scenario in a child process.
func memoryChild(variant string, n int) (memoryResult, error) {
	exe, err := os.Executable()
	if err != nil {
		return memoryResult{}, err
	}
	cmd := exec.Command(exe, "-memory-child", variant, "-mem-n", strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	outb, err := cmd.Output()
	if err != nil {
		return memoryResult{}, fmt.Errorf("memory %s: %w", variant, err)
	}
	var res memoryResult
	if err := json.Unmarshal(outb[strings.LastIndex(strings.TrimSpace(string(outb)), "\n")+1:], &res); err != nil {
		return memoryResult{}, fmt.Errorf("memory %s: %w (output %q)", variant, err, outb)
	}
	return res, nil
}

func commandLine() string {
	return "make bench   # = cd bench && go run . " + strings.Join(os.Args[1:], " ")
}
