# Everything a fresh machine needs: `make demo` and `make test` create .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MPIRUN := $(VENV)/bin/mpirun
INSTALLED := $(VENV)/.installed

.PHONY: demo test docs bench bench-quick clean

$(INSTALLED): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# The CPU build of torch first (it lies on this disk); any other spec pulls a CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

demo: $(INSTALLED)
	$(MPIRUN) -n 4 $(PY) -m tcltorch_mpi examples/all_to_all.tcl

test: $(INSTALLED)
	$(PY) -m pytest -q tests

# The docs' parts made from the command table (tests/test_docs.py fails when they are stale).
docs: $(INSTALLED)
	$(PY) -m tools.docs

bench: $(INSTALLED)
	$(PY) -m benchmarks

bench-quick: $(INSTALLED)
	$(PY) -m benchmarks --quick

clean:
	rm -rf $(VENV) build *.egg-info
