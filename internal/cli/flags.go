package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// defaultTimeout bounds every network operation unless --timeout says
// otherwise.
const defaultTimeout = 10 * time.Second

// common holds the flags every subcommand takes.
type common struct {
	bootstrap string
	props     propList
	json      bool
	timeout   time.Duration
	verbose   bool
}

// propList is the repeated -X key=value flag: librdkafka properties in the
// order given.
type propList [][2]string

// String joins the properties as key=value,... (flag.Value).
func (p *propList) String() string {
	var s []string
	for _, kv := range *p {
		s = append(s, kv[0]+"="+kv[1])
	}
	return strings.Join(s, ",")
}

// Set adds one key=value (flag.Value).
func (p *propList) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	*p = append(*p, [2]string{strings.TrimSpace(k), val})
	return nil
}

// newFlagSet returns a flag set for subcommand name whose --help prints
// usage to stdout and whose errors are left to the caller (one line).
func newFlagSet(name, usage string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("kafkatrace "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() { fmt.Fprint(stdout, usage) }
	return fs
}

// register adds the common flags to fs: -b/--bootstrap-server, -X, --json,
// --timeout, -v.
func (c *common) register(fs *flag.FlagSet) {
	def := strings.TrimSpace(os.Getenv("KAFKA_BOOTSTRAP_SERVERS"))
	fs.StringVar(&c.bootstrap, "b", def, "bootstrap servers")
	fs.StringVar(&c.bootstrap, "bootstrap-server", def, "bootstrap servers")
	fs.Var(&c.props, "X", "librdkafka property key=value (repeatable)")
	fs.BoolVar(&c.json, "json", false, "one JSON object per line")
	fs.DurationVar(&c.timeout, "timeout", defaultTimeout, "bound of every network operation")
	fs.BoolVar(&c.verbose, "v", false, "show librdkafka logs on stderr")
}

// check validates the common flags once parsed.
func (c *common) check() error {
	if c.timeout <= 0 {
		return usageError("--timeout must be positive, got %v", c.timeout)
	}
	return nil
}

// requireBootstrap fails unless a bootstrap address was given.
func (c *common) requireBootstrap() error {
	if c.bootstrap == "" {
		return usageError("no brokers: set -b/--bootstrap-server or KAFKA_BOOTSTRAP_SERVERS")
	}
	return nil
}

// parse parses args with fs, allowing flags after positional arguments
// (kafkatrace trace ID --json), and returns the positional arguments. A
// flag error is a usage error naming the subcommand's --help.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, usageError("%v (see %s --help)", err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// setFlags reports which flags were set on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	m := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { m[f.Name] = true })
	return m
}
