# Two commands for a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install install-test browser bench bench-small clean fuzz

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The tests' and the benchmark's packages (pytest, Playwright, schemathesis, matplotlib...) on top; `make run` never needs them.
$(TEST_STAMP): $(STAMP) requirements-test.lock
	$(BIN)/python -m pip install --quiet -r requirements-test.lock
	touch $(TEST_STAMP)

install-test: $(TEST_STAMP)

## Serve the API, its docs and the booking page on http://127.0.0.1:8000 with a demo bank (SQLite).
run: install
	$(BIN)/meetbook serve --demo

## The whole suite, against SQLite and PostgreSQL (127.0.0.1:5432, database test, user postgres), in two
## processes (pytest-xdist; each test file stays in one): about 10 minutes on two cores.
test: install-test browser
	$(BIN)/python -m pytest -n 2 --dist loadfile

## schemathesis over every operation of the published OpenAPI, on SQLite and PostgreSQL: 100 examples
## each (the suite runs 5), new data every run. A failure prints the request that reproduces it.
fuzz: install-test
	MEETBOOK_FUZZ_EXAMPLES=100 MEETBOOK_FUZZ_RANDOM=1 MEETBOOK_FUZZ_DATABASES=sqlite,postgresql $(BIN)/python -m pytest tests/integration/test_schemathesis.py -k every_operation

## Debian's Chromium for the browser tests (never a browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium; browser tests will be skipped"; }

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis meetbook.db*

## The benchmark (PostgreSQL on 127.0.0.1:5432): prints p50/p99/throughput against this machine's floors.
bench: install-test
	$(BIN)/python -m bench.run

bench-small: install-test
	$(BIN)/python -m bench.run --tiny
