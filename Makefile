# The two commands a newcomer needs: `make run` (the system with demo data) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/fairinspect
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres test-browser screenshots install lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/fairinspect demo --once
	@echo "Starting the background worker (imports) and the web server on http://$(HOST):$(PORT)/"
	@$(BIN)/python manage.py db_worker --queue-name '*' > var/worker.log 2>&1 & echo $$! > var/worker.pid
	@$(BIN)/python manage.py monitor > var/monitor.log 2>&1 & echo $$! > var/monitor.pid
	@trap 'kill $$(cat var/worker.pid) $$(cat var/monitor.pid) 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: test-sqlite test-postgres test-browser

test-sqlite: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n 2 -m "not browser"

test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/pytest -n 2 -m "not browser"

test-browser: $(STAMP)
	$(BIN)/pytest -m browser -p no:xdist

screenshots: $(STAMP)
	UPDATE_SCREENSHOTS=1 $(BIN)/pytest -m browser -p no:xdist

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var
