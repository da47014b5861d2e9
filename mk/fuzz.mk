# Fuzz targets; the root Makefile includes this file.
#
#   make fuzz                      each target for FUZZTIME (default 10s)
#   make fuzz FUZZTIME=5m          longer, locally
#
# go test accepts one -fuzz target per invocation, so each runs on its own.
# The seed corpora (testdata/fuzz/<FuzzName>/ beside each target) also run as
# plain tests in `make unit`. A failure writes the crashing input under
# testdata/fuzz/; commit it once fixed, so it stays a regression test.

FUZZ_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
FUZZTIME ?= 10s
# module:package:target; the carrier's fuzz targets are in the test module
FUZZ_TARGETS ?= test:./carrier:FuzzExtract test:./carrier:FuzzCarrier .:./poller:FuzzPartitionState .:./internal/rdstats:FuzzParse .:./internal/cli:FuzzInspect
GO ?= go

export CGO_ENABLED := 1

.PHONY: fuzz

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		mod=$${t%%:*}; rest=$${t#*:}; pkg=$${rest%%:*}; name=$${rest##*:}; \
		echo "fuzz $$name ($$mod $$pkg) for $(FUZZTIME)"; \
		( cd $(FUZZ_ROOT)/$$mod && $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg ) || exit 1; \
	done
