# Quick start: `make demo` and `make test` on a fresh machine. Each sets itself up in .venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
EXTRAS ?= test,pandas,postgres,dask,plot,gpu,mlflow,examples,report
STAMP := $(VENV)/.installed-stamp

.PHONY: install system-deps test demo lab bench lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP)

# Chromium for the browser tests and PostgreSQL for the store tests, from Debian's packages.
system-deps:
	@bash .ci/system-deps

test: install system-deps
	$(PY) -m pytest -q

demo: install
	$(PY) examples/demo.py

# JupyterLab on the demo project, with the MLOps sidebar on its runs.
lab: install
	cd examples/digits && ../../$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root)

# Every benchmark at full size; `make bench BENCH_ARGS=--quick` runs their quick modes instead.
bench: install
	bash benchmarks/run $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check jupyter_mlops tests benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info
