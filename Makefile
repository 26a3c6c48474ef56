# gridgov: `make run` serves the demo city, `make test` runs ruff then every test (PostgreSQL and browser included).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

export GRIDGOV_PROFILE ?= zhenjiang

.PHONY: run test lint install system-deps demo bench clean mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	GRIDGOV_DEMO=1 $(BIN)/gridgov db upgrade
	GRIDGOV_DEMO=1 $(BIN)/gridgov demo
	GRIDGOV_DEMO=1 $(BIN)/gridgov serve --host $(HOST) --port $(PORT)

system-deps:
	@scripts/system-deps.sh

lint: install
	$(BIN)/ruff check src tests bench scripts

# Tests run in parallel, one worker per core (pytest-xdist), a test file at a time per worker: each
# worker has its own PostgreSQL cluster, databases, live servers and browser. PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= auto
test: install system-deps lint
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile --durations=30

# Mutation testing of the rule modules against their own unit tests (slow; not part of `make test`).
# One module: make mutation MODULES=kit/ids.py. See docs/testing.md.
MODULES ?=
mutation: install
	$(BIN)/python scripts/mutate.py --fail-under 90 -v $(MODULES)

bench: install
	$(BIN)/python bench/locate.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/workdays.py

clean:
	rm -rf $(VENV) var .pytest_cache
