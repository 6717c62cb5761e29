# Wanjia: `make run` serves the demo city; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
TEST_STAMP    := $(VENV)/.test-installed

.PHONY: run test faults bench bench-city peak lint venv test-deps browser messages demo clean

$(RUNTIME_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(TEST_STAMP): $(RUNTIME_STAMP) pyproject.toml
	$(BIN)/python -m pip install -q -e ".[test]"
	@touch $@

venv: $(RUNTIME_STAMP)
test-deps: $(TEST_STAMP) browser

## Compile translations when gettext is present; the compiled .mo files are committed too.
messages: venv
	@if command -v msgfmt >/dev/null; then $(BIN)/python manage.py compilemessages -v 0 --ignore=.venv; fi

demo: venv
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py load_demo

run: messages demo
	$(BIN)/python manage.py serve

## Debian's Chromium and CJK fonts for the browser tests (installed when missing and root).
browser:
	@bash .ci/ensure-browser.sh

## Both cores: tests are spread over one worker per core (pytest-xdist).
test: test-deps
	$(BIN)/python -m pytest -n auto

## Kill a worker mid-plan, stop and restart a throwaway Redis (port 6390); prints
## the figures. SQLite by default; DATABASE_URL=postgresql://... for PostgreSQL.
faults: test-deps
	$(BIN)/python -m pytest tests/faults -m faults -s

bench: test-deps
	$(BIN)/python -m pip install -q -e ".[bench]"
	$(BIN)/python -m bench

## Main pages and APIs on two generated cities side by side (100 k and 1 M households,
## PostgreSQL; generate them first: docs/city-scale.md). BENCH_CITY_SMALL / BENCH_CITY_LARGE.
bench-city: test-deps
	$(BIN)/python -m bench.city

## The evening peak with Locust against gunicorn on PostgreSQL + Redis (bench/peak/run.py).
peak: test-deps
	$(BIN)/python -m pip install -q -e ".[bench]"
	$(BIN)/python -m bench.peak

lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run -v 0
	bash .ci/check-translations

clean:
	rm -rf $(VENV) var
