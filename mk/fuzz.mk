# Fuzz targets; the root Makefile includes this file.
#
#   make fuzz                      each target for FUZZTIME (default 10s)
#   make fuzz FUZZTIME=5m          longer, locally
#
# go test accepts one -fuzz target per invocation, so each runs on its own.
# The seed corpora (carrier/testdata/fuzz/<FuzzName>/) also run as plain tests
# in `make unit`. A failure writes the crashing input under testdata/fuzz/;
# commit it once fixed, so it stays a regression test.

FUZZ_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
FUZZTIME ?= 10s
# package:target pairs
FUZZ_TARGETS ?= ./carrier:FuzzExtract ./carrier:FuzzCarrier ./poller:FuzzPartitionState
GO ?= go

export CGO_ENABLED := 1

.PHONY: fuzz

fuzz:
	@cd $(FUZZ_ROOT) && for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done
