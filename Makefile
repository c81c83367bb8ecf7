# Two commands on a fresh machine: `make run` and `make test`. Each does all the set-up.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.partages-installed
HOME_DIR ?= $(or $(PARTAGES_HOME),$(HOME)/.local/share/partages)

.PHONY: run test setup model bench clean help

help:
	@echo "make run   - set up and start 'partages serve' on the embedded model"
	@echo "make test  - set up and run the whole test suite"

# Virtual environment + dependencies. torch (training extras) is installed from its CPU build
# *before* anything that depends on it, so pip never pulls a CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) model

model: $(STAMP)
	$(BIN)/partages models pull gemma3-270m

run: setup
	$(BIN)/partages keys bootstrap
	$(BIN)/partages serve

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/serve_overhead.py

clean:
	rm -rf $(VENV) .pytest_cache
