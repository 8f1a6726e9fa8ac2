# Fairwatch: `make run` to try it, `make test` to check it. Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
TEST_STAMP := $(VENV)/.test-installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install test test-sqlite test-postgres lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	rm -f $(VENV)/.installed-*; touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	@# axe-core checks pages against WCAG in the browser tests (needs Node.js and npm).
	npm install --silent --no-save --no-package-lock --prefix $(VENV)/node axe-core@4
	rm -f $(VENV)/.test-installed-*; touch $@

install: $(STAMP)

## make run: set up everything (first time) and start the web app with the demo school.
run: $(STAMP)
	$(BIN)/fairwatch setup --quiet
	$(BIN)/fairwatch demo
	FAIRWATCH_DEBUG=1 $(BIN)/fairwatch serve --host $(HOST) --port $(PORT)

## make test: the whole suite on SQLite, then the database tests (not pages or API routes) on a
## throwaway PostgreSQL.
test: test-sqlite test-postgres

test-sqlite: $(TEST_STAMP)
	$(BIN)/pytest -n auto

test-postgres: $(TEST_STAMP)
	$(BIN)/python tests/pgcluster.py -- $(BIN)/pytest -n auto -m "database and not browser and not http" -p no:cacheprovider

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/fairwatch/catalogue.py src/fairwatch/identifiers.py src/fairwatch/roles.py \
		src/fairwatch/demo_data.py src/fairwatch/checks src/fairwatch/privacy \
		src/fairwatch/relay/spool.py src/fairwatch/relay/policy.py src/fairwatch/weblogs src/fairwatch/errors.py \
		src/fairwatch/cases \
		src/fairwatch/policy/__init__.py src/fairwatch/policy/versions.py src/fairwatch/policy/model.py

format: $(TEST_STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(TEST_STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache
