# KPI Machine: `make run` serves the portal with the demo council; `make test` runs the suite.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
# The embedded run's server settings (with SECRET_KEY from .embedded-secret-key): see `run`.
EMBEDDED_ENV := DEBUG=false SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 SECURE_HSTS_PRELOAD=false \
	SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false STATIC_MANIFEST=false

# Python 3.12 or newer: python3.13 or python3.12 on the PATH (a pyenv shim that does not work
# is skipped), else a pyenv-installed 3.13/3.12. Override with `make PYTHON=/path/to/python3.12`.
PYTHON ?= $(shell for c in python3.13 python3.12 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3 2>/dev/null) $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3 2>/dev/null); do \
	"$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo "$$c"; break; }; done)

.PHONY: run test setup lint css check-css bench clean help pdf-libraries

help:
	@echo "make run    set up and serve http://127.0.0.1:$(PORT) with the demo council"
	@echo "make test   set up and run the whole test suite"
	@echo "make lint   ruff, the import layers (lint-imports) and the migrations check"
	@echo "make pdf-libraries   install the system libraries WeasyPrint needs for the PDFs (Debian/Ubuntu)"

# WeasyPrint (committee reports' and clinic packs' PDFs) needs Pango (HarfBuzz comes with it) and a
# font from the system: the same list as .ci/run's WEASYPRINT_PACKAGES and the Dockerfile. On macOS:
# `brew install pango`. Installs only what is missing.
WEASYPRINT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
pdf-libraries:
	@missing=""; for p in $(WEASYPRINT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "WeasyPrint's system libraries are installed."; \
	else $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y --no-install-recommends $$missing; fi

$(VENV)/.installed: pyproject.toml uv.lock
	@if [ -z "$(PYTHON)" ]; then \
		echo "KPI Machine needs Python 3.12 or newer (Django 6.1): install python3.13 or python3.12 and put it on the PATH, or run make PYTHON=/path/to/python3.12" >&2; \
		exit 1; fi
	@test -x $(PY) || "$(PYTHON)" -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv sync --quiet --frozen --inexact --compile-bytecode --python $(PY)
	@touch $@

# Bytecode for the dependencies (uv sync --compile-bytecode, above) and for the project's own code
# (compileall, incremental: only changed files), so a start never compiles, even where
# PYTHONDONTWRITEBYTECODE is set (Python still reads .pyc files; it only stops writing them).
# In one process: with nothing to compile, a pool of workers (-j 0) took longer to start than
# the check itself (0.2 s against up to 1 s on a busy 2-core machine).
setup: $(VENV)/.installed
	@$(PY) -m compileall -q kpi_machine indicators organisation reporting service_plans clinics fixtures manage.py >/dev/null

run: setup
	@$(PY) manage.py prepare_embedded
	@echo "KPI Machine: http://127.0.0.1:$(PORT)/  (demo users: officer, head, director, cmt, hub, councillor, scrutiny, auditor; password kpi-demo)"
	@# No autoreloader (it starts Django twice) and no second system check (prepare_embedded just ran them):
	@# a quick start. Developers who want reloading run `.venv/bin/python manage.py runserver`.
	@# Served with DEBUG off, so visitors see the portal's own 404 and 500 pages, never Django's
	@# technical pages (which list every URL pattern). The demo was loaded above with DEBUG on
	@# (load_demo still refuses without it). Plain HTTP on 127.0.0.1: no HTTPS redirect, HSTS or
	@# secure-only cookies; static files from the finders (no collectstatic); a random signing key
	@# kept in .embedded-secret-key so sign-ins survive a restart.
	@test -s .embedded-secret-key || $(PY) -c 'import secrets; print(secrets.token_urlsafe(64))' > .embedded-secret-key
	@SECRET_KEY="$$(cat .embedded-secret-key)" $(EMBEDDED_ENV) $(PY) manage.py runserver --noreload --skip-checks 127.0.0.1:$(PORT)

# Two worker processes (pytest-xdist): the suite takes about half the time on a 2-core machine.
# TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2

test: setup
	@$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: setup
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/lint-imports --no-cache
	@$(PY) manage.py makemigrations --check --dry-run

css:
	@frontend/build.sh

check-css:
	@frontend/check.sh

bench: setup
	@$(PY) manage.py bench

clean:
	rm -rf $(VENV) staticfiles
