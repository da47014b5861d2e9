# Lint targets; the root Makefile includes this file.
#
#   make staticcheck               staticcheck over every module with our code
#   make govulncheck               known-vulnerability scan of the same modules;
#                                  skips (exit 0) when the vulnerability database
#                                  cannot be reached, unless GOVULNCHECK_REQUIRED=1
#   make govulncheck GOVULNDB=file:///path/to/vulndb   offline copy of the database
#   make tidy-check                `go mod tidy -diff` in every module; fails
#                                  naming each untidy module
#
# The linters are pinned by `tool` directives in tools/lint/go.mod, a module of
# its own so the library's go.mod does not gain their dependencies. They run as
# `go tool -modfile=tools/lint/go.mod staticcheck|govulncheck` (built once, then
# cached by the go command). To upgrade:
#   cd tools/lint && go get -tool honnef.co/go/tools/cmd/staticcheck@latest && go mod tidy
#

LINT_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
GO ?= go
LINT_TOOL = $(GO) tool -modfile=$(LINT_ROOT)/tools/lint/go.mod

export CGO_ENABLED := 1

# Modules whose packages are linted, as dir:tags (dir relative to the
# repository root, tags comma-separated, - for none). Each runs from its own
# directory over ./...
LINT_MODULES ?= .:- sampling:- telemetry:- test:- examples:- \
	integration:integration \
	bench:- \
	tools/kfake:-

STATICCHECK_FLAGS ?=

# https URL or file:// path of the Go vulnerability database
GOVULNDB ?= https://vuln.go.dev
# seconds to wait for the database before skipping
GOVULNDB_PROBE_TIMEOUT ?= 5
# 1: an unreachable database is a failure, not a skip (for a networked CI)
GOVULNCHECK_REQUIRED ?=
# -test: also follow test code (the integration module is only tests)
GOVULNCHECK_FLAGS ?= -test
# seconds per module before govulncheck is stopped
GOVULNCHECK_TIMEOUT ?= 600

# Every module in the repository, for tidy-check.
TIDY_MODULES ?= . sampling telemetry test examples \
	integration bench tools/kfake tools/jaeger tools/lint
# Modules not held to `go mod tidy`: tools/jaeger's go.mod and go.sum are
# copied from Jaeger's release (see its header), and tidy would rewrite them.
# For these, tidy-check only proves that go.mod/go.sum are complete for their
# tools (`go list -mod=readonly -deps tool`). `make tidy-check TIDY_LOOSE=`
# holds them to tidy too.
TIDY_LOOSE ?= tools/jaeger

.PHONY: staticcheck govulncheck tidy-check depcheck

# depcheck: the instrumentation module depends on confluent-kafka-go and the
# OpenTelemetry API only (scripts/depcheck.sh says what it checks).
depcheck:
	@$(LINT_ROOT)/scripts/depcheck.sh

staticcheck:
	@cd $(LINT_ROOT) && failed=; \
	for m in $(LINT_MODULES); do \
		dir=$${m%%:*}; tags=$${m#*:}; [ "$$tags" = - ] && tags=; \
		echo "staticcheck: $$dir$${tags:+ (-tags $$tags)}"; \
		( cd "$$dir" && $(LINT_TOOL) staticcheck $(STATICCHECK_FLAGS) $${tags:+-tags $$tags} ./... ) \
			|| failed="$$failed $$dir"; \
	done; \
	if [ -n "$$failed" ]; then echo "staticcheck: findings (or errors) in:$$failed"; exit 1; fi

govulncheck:
	@cd $(LINT_ROOT) && db='$(GOVULNDB)'; why=; \
	case "$$db" in \
	file://*) [ -d "$${db#file://}" ] || why="no directory $${db#file://}";; \
	*) url="$${db%/}/index/db.json.gz"; \
		if command -v curl >/dev/null 2>&1; then \
			why=$$(curl -fsS -m $(GOVULNDB_PROBE_TIMEOUT) -o /dev/null "$$url" 2>&1) \
				|| why=$$(printf '%s\n' "$${why:-curl failed}" | head -n 1); \
		elif command -v wget >/dev/null 2>&1; then \
			wget -q -t 1 -T $(GOVULNDB_PROBE_TIMEOUT) -O /dev/null "$$url" 2>/dev/null || why="wget could not fetch $$url"; \
		else \
			echo "govulncheck: no curl or wget to probe $$db; trying govulncheck itself"; \
		fi;; \
	esac; \
	if [ -n "$$why" ]; then \
		if [ -n "$(GOVULNCHECK_REQUIRED)" ]; then \
			echo "govulncheck: FAILED: vulnerability database $$db unreachable: $$why"; exit 1; \
		fi; \
		echo "govulncheck: SKIPPED: vulnerability database $$db unreachable within $(GOVULNDB_PROBE_TIMEOUT)s ($$why)."; \
		echo "govulncheck: set GOVULNDB=file:///path/to/copy for an offline copy, GOVULNCHECK_REQUIRED=1 to fail instead."; \
		exit 0; \
	fi; \
	limit=; command -v timeout >/dev/null 2>&1 && limit="timeout $(GOVULNCHECK_TIMEOUT)"; \
	failed=; \
	for m in $(LINT_MODULES); do \
		dir=$${m%%:*}; tags=$${m#*:}; [ "$$tags" = - ] && tags=; \
		echo "govulncheck: $$dir$${tags:+ (-tags $$tags)}"; \
		( cd "$$dir" && $$limit $(LINT_TOOL) govulncheck -db "$$db" $(GOVULNCHECK_FLAGS) $${tags:+-tags $$tags} ./... ) \
			|| failed="$$failed $$dir"; \
	done; \
	if [ -n "$$failed" ]; then echo "govulncheck: vulnerabilities (or errors) in:$$failed"; exit 1; fi

tidy-check:
	@cd $(LINT_ROOT) && untidy=; \
	for m in $(TIDY_MODULES); do \
		loose=; for l in $(TIDY_LOOSE); do [ "$$l" = "$$m" ] && loose=1; done; \
		if [ -n "$$loose" ]; then \
			if ( cd "$$m" && $(GO) list -mod=readonly -deps tool >/dev/null ); then \
				echo "tidy-check: $$m: complete for its tools (not held to tidy: TIDY_LOOSE)"; \
			else \
				echo "tidy-check: $$m: go.mod/go.sum incomplete"; untidy="$$untidy $$m"; \
			fi; \
		elif ( cd "$$m" && $(GO) mod tidy -diff ); then \
			echo "tidy-check: $$m: tidy"; \
		else \
			echo "tidy-check: $$m: UNTIDY (the diff above is what \`cd $$m && go mod tidy\` would change)"; \
			untidy="$$untidy $$m"; \
		fi; \
	done; \
	if [ -n "$$untidy" ]; then echo "tidy-check: untidy modules:$$untidy"; exit 1; fi
