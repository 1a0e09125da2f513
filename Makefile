# Reliability Dashboard. `make run` serves the app; `make test` runs every suite against real servers.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Stamps live inside the venv: a new venv reinstalls, a changed requirements file reinstalls.
RUNTIME_STAMP := $(VENV)/.installed-requirements.txt
DEV_STAMP := $(VENV)/.installed-requirements-dev.txt
PYTEST_ARGS ?=

.PHONY: help run test lint fuzz bench clean

help:
	@echo "make run    - migrate the store and serve the app on http://127.0.0.1:8501"
	@echo "make test   - install test components if missing, then run unit, integration and e2e tests"
	@echo "              (extra pytest arguments: make test PYTEST_ARGS='-k store -x')"
	@echo "make lint   - ruff (lint, format) and the import contracts; make test runs it first"
	@echo "make fuzz   - every page through generated links, 250 examples a page (FUZZ_EXAMPLES=N for more)"
	@echo "make bench  - run the benchmarks"
	@echo "make clean  - remove var/cache and test-artifacts (keeps the venv and the store)"

$(VENV_PYTHON):
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(DEV_STAMP): requirements-dev.txt requirements.txt | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

run: $(RUNTIME_STAMP)
	$(VENV_PYTHON) cli.py migrate
	exec $(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true

# The layers and the style hold by tools, not memory: ruff (lint, format) and the import contracts in
# pyproject.toml run before any test, and a violation fails `make test`.
lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

test: lint
	bash scripts/install_test_components.sh
	$(VENV_PYTHON) -m pytest $(PYTEST_ARGS)

# The generated-link test of tests/pages/test_query_fuzz.py, long: `make test` runs a few examples a page.
FUZZ_EXAMPLES ?= 250
fuzz: $(DEV_STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV_PYTHON) -m pytest -q tests/pages/test_query_fuzz.py $(PYTEST_ARGS)

bench: $(DEV_STAMP)
	bash scripts/install_test_components.sh
	$(VENV_PYTHON) bench/slo_overview.py
	$(VENV_PYTHON) bench/long_windows.py
	$(VENV_PYTHON) bench/peer.py
	$(VENV_PYTHON) bench/db_probe.py
	$(VENV_PYTHON) bench/rollups.py
	$(VENV_PYTHON) bench/load.py
	$(VENV_PYTHON) bench/pages.py

clean:
	rm -rf var/cache test-artifacts
