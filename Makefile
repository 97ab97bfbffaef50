# The two commands of the README. Both create .venv on first use and install into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench fuzz clean debian

$(BIN)/routesieve: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/routesieve
	$(BIN)/routesieve demo

lint: $(BIN)/routesieve
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

debian:
	bash scripts/debian-packages.sh

test: lint debian
	$(BIN)/python -m pytest -q

bench: $(BIN)/routesieve
	$(BIN)/python bench/bench_engine.py

# the long fuzz run of every reader (docs/reliability.md); FUZZ_ARGS="--count 1000000"
FUZZ_ARGS ?= --seconds 600
fuzz: $(BIN)/routesieve
	nice -n 19 $(BIN)/python bench/fuzz_readers.py $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
