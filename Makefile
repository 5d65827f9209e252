# Helpline: `make run` serves the product with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed
# The protocol's models: the web build generates its TypeScript types from them (helpline schema).
SCHEMA_SRC := src/helpline/schema.py src/helpline/realtime/frames.py src/helpline/realtime/protocol.py src/helpline/core/errors.py $(wildcard src/helpline/*/events.py)
WEB_SRC   := $(shell find web/src web/loader web/scripts -type f 2>/dev/null) web/package.json web/package-lock.json web/tsconfig.json web/vite.config.ts web/vite.loader.config.ts $(SCHEMA_SRC)
WEB_STAMP := src/helpline/static/app/.built
CHROMIUM  ?= /usr/bin/chromium

.PHONY: install web test-deps run test lint format bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(STAMP)

# The web tooling (Vite, TypeScript, ESLint, Vitest), installed from the lock file.
NODE_STAMP := web/node_modules/.installed
$(NODE_STAMP): web/package.json web/package-lock.json
	cd web && npm install --no-audit --no-fund --loglevel=error
	touch $@

# The widget and console (TypeScript + Preact, built by Vite into the package's static files).
# The build first generates web/src/shared/generated/protocol.ts with the virtualenv's helpline.
$(WEB_STAMP): $(WEB_SRC) $(NODE_STAMP) | $(STAMP)
	cd web && npm run build
	touch $@

web: $(WEB_STAMP)

# Browser tests drive Debian's Chromium through Playwright (no browser download); the failure
# tests put nginx in front of three nodes. Both come from Debian's packages when missing.
TEST_PACKAGES := $(if $(wildcard $(CHROMIUM)),,chromium) $(if $(wildcard /usr/sbin/nginx),,nginx)
test-deps:
	@if [ -n "$(strip $(TEST_PACKAGES))" ]; then echo "Installing $(strip $(TEST_PACKAGES)) from Debian packages"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_PACKAGES); fi

run: install web
	$(BIN)/helpline migrate
	$(BIN)/helpline demo
	$(BIN)/helpline serve --host $(HOST) --port $(PORT)

test: install web test-deps
	cd web && npm test
	$(BIN)/pytest

lint: install $(NODE_STAMP)
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	cd web && npm run lint

format: install
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

bench: install
	$(BIN)/python -m bench.run --full

bench-quick: install
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache web/node_modules src/helpline/static/app src/helpline/static/loader
