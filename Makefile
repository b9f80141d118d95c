# Hocso: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
## `HOST=0.0.0.0 make run` serves the phones of the local network too; certificate QR codes then
## point at this machine's address on it (config.py: DevelopmentConfig).
HOST ?= 127.0.0.1
export FLASK_RUN_HOST := $(HOST)
export FLASK_RUN_PORT := $(PORT)
export FLASK_APP := wsgi.py

.PHONY: run install install-dev system-deps translations translations-update db test test-fast test-postgres deploy-check lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-dev: system-deps $(VENV)/.installed-dev translations node_modules/.installed

## axe-core for the accessibility checks in the browser tests.
node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

## System packages WeasyPrint and the tests need (chromium, poppler-utils); installed when root.
system-deps:
	@bash scripts/system-deps.sh

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d app/translations

db: install
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask courses sync
	$(BIN)/flask demo create

run: db
	$(BIN)/flask run

## The whole suite: static checks, then every test (unit, client, PDF, browser, security, durability,
## deployment).
test: install-dev lint
	$(BIN)/pytest

## The quick loop while working: unit, client, security and operations tests (no browser, PDF
## rendering, durability or deployment), under three minutes on two cores: one pytest-xdist worker
## per core (`TEST_WORKERS=0 make test-fast`: all in one process), each on its own database.
TEST_WORKERS ?= auto
test-fast: install-dev
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal tests/unit tests/client tests/security tests/operations \
		-m "not browser and not slow and not deployment"

## The suite again on PostgreSQL; the deployment test already runs on a PostgreSQL database of its own.
test-postgres: install-dev
	DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(BIN)/pytest -m "not deployment"

## Only the reference deployment (deploy/) started for real: nginx, two nodes, worker, PostgreSQL, Redis.
deploy-check: install-dev
	$(BIN)/pytest tests/deployment

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r app -ll

clean:
	rm -rf $(VENV) .pytest_cache

## After changing user-facing text: refresh the catalogues, translate the new entries, then `make translations`.
translations-update: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o /tmp/hocso-messages.pot .
	$(BIN)/pybabel update -i /tmp/hocso-messages.pot -d app/translations --no-fuzzy-matching
