# Lotsen — the two commands are `make run` and `make test`; both install what they need.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck unit integration schemas bench clean install

install: $(STAMP)

# Reinstall when the dependency list changes.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Lotsen needs $(PYTHON) (Python 3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## Start the whole system on the embedded default (Tansu broker, in-memory MongoDB, demo data).
run: $(STAMP)
	$(PY) -m lotsen.devserver

## Lint, type-check and run every test, the integration tests included.
test: lint typecheck
	$(PY) -m pytest -q

unit: $(STAMP)
	$(PY) -m pytest -q -m "not integration"

integration: $(STAMP)
	$(PY) -m pytest -q -m integration

lint: $(STAMP)
	$(PY) -m ruff check lotsen services tests bench

typecheck: $(STAMP)
	$(PY) -m mypy lotsen

## Export the event contracts as JSON Schema to docs/events/.
schemas: $(STAMP)
	$(PY) -m lotsen.contracts.schemas

## Benchmarks; results go to docs/benchmarks.md with the machine and the date.
bench: $(STAMP)
	$(PY) -m bench.foundation

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
