# The two commands: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt
PORT   ?= 8000
PLUGINS := $(wildcard plugins/*/pyproject.toml)

.PHONY: run test setup assets browser lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Workspace packages: the core, every plugin under plugins/, dev tools.
$(VENV)/.installed: $(BIN)/python constraints.txt requirements-dev.txt platform/pyproject.toml $(PLUGINS)
	$(PIP) -e platform $(foreach p,$(PLUGINS),-e $(dir $(p))) -r requirements-dev.txt
	touch $@

# Front-end packages from the npm registry (htmx, the Vazirmatn font); never committed.
node_modules/.installed: package.json
	npm install --no-audit --no-fund --no-package-lock --loglevel=error
	touch $@

assets: node_modules/.installed

setup: $(VENV)/.installed assets
	$(BIN)/payamak migrate
	$(BIN)/payamak tenants sync

run: setup
	@$(BIN)/pip uninstall --quiet -y payamak-testplugin >/dev/null 2>&1 || true
	@PORT=$(PORT) $(BIN)/payamak demo
	$(BIN)/payamak serve --port $(PORT)

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)) \
	  || sudo apt-get install -y -qq chromium; }

test: $(VENV)/.installed assets browser
	$(PIP) -e tests/testplugin
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: $(VENV)/.installed
	@for b in bench/[!_]*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules var
