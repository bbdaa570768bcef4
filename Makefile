# Lotsen — the two commands are `make run` and `make test`; both install what they need.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: fuzz lock run test lint typecheck unit integration schemas bench clean install frontend browser screenshots

LOCK   := requirements.lock

install: $(STAMP)

# Exactly the versions and files CI tested: every package pinned with its hashes in the lock file,
# then Lotsen itself. `pip check` fails when pyproject.toml asks for something the lock lacks.
$(STAMP): pyproject.toml $(LOCK)
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Lotsen needs $(PYTHON) (Python 3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@$(PY) -m pip check >/dev/null || { $(PY) -m pip check; echo "The lock file does not satisfy pyproject.toml: run make lock"; exit 1; }
	@touch $(STAMP)

## Resolve every dependency again (newest releases pyproject.toml allows), pinned with hashes; review the diff.
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv
	$(PY) -m uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet -o $(LOCK)

## The web app (frontend/dist): npm ci when the lock file changed, a build when a source changed.
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/package.json
frontend: frontend/dist/index.html

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "The web app needs Node.js (20.19 or later) and npm"; exit 1; }
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	cd frontend && npm run build

## Debian's Chromium for the browser tests: installed with apt as root, never downloaded by a tool.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } \
			|| echo "Could not install chromium: the browser tests will be skipped"; \
	else \
		echo "The browser tests need Debian's chromium (sudo apt-get install chromium); they will be skipped"; \
	fi

## Photographs of the main views for the README (docs/screenshots/).
screenshots: $(STAMP) frontend browser
	$(PY) -m tests.browser.screenshots

## Start the whole system on the embedded default (Tansu broker, in-memory MongoDB, demo data).
run: $(STAMP) frontend
	$(PY) -m lotsen.devserver

## Lint, type-check and run every test, the integration tests included.
test: lint typecheck frontend browser
	@# The in-process tests run beside the system tests (tests/conftest.py), their report following.
	@# They run niced: the system tests wait on real processes and a browser with timeouts, so they
	@# get the cores first and the in-process tests take what is left.
	@mkdir -p var; \
	nice -n 10 $(PY) -m pytest -q -p no:cacheprovider --durations=10 -m "not integration" > var/unit-tests.log 2>&1 & unit=$$!; \
	$(PY) -m pytest -q --durations=25 -m integration; system=$$?; \
	wait $$unit; units=$$?; cat var/unit-tests.log; \
	echo "system tests: exit $$system; in-process tests: exit $$units"; \
	test $$system -eq 0 && test $$units -eq 0

unit: $(STAMP)
	$(PY) -m pytest -q -m "not integration"

integration: $(STAMP)
	$(PY) -m pytest -q -m integration

## The unit tests against a MongoDB wire-protocol server (mongoeco on SQLite; needs Python 3.13):
## real-server semantics. Slow, so not part of `make test`. Arguments: MONGO_WIRE_ARGS="-k stats".
.PHONY: test-mongo-wire
test-mongo-wire: $(STAMP)
	$(PY) -m tests.mongo_wire $(MONGO_WIRE_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check lotsen services tests bench

typecheck: $(STAMP)
	$(PY) -m mypy lotsen services

## The long schema-fuzzing run (the short one is part of `make test`); writes docs/reliability.md.
fuzz: $(STAMP)
	$(PY) -m tests.fuzz

## Export the event contracts as JSON Schema to docs/events/.
schemas: $(STAMP)
	$(PY) -m lotsen.contracts.schemas

## Benchmarks; results go to docs/benchmarks.md with the machine and the date.
bench: $(STAMP)
	$(PY) -m bench.foundation
	$(PY) -m bench.intake
	$(PY) -m bench.casestore_queue
	$(PY) -m bench.search
	$(PY) -m bench.standin_scale
	$(PY) -m bench.casestore_login
	$(PY) -m bench.routing
	$(PY) -m bench.stats
	$(PY) -m bench.flow

## The faults campaign (docs/reliability.md, "Faults"): contacts on every channel while every service
## and the broker are SIGKILLed and started again, then nothing lost and nothing twice. Needs npm and
## Python 3.13 (the durable MongoDB stand-in); the result goes to docs/reliability.md.
## Arguments: CHAOS_ARGS="--contacts 1000 --rounds 1".
.PHONY: chaos
chaos: $(STAMP) tests/chaos/node_modules/.package-lock.json
	$(PY) -m tests.chaos --report $(CHAOS_ARGS)

tests/chaos/node_modules/.package-lock.json: tests/chaos/package-lock.json
	cd tests/chaos && npm ci --no-audit --no-fund
	@touch $@

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache frontend/dist frontend/node_modules
