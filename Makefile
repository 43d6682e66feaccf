# The two commands of the README: `make run` and `make test`. `make bench` for the benchmarks.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL := $(or $(TEST_DATABASE_URL),postgres://postgres@127.0.0.1:5432/enrollment_tracks)
PYTEST_ARGS ?=

.PHONY: run test lint typecheck test-sqlite test-postgres bench clean var

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run | var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py verification_housekeeping --enqueue
	./scripts/run.sh

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy src config bench

var:
	mkdir -p var/static var/mail var/media

test-sqlite: $(VENV)/.installed-dev | var
	DATABASE_URL=sqlite:///var/test.sqlite3 $(BIN)/pytest -m "not postgres_only" $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-dev | var
	@if $(BIN)/python scripts/postgres_available.py; then \
		echo "== The same suite on PostgreSQL ($(PG_TEST_URL))"; \
		DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is required (REQUIRE_POSTGRES is set) but not reachable." >&2; exit 1; \
	else \
		echo "== PostgreSQL not reachable: the PostgreSQL pass was not run (set TEST_DATABASE_URL)."; \
	fi

test: lint typecheck test-sqlite test-postgres

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
