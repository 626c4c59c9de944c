# nisp-workbench: `make report` runs the main job, `make test` the tests.
# Both create the environment (.venv, pinned by constraints.txt) when it is missing.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
WB := $(VENV)/bin/workbench
STAMP := $(VENV)/.installed

# The published data ship in data/raw/ and are found there by the workbench itself (no setting
# needed). WORKBENCH_DATA_MIRROR, when set, names an organisation's own copy that takes precedence.

.PHONY: env report test verify build lab lock clean-env bench

env: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name nisp-workbench --display-name "Python (nisp-workbench)" >/dev/null
	touch $(STAMP)

# The main job: verify every data set, rebuild the derived panels, run the default report suite.
report: $(STAMP)
	$(WB) data verify
	$(WB) data build
	$(WB) run default $(RUN_ARGS)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

verify: $(STAMP)
	$(WB) data verify

build: $(STAMP)
	$(WB) data build

# JupyterLab at the project folder, opened in notebooks/ (as root it adds --allow-root itself).
lab: $(STAMP)
	$(WB) lab $(LAB_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/bench_data_layer.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_models.py
	$(PY) benchmarks/bench_briefs.py

# Re-pin every package after a deliberate upgrade: a fresh venv, then freeze.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e ".[dev]"
	( echo "# Pinned versions of every package in the environment (pip freeze of a fresh install on Python 3.11)."; \
	  echo "# Rebuild with: make lock"; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^nisp-workbench' ) > constraints.txt
	rm -rf .lock-venv

clean-env:
	rm -rf $(VENV)
