# recon: the two commands of the README.
#   make demo   set up (venv + install) and run the reconciliation on a demo county
#   make test   set up and run the tests
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
AS_OF  ?= 2025-06-30
DROP   ?= demo_drop
OUT    ?= out

.PHONY: setup demo test ui bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: setup
	$(BIN)/recon demo --out demo_drop --households 300 --seed 7 --as-of $(AS_OF)
	$(BIN)/recon run --data demo_drop --out out --as-of $(AS_OF) --config demo_drop/recon.yaml

test: setup
	$(BIN)/pytest -n 2

# The UI on the instance `make demo` recorded its run in (out/.dagster_home, or DAGSTER_HOME when set:
# e.g. the PostgreSQL instance of `recon run --executor celery`, with DROP=… OUT=… of that run).
ui: setup
	$(BIN)/recon ui --data $(DROP) --out $(OUT) --as-of $(AS_OF)

bench: setup
	$(BIN)/python -m bench.run --scale ci

clean:
	rm -rf demo_drop out .dagster_home
