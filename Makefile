# fluxops: the two commands a new machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXAMPLE ?= examples/podinfo-platform

.PHONY: demo test venv check unit cluster-tools cluster flux-cli bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# byte-compile the sources as a wheel install does (the editable install does not, and
	# PYTHONDONTWRITEBYTECODE would keep every run recompiling them)
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

venv: $(STAMP)

## make demo: set up and render every Flux Kustomization of the example repo
demo: $(STAMP)
	$(BIN)/fluxops build --all $(EXAMPLE)

## static checks: layering contract, lint, types
check: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy src tests bench

## Go-built test binaries (kube-apiserver harness, flux CLI); cached outside the repo
cluster-tools:
	bash scripts/build-go-tools.sh

cluster: cluster-tools

## make test: set up everything and run the whole suite
test: $(STAMP) check cluster-tools
	$(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest -m unit

bench: $(STAMP)
	$(BIN)/python bench/build_corpus.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
