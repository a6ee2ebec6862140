# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Offline copies of Leaflet and its plugins (from the npm registry) for self-contained maps.
export INCIDENT_MAPPER_ASSETS ?= $(CURDIR)/.cache/assets
ASSETS_STAMP := $(INCIDENT_MAPPER_ASSETS)/.complete

.PHONY: demo test bench assets clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(ASSETS_STAMP): $(STAMP) maps/assets.py
	$(PY) scripts/fetch_assets.py
	touch $(ASSETS_STAMP)

assets: $(ASSETS_STAMP)

demo: $(ASSETS_STAMP)
	mkdir -p out
	$(PY) scripts/demo.py out

test: $(ASSETS_STAMP)
	$(PY) -m pytest -q

bench: $(ASSETS_STAMP)
	$(PY) scripts/bench.py

clean:
	rm -rf out .pytest_cache
