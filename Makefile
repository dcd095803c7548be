# Two commands a newcomer needs: `make serve` and `make test`. Both build .venv on first use.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3
AUDIT  := .ci/http-audit
AUDIT_STAMP := $(AUDIT)/node_modules/.installed-stamp

.PHONY: serve test lint schema bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "c360 needs Python 3.11 or later"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The GraphQL-over-HTTP audit suite (npm graphql-http), installed before the tests run.
$(AUDIT_STAMP): $(AUDIT)/package.json $(AUDIT)/package-lock.json
	npm install --prefix $(AUDIT) --no-audit --no-fund --loglevel=error
	@touch $(AUDIT_STAMP)

## serve: the demo bank on http://127.0.0.1:8360/graphql (created on first run)
serve: $(STAMP)
	$(BIN)/c360 serve

## test: lint, types, and the whole suite on SQLite, PostgreSQL and MariaDB
test: $(STAMP) $(AUDIT_STAMP)
	bash .ci/ensure-databases
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

## schema: regenerate schema.graphql from the code
schema: $(STAMP)
	$(BIN)/c360 export-schema --output schema.graphql

## bench: c360 vs PostGraphile 5 vs the bare SQL, e.g. BENCH_ARGS="--customers 100000"
bench: $(STAMP)
	@test -x $(BIN)/py-spy || $(BIN)/pip install --quiet py-spy
	$(BIN)/python -m bench $(BENCH_ARGS)
