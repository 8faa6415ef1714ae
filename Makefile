# The two commands a newcomer needs: `make dev` and `make test`. Every target installs what it is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
ROUNDS ?= 5
MINISTRIES ?= meti,mhlw
# Installed again only when the dependency pins change.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)

export PYTHONPATH := $(CURDIR):$(CURDIR)/layers/common/python
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install dev test lint format typecheck pytest unit explore integration infra e2e synth openapi bench synthdata clean

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.0.1" || $(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) ## create .venv and install the pinned dependencies (when missing or changed)

.PHONY: system-deps
system-deps: ## Debian packages the gates need: Node for CDK, Chromium for the browser tests
	@command -v node >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs; }
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

dev: install ## run the whole platform on this machine with demo data (PORT=8000)
	$(BIN)/python -m devstack --port $(PORT)

test: install system-deps ## every gate: lint, types, tests with coverage, synth with cdk-nag, cfn-lint
	$(MAKE) --no-print-directory lint typecheck pytest synth

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install ## mypy (strict, pydantic plugin) on the shared layer, functions, devstack and infra
	$(BIN)/mypy layers/common/python functions devstack infra

pytest: install system-deps ## the whole test suite (unit, integration, infra, e2e, browser) with the coverage floor
	$(BIN)/pytest --cov --cov-report=term tests

unit: install ## unit tests only (fast)
	$(BIN)/pytest -q tests/unit

explore: install ## property tests with fresh random examples, ROUNDS times (the gate's examples are fixed)
	for round in $$(seq $(ROUNDS)); do $(BIN)/pytest -q -p no:cacheprovider --hypothesis-profile=explore tests/unit || exit 1; done

integration: install ## integration tests against moto
	$(BIN)/pytest -q tests/integration

infra: install ## CDK template assertions
	$(BIN)/pytest -q tests/infra

e2e: install system-deps ## HTTP and browser tests against a devstack started by a fixture
	$(BIN)/pytest -q tests/e2e

synth: install system-deps ## synthesize every stack (MINISTRIES=meti,mhlw) with cdk-nag, then cfn-lint the templates
	rm -rf cdk.out
	$(BIN)/python -m infra.app -c ministries=$(MINISTRIES) --output cdk.out
	$(BIN)/python -m infra.lint_templates cdk.out

openapi: install ## regenerate the committed OpenAPI documents in docs/openapi/
	$(BIN)/python -m devstack.openapi --write

bench: install ## benchmarks (each prints a table with its baseline)
	@for bench in bench/bench_*.py; do echo "== $$bench"; $(BIN)/python $$bench || exit 1; done

synthdata: install ## synthetic corporations as Parquet: make synthdata N=5000000
	$(BIN)/python -m devstack.synthdata --corporations $(or $(N),100000) --out data/synthetic --seed 42

clean: ## remove build output (keeps .venv)
	rm -rf cdk.out .build .devstack .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
