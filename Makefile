# Sprintback — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_SYSTEM_CERTS := 1
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test test-unit fuzz lint format install migrate demo messages clean

$(UV):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

## install: the virtualenv with exactly the versions in uv.lock
install: $(UV)
	$(UV) sync --frozen --python $(PYTHON) --quiet

migrate: install
	$(PY) manage.py ensure_database
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

## run: install, migrate, load demo data, serve on http://127.0.0.1:8000 with a Celery worker + beat
run: demo
	@bash scripts/run.sh

## test: the whole suite (unit, broker and browser tests); uses DATABASE_URL when set. The browser
## tests drive CHROMIUM_PATH, else a system Chromium, else Playwright's own (installed here when the
## network allows); without any, the rest runs and the run fails on one line (SKIP_BROWSER_TESTS=1 accepts it)
test: install
	@$(PY) -m tests.browsers --install
	$(PY) -m pytest $(PYTEST_ARGS)

test-unit: install
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

## fuzz: schemathesis against a live gunicorn on a throwaway PostgreSQL database (CI runs it)
fuzz: install
	bash scripts/fuzz_api.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## messages: extract every translatable string into locale/es and locale/fr, compile them (needs
## gettext) and print how much is translated; commit the .po and .mo files it changes
messages: install
	$(PY) manage.py translation_coverage --update

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) $(TOOLS) .broker .beat db.sqlite3 staticfiles .pytest_cache .ruff_cache
