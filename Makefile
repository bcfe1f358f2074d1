# Development and CI tasks. `make run` serves the demo; `make test` runs every suite.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
FLASK := $(VENV)/bin/flask --app app
PYTEST := $(PY) -m pytest
PYTEST_ARGS ?=
TRANSLATIONS := portal/i18n/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/*.po)
HOST ?= 127.0.0.1
PORT ?= 5000
# bench runs against a throwaway PostgreSQL unless BENCH_DATABASE=sqlite.
BENCH_DATABASE ?= postgres

.PHONY: help packages venv translations db run test test-sqlite test-postgres test-browser test-faults lint bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

venv: $(STAMP) ## create .venv and install the app with its test tools

# Reinstalls only when pyproject.toml changes (the stamp is older than it).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

translations: venv ## compile .po catalogs to .mo (none yet is fine)
	@if [ -n "$(PO_FILES)" ]; then \
		$(VENV)/bin/pybabel compile --statistics -d $(TRANSLATIONS); \
	else \
		echo "translations: no .po files under $(TRANSLATIONS)"; \
	fi

db: venv ## apply migrations to the development database
	$(FLASK) db upgrade

run: venv translations db ## seed demo data if the database is empty, then serve on HOST:PORT
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: venv ## ruff check, then the layer contracts (import-linter, in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

# Each suite fails the make when a test fails or when it runs no test (pytest exit 5).
packages: ## install the Debian packages the suites need, when missing (.ci/packages)
	bash .ci/packages

test: packages lint test-sqlite test-postgres test-browser test-faults ## Debian packages, lint, then SQLite, PostgreSQL, browser and fault suites

test-sqlite: venv translations ## tests on SQLite, without the browser
	TEST_DATABASE=sqlite $(PYTEST) -m "not browser and not faults" $(PYTEST_ARGS)

test-postgres: venv translations ## tests on a throwaway PostgreSQL, without the browser
	TEST_DATABASE=postgres $(PYTEST) -m "not browser and not faults" $(PYTEST_ARGS)

test-browser: venv translations ## user journeys in headless Chromium against a live server
	$(PYTEST) -m browser $(PYTEST_ARGS)

test-faults: venv translations ## Redis and PostgreSQL killed under two live gunicorn instances
	$(PYTEST) -m faults $(PYTEST_ARGS)

bench: venv translations ## run benchmarks/run.py (with DATABASE_URL of a fresh PostgreSQL)
	@if [ ! -f benchmarks/run.py ]; then \
		echo "bench: no benchmarks/run.py yet"; \
	elif [ "$(BENCH_DATABASE)" = "postgres" ]; then \
		$(PY) -m tests.support.postgres -- $(PY) benchmarks/run.py; \
	else \
		$(PY) benchmarks/run.py; \
	fi

clean: ## remove caches and test artifacts (keeps .venv and instance/)
	rm -rf .pytest_cache .ruff_cache test-artifacts
	find . -path ./.venv -prune -o -name __pycache__ -type d -exec rm -rf {} +
