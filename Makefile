# terraform-provider-zoho
#
# Build tools come from their own modules under tools/: tfplugindocs,
# golangci-lint, actionlint and goreleaser run through those modules' `tool` directives
# (go tool -modfile=..., built once into the Go cache); OpenTofu needs its own
# ldflags and a file path for the tests, so scripts/tool.sh builds and caches
# it. Everything works offline once the Go module cache is warm.
#
# One direction: targets call scripts (scripts/*.sh) and Go programs
# (internal/cmd/, bench/); those never call make. The environment of the
# CLIs and the tests is set in one place, scripts/env.sh, which the targets
# that run a CLI or the tests source (the environment trap of these
# machines, a TF_CLI_CONFIG_FILE naming a missing file, is defused there).
# The Go programs run the CLIs with an environment of their own
# (clitest.Env).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

BINARY  := terraform-provider-zoho
VERSION ?= $(shell git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null | sed 's/^v//' || true)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || true)
ifeq ($(strip $(VERSION)),)
VERSION := dev
endif
ifeq ($(strip $(COMMIT)),)
COMMIT := none
endif
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

TOOL          := scripts/tool.sh
GOLANGCI_LINT := go tool -modfile=tools/lint/go.mod golangci-lint
GORELEASER    := go tool -modfile=tools/release/go.mod goreleaser
TEST_ARGS     ?=

.PHONY: help build install tools test testacc unit lint workflows-check fmt docs docs-check \
	examples-check changelog-check demo bench bench-go bench-proxy bench-cli bench-fleet fuzz release-check \
	release-rehearsal cross-check wine-test clean clean-tools

help: ## List the targets
	@echo "Usage: make TARGET"
	@echo
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-18s %s\n", $$1, $$2}'

build: ## Build the provider into ./bin/
	go build -trimpath -ldflags "$(LDFLAGS)" -o bin/$(BINARY) .

install: ## go install the provider (into GOBIN or GOPATH/bin)
	go install -trimpath -ldflags "$(LDFLAGS)" .

tools: ## Build (or reuse cached) tofu, tfplugindocs and golangci-lint and print their paths
	@printf '%-14s %s\n' tofu "$$($(TOOL) tofu)" \
		tfplugindocs "$$(go tool -n -modfile=tools/docs/go.mod tfplugindocs)" \
		golangci-lint "$$(go tool -n -modfile=tools/lint/go.mod golangci-lint)"

test: ## Everything CI runs: vet, lint, actionlint, unit+acceptance tests (tofu, terraform if on PATH, the tofu 1.11/1.6 matrix), cross-check, Wine, release rehearsal, docs and examples checks
	scripts/test.sh

testacc: ## Acceptance tests only (internal/provider's in-process ones, internal/acceptance's black-box ones), against tofu, with SeaweedFS, fake-gcs-server and Azurite for the shared cache (TEST_ARGS='-run TestAccX' to narrow)
	@. scripts/env.sh && acc_env "$$($(TOOL) tofu)" && stores_env && \
		go test -race -v -count=1 -timeout 30m -run '^TestAcc' $(TEST_ARGS) ./...

unit: ## Unit tests only (go test -race, no TF_ACC)
	@. scripts/env.sh && cli_env "$$($(TOOL) tofu)" && \
		go test -race $(TEST_ARGS) ./...

lint: ## go vet + golangci-lint (scripts/lint.sh)
	scripts/lint.sh

workflows-check: ## actionlint of .github/workflows/ (scripts/workflows-check.sh; runs shellcheck on run: scripts when shellcheck is on PATH)
	scripts/workflows-check.sh

fmt: ## gofmt/goimports the Go code, tofu fmt the examples
	find . -name '*.go' -not -path './.git/*' -not -path './tools/*' -print0 | xargs -0 -r gofmt -s -w
	$(GOLANGCI_LINT) fmt ./...
	. scripts/env.sh && "$$($(TOOL) tofu)" fmt -recursive examples/

docs: ## Regenerate docs/ with tfplugindocs, then tfplugindocs validate (go generate: see main.go)
	go generate ./...

docs-check: ## Fail if docs/ differs from git before or after make docs (hand-edited or stale); tfplugindocs validate (scripts/docs-check.sh)
	scripts/docs-check.sh

examples-check: ## tofu fmt -check and bash -n of examples/; README.md and docs/ show only tested example files (scripts/examples-check.sh)
	scripts/examples-check.sh

changelog-check: ## CHANGELOG.md is what changie merge writes, and the unreleased entries batch (the real changie)
	scripts/changelog-check.sh

FUZZTIME ?= 30s
fuzz: ## Run every fuzz target for FUZZTIME each (make test runs their seed corpora only)
	@for pkg in $$(go list ./...); do \
		for target in $$(go test -list '^Fuzz' "$$pkg" | grep '^Fuzz' || true); do \
			echo "==> $$target ($$pkg, $(FUZZTIME))"; \
			go test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) "$$pkg" 2>&1 | \
				awk '/^fuzz: elapsed/ {last = $$0; next} {print} END {if (last) print last}'; \
			test "$${PIPESTATUS[0]}" = 0 || exit 1; \
		done; \
	done

demo: ## Run the demo (internal/cmd/demo)
	go run ./internal/cmd/demo

# Speed is measured here, never asserted in tests (figures: BENCHMARKS.md).
# To compare two runs of the Go benchmarks:
#   make bench-go >old.txt; (change); make bench-go >new.txt
#   go run golang.org/x/perf/cmd/benchstat@latest old.txt new.txt
BENCH       ?= .
BENCH_COUNT ?= 5
BENCH_ARGS  ?=
bench: bench-go bench-cli ## Both: the Go benchmarks, then the CLI table (BENCHMARKS.md)

bench-go: ## Go benchmarks with allocations: client round trip against the emulator and its net/http floor, token cache, sealing, the API proxy against a direct call (BENCH=regexp)
	go test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCH_COUNT) ./internal/... ./bench/proxy

# bench/proxy: what zoho_api_proxy adds to a call (latency p50/p90/p99 and
# requests/s against the same call made straight), in-process on loopback.
PROXY_ARGS ?=
bench-proxy: ## The API proxy's added latency and throughput against its targets (PROXY_ARGS='-n 20000 -c 8 -d 5s')
	go run ./bench/proxy $(PROXY_ARGS)

# bench/cli: tofu plan/apply/destroy of N refresh tokens and plans of N
# ephemeral access tokens beside their floors (terraform_data, a no-op
# provider, bare HTTP), against the emulator in-process. -profile DIR: the
# provider's CPU and heap profiles instead (main_profile.go). -proxy: the
# provider's peak RSS with a zoho_api_proxy carrying a provisioner's calls,
# against the same apply with the access token alone (bench/cli/proxy.go).
bench-cli: ## CLI table (about 5 min on 2 cores): N = 1, 100, 1000 x 3, ratios to floors, Zoho requests, provider RSS (BENCH_ARGS='-n 100 -reps 5'); BENCH_ARGS='-proxy [-proxy-callers 1,8 -proxy-for 10s]': provider RSS with zoho_api_proxy open under load vs the access token alone (about 3 min)
	go run ./bench/cli $(BENCH_ARGS)

# A fleet of CI jobs on one refresh token (bench/fleet, issue 8): real tofu
# processes against the emulator with Zoho's limits: about 3 min on 2 cores.
# With ZOHO_TEST_WEED set (scripts/tool.sh weed), the shared store is S3.
FLEET_ARGS ?=
bench-fleet: ## Fleet simulation: K = 1, 10, 30, 100 jobs on one refresh token with and without token_cache_url, then the fault table (K = 10, 100; 8 faults) on SeaweedFS; 20-22 min on 2 cores (FLEET_ARGS='-k none -faults killed -fault-k 10')
	@weed=$${ZOHO_TEST_WEED:-$$($(TOOL) weed)}; \
	ZOHO_TEST_WEED="$$weed" go run ./bench/fleet $(FLEET_ARGS)

release-check: ## goreleaser check (SNAPSHOT=1: also an unsigned snapshot build into dist/)
	$(GORELEASER) check
	@if [ "$(SNAPSHOT)" = 1 ]; then \
		$(GORELEASER) release --snapshot --clean --skip=sign,publish; \
	fi

# The release as users meet it (internal/cmd/release-rehearsal): goreleaser
# snapshot signed with a throwaway GPG key, served by a provider registry over
# HTTPS (a CA made for the run), installed from the unchanged source
# cd40c554/zoho by tofu and terraform (when on PATH) init, the demo applied
# with what they installed, then a tampered zip, another key's signature and
# a manifest without protocol 6.0 refused. make test runs it (33-40 s warm,
# 6.5 min with goreleaser's builds cold: CONTRIBUTING.md).
REHEARSAL_ARGS ?=
release-rehearsal: ## Rehearse a release: signed goreleaser snapshot, installed by tofu/terraform init from a local HTTPS registry, demo applied, tampering refused (REHEARSAL_ARGS='-all -cold -cli tofu -keep DIR')
	go run ./internal/cmd/release-rehearsal $(REHEARSAL_ARGS)

cross-check: ## go build and go vet of the whole module for every other platform .goreleaser.yml ships (scripts/cross-check.sh; make test checks darwin/arm64, windows/amd64, freebsd/386)
	scripts/cross-check.sh

# Installs wine64 and gcc-mingw-w64-x86-64-win32 with apt-get the first time
# when run as root (otherwise says what to install). make test runs it
# (ZOHO_TEST_SKIP_WINE=1 leaves it out); what fails under Wine: CONTRIBUTING.md.
WINE_ARGS ?=
wine-test: ## internal/zoho/... unit tests cross-compiled for windows/amd64 and run under Wine (scripts/wine-test.sh; WINE_ARGS='./internal/zoho/tokencache -- -test.run TestDisk')
	scripts/wine-test.sh $(WINE_ARGS)

clean: ## Remove build outputs (bin/, dist/, coverage files)
	rm -rf bin/ dist/ coverage.out coverage.html

clean-tools: ## Remove the cached tool binaries (OpenTofu, SeaweedFS, fake-gcs-server) and Azurite (go tool binaries live in the Go build cache)
	rm -rf "$${XDG_CACHE_HOME:-$$HOME/.cache}/terraform-provider-zoho/tools"
