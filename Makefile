# The two commands a newcomer needs: `make run` (the system with demo data) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/fairinspect
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test prepare-test check test-sqlite test-postgres test-browser screenshots install lock lint bench clean

# Dependencies come from requirements.lock (exact versions, so a new upstream release cannot
# turn CI red by itself); `make lock` regenerates it after a change to pyproject.toml.
$(STAMP): pyproject.toml requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

lock:
	@test -x $(BIN)/uv || { $(PY) -m venv $(VENV) && $(BIN)/pip install --quiet uv; }
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --quiet -o requirements.lock
	@echo "requirements.lock regenerated; \`make install\` installs it."

run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/fairinspect demo --once
	@echo "Starting the background worker (imports), the monitoring consumer (MQTT) and the web server on http://$(HOST):$(PORT)/"
	@# One shell for all: the trap stops the worker and the monitoring consumer this target
	@# started (and only them) when the server stops, on Ctrl-C, or when make is terminated.
	@mkdir -p var; \
	  $(BIN)/python manage.py db_worker --no-reload --queue-name '*' > var/worker.log 2>&1 & worker=$$!; \
	  $(BIN)/python manage.py monitor $(if $(MONITOR_CONSUMERS),--consumers $(MONITOR_CONSUMERS)) > var/monitor.log 2>&1 & monitor=$$!; \
	  echo $$worker > var/worker.pid; echo $$monitor > var/monitor.pid; \
	  trap 'kill $$worker $$monitor 2>/dev/null; wait $$worker $$monitor 2>/dev/null; rm -f var/worker.pid var/monitor.pid' EXIT; \
	  trap 'exit 130' INT; trap 'exit 143' TERM HUP; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

# `make test` checks the machine first (scripts/prepare_test.py: installs Chromium and fonts
# with apt-get when root and allowed, starts a local PostgreSQL that is down) and stops at
# once with one sentence if it cannot; FAIRINSPECT_SKIP_BROWSER=1 / FAIRINSPECT_SKIP_POSTGRES=1
# skip a stage, FAIRINSPECT_NO_APT=1 forbids apt-get.
test: prepare-test check test-sqlite test-postgres test-browser

prepare-test: $(STAMP)
	$(BIN)/python scripts/prepare_test.py

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: $(STAMP)
	$(BIN)/pytest -n 2 -m "not browser"

test-postgres: $(STAMP)
	@if [ -n "$$FAIRINSPECT_SKIP_POSTGRES" ] && [ "$$FAIRINSPECT_SKIP_POSTGRES" != 0 ]; then \
	  echo "!!! FAIRINSPECT_SKIP_POSTGRES is set: the PostgreSQL run is SKIPPED !!!"; \
	else DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/pytest -n 2 -m "not browser"; fi

test-browser: $(STAMP)
	@if [ -n "$$FAIRINSPECT_SKIP_BROWSER" ] && [ "$$FAIRINSPECT_SKIP_BROWSER" != 0 ]; then \
	  echo "!!! FAIRINSPECT_SKIP_BROWSER is set: the browser tests are SKIPPED !!!"; \
	else $(BIN)/pytest -m browser -p no:xdist; fi

# Regenerates docs/screenshots/ (the README's pictures) from the browser journeys.
screenshots: $(STAMP)
	$(BIN)/python scripts/prepare_test.py browser
	UPDATE_SCREENSHOTS=1 $(BIN)/pytest -m browser -p no:xdist

lint: check

bench: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var
