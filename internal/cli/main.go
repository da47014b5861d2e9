package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Main runs the kafkatrace command with args (without the program name),
// writing results to stdout and errors to stderr, and returns the exit code.
// SIGINT and SIGTERM end it (inspect --follow stops cleanly on them).
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return MainContext(ctx, args, stdout, stderr)
}

// MainContext is [Main] with the context that bounds the whole command
// instead of the signals: when ctx is done, inspect --follow stops and
// returns 0, and any other operation fails.
func MainContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	stderr = &syncWriter{w: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	var run func(context.Context, []string, io.Writer, io.Writer) error
	switch name {
	case "inspect":
		run = runInspect
	case "trace":
		run = runTrace
	case "group":
		run = runGroup
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, mainUsage)
		return exitOK
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "kafkatrace", version())
		return exitOK
	default:
		fmt.Fprintf(stderr, "kafkatrace: unknown command %q (commands: inspect, trace, group; see kafkatrace --help)\n", oneLine(name))
		return exitUsage
	}
	err := run(ctx, rest, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "kafkatrace: %s: %s\n", name, oneLine(err.Error()))
	}
	return exitCode(err)
}
