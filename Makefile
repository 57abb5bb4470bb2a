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

# The Dagster UI's port (`make dev DEV_PORT=3017`).
DEV_PORT ?= 3000

.PHONY: help setup system-deps demo run backfill render dbt docs test lint format dev sql bench \
	latency clean-data wheel

help:
	@echo "make demo      set up, generate the demo org into $$SALESPULSE_HOME and run the whole pipeline"
	@echo "make test      set up, lint and run the tests"
	@echo "make run       run the pipeline once on the files in landing/ (no demo data)"
	@echo "make dev       the Dagster UI on http://127.0.0.1:$(DEV_PORT), with the daemon (schedules, sensors, queue)"
	@echo "make sql       an SQL shell on analytics.duckdb (the analysts' copy of the marts)"
	@echo "make docs      build and serve the dbt docs (every model and column described)"
	@echo "make render BRIEF=team_weekly_brief PARTITION=2026-03-09   re-render one period's briefs"
	@echo "make backfill JOB=weekly_run FROM=2026-01-05 TO=2026-03-09  queue a range of periods (make dev runs them)"
	@echo "make dbt ARGS='build --select marts'   dbt on the data home's warehouse, with the pipeline's vars"
	@echo "make bench     scale, speed and memory at S and M org sizes (BENCH_SIZES=S,M,L for L;"
	@echo "               BENCH_ENGINE=spark,postgres: the dbt step on those engines too)"
	@echo "make latency   time from a file dropped in landing/ to analytics.duckdb, under the daemon"
	@echo "make wheel     build dist/salespulse-*.whl: the code, its runtime files and dbt's manifest"
	@echo "make lint | format | clean-data"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -c constraints.txt -e ".[dev]"
	touch $@

system-deps:
	@bash scripts/install-system-deps.sh

# dbt with dbt-spark and pyspark, apart from the main environment (requirements-spark.txt says why).
SPARK_VENV := .venv-spark
$(SPARK_VENV)/.installed: $(VENV)/.installed requirements-spark.txt constraints.txt
	$(PYTHON) -m venv $(SPARK_VENV)
	$(BIN)/uv pip install --quiet --python $(SPARK_VENV)/bin/python -c constraints.txt -r requirements-spark.txt
	touch $@

# dbt's manifest, which the Dagster definitions load (re-made when the dbt project changes).
DBT_MANIFEST := dbt_project/target/manifest.json
$(DBT_MANIFEST): $(VENV)/.installed $(shell find dbt_project \( -name '*.sql' -o -name '*.yml' \) -not -path '*/target/*' 2>/dev/null)
	$(BIN)/dagster-dbt project prepare-and-package --file pipelines/defs/warehouse/project.py
	touch $@

setup: $(VENV)/.installed $(SPARK_VENV)/.installed system-deps $(DBT_MANIFEST)
	@$(BIN)/salespulse init --quiet

# A wheel for a server: the packages, the runtime files (salespulse/_resources) and dbt's manifest.
wheel: $(VENV)/.installed $(DBT_MANIFEST)
	$(BIN)/uv build --wheel --out-dir dist .

demo: setup
	$(BIN)/salespulse generate --seed $(DEMO_SEED) --reps $(DEMO_REPS) --months $(DEMO_MONTHS) \
		--as-of $(DEMO_AS_OF) --out "$(SALESPULSE_HOME)" > "$(SALESPULSE_HOME)/generate-summary.json"
	$(BIN)/salespulse run --as-of $(DEMO_AS_OF) --no-summary
	@# The briefs of the as-of day, the last full week and the last full month, as the schedules would.
	SALESPULSE_AS_OF=$(DEMO_AS_OF) $(BIN)/salespulse render daily_exception_digest --partition $(DEMO_AS_OF)
	SALESPULSE_AS_OF=$(DEMO_AS_OF) $(BIN)/salespulse render team_weekly_brief --partition $(DEMO_WEEK)
	SALESPULSE_AS_OF=$(DEMO_AS_OF) $(BIN)/salespulse render monthly_review_pack --partition $(DEMO_MONTH)
	@$(BIN)/salespulse summary

# Every Dagster command below records its runs in the instance under $$SALESPULSE_HOME (the one
# `make dev` shows): the salespulse commands set DAGSTER_HOME themselves.

# Run the pipeline once on whatever is in landing/ (what the landing sensor does).
run: setup
	$(BIN)/salespulse run

# Queue a partitioned job's runs for a range of periods (FROM/TO: any day of the first and last
# period); the daemon that `make dev` starts launches them one at a time.
backfill: setup
	@test -n "$(JOB)" -a -n "$(FROM)" || { echo "usage: make backfill JOB=weekly_run FROM=2026-01-05 [TO=2026-03-09]"; exit 2; }
	$(BIN)/salespulse backfill $(JOB) --from $(FROM) $(if $(TO),--to $(TO))

# Re-render one period's briefs now: BRIEF daily_exception_digest | team_weekly_brief |
# monthly_review_pack, PARTITION any day of the period; SEND_EMAIL auto (default) | always | never.
SEND_EMAIL ?= auto
render: setup
	@test -n "$(BRIEF)" -a -n "$(PARTITION)" || { echo "usage: make render BRIEF=team_weekly_brief PARTITION=2026-03-09 [SEND_EMAIL=never]"; exit 2; }
	$(BIN)/salespulse render $(BRIEF) --partition $(PARTITION) --send-email $(SEND_EMAIL)

# dbt by hand on the data home's warehouse, with the vars the pipeline passes (stop `make dev`
# first: DuckDB allows one writer).
ARGS ?= build
dbt: setup
	$(BIN)/salespulse dbt $(ARGS)

# The dbt docs, built from the project and analytics.duckdb (never the warehouse), served on
# SALESPULSE_DOCS_PORT (default 8080).
docs: setup
	$(BIN)/salespulse docs

# The SQL outside dbt_project/ (queries and DDL run from Python, with bound parameters): linted
# as DuckDB with sqlfluff-app.cfg, which replaces the dbt templater by placeholders.
# The files are named (not their folders): benchmarks/work holds the benchmark's dbt targets.
APP_SQL := $(shell find salespulse pipelines benchmarks -name work -prune -o -name cache -prune -o -name '*.sql' -print | sort)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project
	$(BIN)/sqlfluff lint --config sqlfluff-app.cfg $(APP_SQL)

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/sqlfluff fix dbt_project
	$(BIN)/sqlfluff fix --config sqlfluff-app.cfg $(APP_SQL)

test: lint
	$(BIN)/dagster definitions validate -m pipelines.definitions
	$(BIN)/pytest -n 2 --dist loadgroup

dev: setup
	$(BIN)/dagster dev -m pipelines.definitions -h 127.0.0.1 -p $(DEV_PORT)

# Benchmark sizes: S,M by default; BENCH_SIZES=S,M,L adds the 2,000-rep org (several minutes).
BENCH_SIZES ?= S,M
# BENCH_ENGINE=spark,postgres: each size's dbt step also built on those engines, beside DuckDB.
BENCH_ENGINE ?=
bench: setup
	$(BIN)/python -m benchmarks.run --sizes $(BENCH_SIZES) --engines '$(BENCH_ENGINE)'

sql: setup
	$(BIN)/salespulse sql

# Drop a file into landing/ under `dagster dev` and time it until analytics.duckdb is replaced
# (needs a built data home: make demo first).
latency: setup
	$(BIN)/python -m benchmarks.latency

clean-data:
	rm -rf "$(SALESPULSE_HOME)"
