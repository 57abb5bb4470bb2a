# salespulse — one entry point per job. Every target sets itself up first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9

# All data and outputs live under one directory (absolute, so dbt and Dagster agree).
SALESPULSE_HOME ?= data
export SALESPULSE_HOME := $(abspath $(SALESPULSE_HOME))
export DAGSTER_HOME := $(SALESPULSE_HOME)/dagster
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Demo data: seed and size of the generated organisation; the as-of date defaults to today.
DEMO_SEED ?= 7
DEMO_REPS ?= 40
DEMO_MONTHS ?= 15
DEMO_AS_OF ?= $(shell TZ=$${SALESPULSE_TIMEZONE:-Asia/Shanghai} date +%F)
# The Monday of the last full ISO week and the first day of the last full month before it.
DEMO_WEEK := $(shell d=$(DEMO_AS_OF); date -d "$$d -$$(( $$(date -d $$d +%u) + 6 )) days" +%F)
DEMO_MONTH := $(shell d=$(DEMO_AS_OF); date -d "$$(date -d $$d +%Y-%m-01) -1 month" +%F)

# Command-line runs log at INFO; the full event log stays in the run history.
QUIET := -c pipelines/run_config/quiet.yaml
QUIET_JSON := --config-json '{"loggers": {"console": {"config": {"log_level": "INFO"}}}}'

.PHONY: help setup system-deps demo run test lint format dev sql bench clean-data

help:
	@echo "make demo   set up, generate the demo org into $$SALESPULSE_HOME and run the whole pipeline"
	@echo "make test   set up, lint and run the tests"
	@echo "make run    run the pipeline once on the files in landing/ (no demo data)"
	@echo "make dev    the Dagster UI on http://127.0.0.1:3000"
	@echo "make sql    an SQL shell on analytics.duckdb (the analysts' copy of the marts)"
	@echo "make bench  scale, speed and memory at S and M org sizes (BENCH_SIZES=S,M,L for L)"
	@echo "make lint | format | clean-data"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -c constraints.txt -e ".[dev]"
	touch $@

system-deps:
	@bash scripts/install-system-deps.sh

# dbt's manifest, which the Dagster definitions load (re-made when the dbt project changes).
DBT_MANIFEST := dbt_project/target/manifest.json
$(DBT_MANIFEST): $(VENV)/.installed $(shell find dbt_project \( -name '*.sql' -o -name '*.yml' \) -not -path '*/target/*' 2>/dev/null)
	$(BIN)/dagster-dbt project prepare-and-package --file pipelines/defs/warehouse/project.py
	touch $@

setup: $(VENV)/.installed system-deps $(DBT_MANIFEST)
	@$(BIN)/salespulse init --quiet

demo: setup
	$(BIN)/salespulse generate --seed $(DEMO_SEED) --reps $(DEMO_REPS) --months $(DEMO_MONTHS) \
		--as-of $(DEMO_AS_OF) --out "$(SALESPULSE_HOME)" > "$(SALESPULSE_HOME)/generate-summary.json"
	SALESPULSE_AS_OF=$(DEMO_AS_OF) $(BIN)/salespulse run
	@# The briefs of the as-of day, the last full week and the last full month, as the schedules would.
	SALESPULSE_AS_OF=$(DEMO_AS_OF) $(BIN)/dagster asset materialize -m pipelines.definitions \
		--select briefs/daily_exception_digest --partition $(DEMO_AS_OF) $(QUIET_JSON)
	SALESPULSE_AS_OF=$(DEMO_AS_OF) $(BIN)/dagster asset materialize -m pipelines.definitions \
		--select briefs/team_weekly_brief --partition $(DEMO_WEEK) $(QUIET_JSON)
	SALESPULSE_AS_OF=$(DEMO_AS_OF) $(BIN)/dagster asset materialize -m pipelines.definitions \
		--select briefs/monthly_review_pack --partition $(DEMO_MONTH) $(QUIET_JSON)
	@$(BIN)/salespulse summary

# Run the pipeline once on whatever is in landing/ (what the landing sensor does), recorded in
# the Dagster instance under $$SALESPULSE_HOME like every other run.
run: setup
	$(BIN)/salespulse run
	@$(BIN)/salespulse summary

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/sqlfluff fix dbt_project

test: lint
	$(BIN)/dagster definitions validate -m pipelines.definitions
	$(BIN)/pytest -n 2 --dist loadgroup

dev: setup
	$(BIN)/dagster dev -m pipelines.definitions -h 127.0.0.1 -p 3000

# Benchmark sizes: S,M by default; BENCH_SIZES=S,M,L adds the 2,000-rep org (several minutes).
BENCH_SIZES ?= S,M
bench: setup
	$(BIN)/python -m benchmarks.run --sizes $(BENCH_SIZES)

sql: setup
	$(BIN)/salespulse sql

clean-data:
	rm -rf "$(SALESPULSE_HOME)"
