# The commands of the README. Every target installs what it needs first (uv, then the locked venv).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
CCHC := $(VENV)/bin/cchc
export UV_COMPILE_BYTECODE := 1

.PHONY: install demo test test-fast bench airflow docs lint clean-warehouse chromium

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5,<1"
	$(PYTHON) -m uv sync --frozen --python $(PYTHON)
	@touch $@

## make demo: generate a small province, run the DAGs on Airflow, print the on-time table
demo: install
	$(CCHC) demo

## make test: every test (unit, integration on an embedded PostgreSQL, end-to-end on Airflow)
test: install chromium
	$(VENV)/bin/pytest

## make chromium: headless Chromium and fonts with Vietnamese glyphs, for the report tests and the
## report PDFs (Debian packages; installs only what is missing, so it is cheap to repeat)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@if command -v chromium >/dev/null 2>&1 \
		&& fc-list :lang=vi family 2>/dev/null | grep -q "Liberation Serif"; then :; else \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends chromium fonts-liberation2 fonts-dejavu-core; \
	fi

## make test-fast: unit tests only (no database)
test-fast: install
	$(VENV)/bin/pytest tests/unit -q

## make bench: province-scale benchmarks, written to bench/RESULTS.md
## (one year of history; `make bench BENCH_ARGS="--years 3"` for the cost curve over three)
bench: install
	$(VENV)/bin/python -m bench.run $(BENCH_ARGS)

## make airflow: api-server, scheduler, dag-processor and triggerer on the embedded warehouse
airflow: install
	$(CCHC) airflow

## make docs: dbt docs and Great Expectations Data Docs
docs: install
	$(CCHC) docs

lint: install
	$(VENV)/bin/ruff check plugins dags tests bench
	$(VENV)/bin/ruff format --check plugins dags tests bench

## make clean-warehouse: stop the embedded PostgreSQL and delete .cchc/ (all local data)
clean-warehouse:
	-$(CCHC) warehouse stop
	rm -rf .cchc
