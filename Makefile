# Two commands on a fresh machine: `make run` and `make test`. Each does all the set-up.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.partages-installed
TEST_STAMP := $(VENV)/.partages-test-installed
HOME_DIR ?= $(or $(PARTAGES_HOME),$(HOME)/.local/share/partages)

.PHONY: run test setup model bench clean help browser

help:
	@echo "make run   - set up and start 'partages serve' on the embedded model"
	@echo "make test  - set up and run the whole test suite"

# Virtual environment + dependencies. torch (training extras) is installed from its CPU build
# *before* anything that depends on it, so pip never pulls a CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e .
	touch $(STAMP)

# The test suite also covers training and evaluation: CPU torch first, then the extras.
$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test,train,eval]'
	# federated extra: flwr 1.42 pins an older web stack (fastapi 0.138, typer <0.21, rich <15, protobuf <7...);
	# install it and its small dependencies with --no-deps so pip does not downgrade what the gateway uses
	$(BIN)/pip install -q --disable-pip-version-check --no-deps 'flwr==1.42.0' 'grpcio>=1.70' 'grpcio-health-checking>=1.70' 'pycryptodome>=3.18' 'iterators==0.0.2' 'tomli>=2' 'tomli-w>=1' 'pathspec>=1.0.4' 'prompt-toolkit>=3.0.52' wcwidth 'sqlalchemy>=2.0.45' greenlet 'alembic>=1.18.1' mako
	$(BIN)/pip install -q --disable-pip-version-check 'dp-accounting>=0.6,<0.7'
	touch $(TEST_STAMP)

setup: $(STAMP) model

model: $(STAMP)
	$(BIN)/partages models pull gemma3-270m

# Serves the embedded Gemma 3 270M with the project's SFT adapter (adapters/gemma3-270m-fr-med,
# a 7.6 MB GGUF LoRA that teaches the chat format); `partages serve` alone serves the bare base.
SERVED_MODEL ?= gemma3-270m-fr-med

run: setup
	$(BIN)/partages export register adapters/gemma3-270m-fr-med
	$(BIN)/partages keys bootstrap
	$(BIN)/partages serve --model $(SERVED_MODEL)

# The browser test (tests/web) drives Debian's chromium through Playwright: install it if missing.
browser:
	command -v chromium >/dev/null || ($(if $(filter 0,$(shell id -u)),,sudo) apt-get update && $(if $(filter 0,$(shell id -u)),,sudo) DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

test: $(TEST_STAMP) model browser
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/serve_overhead.py

clean:
	rm -rf $(VENV) .pytest_cache
