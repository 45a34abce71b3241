# Every target that runs something builds .venv first when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVE_ARGS ?=
PYTEST_ARGS ?=

.PHONY: setup serve test lint typecheck check fuzz bench examples clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

serve: $(STAMP)
	$(BIN)/aoai-emulator serve $(SERVE_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check emulator tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy emulator

check: lint typecheck test

# The fuzzers and the kill -9 test alone, with more cases per operation than `make check` runs.
FUZZ_EXAMPLES ?= 40
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz_bodies.py tests/test_fuzz_schemathesis.py tests/test_durability.py $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# The example project's tests in two fresh venvs: the latest openai 3.x and the latest 2.x.
examples:
	PYTHON=$(PYTHON) ./examples/run.sh

clean:
	rm -rf $(VENV) .examples build dist *.egg-info .mypy_cache .ruff_cache aoai-emulator.sqlite3*
