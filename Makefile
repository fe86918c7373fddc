# One entry point for people and CI. `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install demo serve test check fmt unit integration e2e browser mail redis migration clean

help:  ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)  ## Create .venv and install SocialDesk with its dev tools

demo: install  ## Start the demo (SQLite, sample conversations) at http://127.0.0.1:8000
	$(BIN)/socialdesk demo

serve: install  ## Run the web app on the configured database (needs SOCIALDESK_SECRET_KEY)
	$(BIN)/socialdesk serve

browser:  ## Make sure Debian's Chromium is there for the browser tests
	@scripts/ensure-chromium

mail:  ## Make sure Debian's Dovecot is there for the e-mail tests (the IMAP server they start)
	@scripts/ensure-dovecot

redis:  ## Make sure a Redis answers on 127.0.0.1:6379 for the live-update bus tests
	@scripts/ensure-redis

check: install  ## Formatting, lint and strict types
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

fmt: install  ## Format and fix what ruff can fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install browser mail redis check  ## Everything CI runs: checks, then unit, integration and browser tests
	$(BIN)/pytest

unit: install  ## Unit tests only (fast, no servers)
	$(BIN)/pytest tests/unit

integration: install mail redis  ## Storage, pipeline, channel and web tests on SQLite and PostgreSQL
	$(BIN)/pytest tests/integration

e2e: install browser  ## The browser tests
	$(BIN)/pytest tests/e2e

migration: install  ## Write a migration for model changes: make migration m="add tags to posts"
	$(BIN)/python -m socialdesk.store.new_migration "$(m)"

clean:  ## Remove the virtualenv, caches and the local demo database
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache data
