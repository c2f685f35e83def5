# terraform-provider-zoho
#
# Build tools (tofu, tfplugindocs, golangci-lint, goreleaser) come from their
# own modules under tools/ and are cached outside the tree by scripts/tool.sh.
# Everything works offline once the Go module cache is warm.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# The environment trap: these machines export TF_CLI_CONFIG_FILE pointing at
# a missing file (tofu/terraform then print a warning on stdout). Recipes never
# see it; the scripts write and use a CLI config of their own
# (scripts/cli-env.sh).
unexport TF_CLI_CONFIG_FILE
export CHECKPOINT_DISABLE := 1

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

TOOL      := scripts/tool.sh
CLI_ENV   := . scripts/cli-env.sh; trap zoho_cli_cleanup EXIT;
TEST_ARGS ?=

.PHONY: help build install tools test testacc unit lint fmt docs docs-check \
	examples-check demo bench fuzz release-check clean clean-tools

help: ## List the targets
	@echo "Usage: make TARGET"
	@echo
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

build: ## Build the provider into ./bin/
	go build -trimpath -ldflags "$(LDFLAGS)" -o bin/$(BINARY) .

install: ## go install the provider (into GOBIN or GOPATH/bin)
	go install -trimpath -ldflags "$(LDFLAGS)" .

tools: ## Build (or reuse cached) tofu, tfplugindocs and golangci-lint
	@for t in tofu tfplugindocs golangci-lint; do \
		printf '%-14s %s\n' "$$t" "$$($(TOOL) $$t)"; \
	done

test: ## Everything CI runs: vet, lint, unit+acceptance tests (tofu, terraform if on PATH, the tofu 1.11/1.6 matrix), docs and examples checks
	scripts/test.sh

testacc: ## Acceptance tests only, against tofu (TEST_ARGS='-run TestAccX' to narrow)
	@$(CLI_ENV) \
	tofu=$$($(TOOL) tofu); \
	TF_ACC=1 TF_ACC_TERRAFORM_PATH="$$tofu" \
	TF_ACC_PROVIDER_HOST=registry.opentofu.org TF_ACC_PROVIDER_NAMESPACE=cd40c554 \
		go test -race -v -count=1 -timeout 30m -run '^TestAcc' $(TEST_ARGS) ./...

unit: ## Unit tests only (go test -race, no TF_ACC)
	@$(CLI_ENV) \
	tofu=$$($(TOOL) tofu); \
	env -u TF_ACC TF_ACC_TERRAFORM_PATH="$$tofu" \
	TF_ACC_PROVIDER_HOST=registry.opentofu.org TF_ACC_PROVIDER_NAMESPACE=cd40c554 \
		go test -race $(TEST_ARGS) ./...

lint: ## go vet + golangci-lint
	go vet ./...
	"$$($(TOOL) golangci-lint)" run ./...

fmt: ## gofmt/goimports the Go code, tofu fmt the examples
	find . -name '*.go' -not -path './.git/*' -not -path './tools/*' -print0 | xargs -0 -r gofmt -s -w
	"$$($(TOOL) golangci-lint)" fmt ./...
	@$(CLI_ENV) \
	if [ -d examples ]; then "$$($(TOOL) tofu)" fmt -recursive examples/; fi

docs: ## Regenerate docs/ with tfplugindocs
	scripts/docs.sh

docs-check: ## Fail if docs/ is stale; tfplugindocs validate
	scripts/docs.sh check

examples-check: ## tofu fmt -check and tofu validate every example
	scripts/check-examples.sh

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

demo: ## Run the demo (scripts/demo.sh)
	bash scripts/demo.sh

bench: ## Run the benchmarks (scripts/bench.sh)
	bash scripts/bench.sh

release-check: ## goreleaser check (SNAPSHOT=1: also an unsigned snapshot build into dist/)
	"$$($(TOOL) goreleaser)" check
	@if [ "$(SNAPSHOT)" = 1 ]; then \
		"$$($(TOOL) goreleaser)" release --snapshot --clean --skip=sign,publish; \
	fi

clean: ## Remove build outputs (bin/, dist/, coverage files)
	rm -rf bin/ dist/ coverage.out coverage.html

clean-tools: ## Remove the cached tool binaries
	rm -rf "$${XDG_CACHE_HOME:-$$HOME/.cache}/terraform-provider-zoho/tools"
