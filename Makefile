# The two commands: `make run` (serve web + worker + scheduler) and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-$(shell cat requirements.txt | md5sum | cut -c1-10)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-10)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev run test lint bench migrate demo messages catalogs

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.runtime-* && touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.dev-* $(VENV)/.runtime-* && touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP)

install-dev: $(DEV_STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# The translations' .mo files are built, never committed (polib: no GNU gettext needed).
messages: install
	$(PY) manage.py compile_translations

# The Arabic catalogs brought up to date with the code (needs GNU gettext): each app's own, inside
# the app, and the project's (config/, templates/) at the top. Then translate what is new.
catalogs: install
	$(PY) manage.py make_catalogs

run: demo messages
	$(PY) manage.py ensure_admin
	$(PY) manage.py runservice --host $(HOST) --port $(PORT)

test: install-dev messages
	$(PY) -m pytest $(PYTEST_ARGS)

# What CI checks besides the tests: lint, formatting, and no model change without its migration.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

bench: install-dev
	$(PY) bench/run_all.py $(BENCH_ARGS)
