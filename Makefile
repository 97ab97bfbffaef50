# The two commands of the README. Both create .venv on first use and install into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean debian

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

clean:
	rm -rf $(VENV) build *.egg-info
