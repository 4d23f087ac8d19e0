# quizfunnel: `make run` to try it, `make test` to test it. See README.md.

PYTHON := $(shell ./scripts/find-python)
ifeq ($(PYTHON),)
$(error no Python 3.12+ found; see the message above)
endif

VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint typecheck check-migrations pytest bench serve clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: export DEBUG ?= true
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) demo --site http://$(HOST):$(PORT)
	$(MANAGE) generate_traffic --quiz find-your-plan --visits 4000 --days 28 --if-empty
	$(MANAGE) runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy quizfunnel

check-migrations: install
	DJANGO_SETTINGS_MODULE=tests.settings $(MANAGE) makemigrations --check --dry-run

pytest: install
	$(BIN)/pytest --cov --cov-report=term

test: lint typecheck check-migrations pytest

# The bench's load generator and browser come from Debian; as root, install
# what is missing, else the bench says what to install.
bench: install
	@command -v wrk >/dev/null && [ -x /usr/bin/chromium ] || [ "$$(id -u)" != 0 ] || \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk chromium; }
	$(BIN)/python -m bench $(BENCH_ARGS)

serve: install
	$(MANAGE) collectstatic --noinput
	$(MANAGE) migrate --noinput
	$(BIN)/gunicorn quizfunnel.wsgi --no-control-socket --bind $(HOST):$(PORT) --workers 2

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .mypy_cache .ruff_cache .coverage
