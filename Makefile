# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Offline copies of Leaflet and its plugins (from the npm registry) for self-contained maps.
export INCIDENT_MAPPER_ASSETS ?= $(CURDIR)/.cache/assets
ASSETS_STAMP := $(INCIDENT_MAPPER_ASSETS)/.complete

.PHONY: demo test bench assets clean mutate docs

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

# API reference from the docstrings (pdoc) into docs/api/ (generated, not committed; the
# suite checks that it builds without warnings: tests/test_api_docs.py).
docs: $(STAMP)
	$(PY) scripts/build_docs.py docs/api

# Mutation testing (slow; not part of `make test` or CI). Modules: [tool.mutmut] in
# pyproject.toml. One module at a time with a fast test selection, e.g.
#   make mutate MODULE=geo.locate TESTS="tests/test_regions_property.py tests/test_regions_assign.py"
# Writes out/mutation-report.txt (killed/survived per module, survivors by name).
MODULE ?=
TESTS ?=
MUTATE_JOBS ?= 1
MUTATE_TIMEOUT ?= 3600
mutate: $(STAMP)
	rm -f mutants/mutmut-stats.json  # the test selection may have changed
	-CI=1 INCIDENT_MAPPER_MUTATION=1 INCIDENT_MAPPER_MUTATION_TESTS="$(TESTS)" \
	  timeout $(MUTATE_TIMEOUT) $(VENV)/bin/mutmut run --max-children $(MUTATE_JOBS) $(if $(MODULE),"$(MODULE).*")
	$(PY) scripts/mutation_report.py --merge

clean:
	rm -rf out .pytest_cache mutants
