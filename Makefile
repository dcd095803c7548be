# Two commands a newcomer needs: `make serve` and `make test`. Both build .venv on first use.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The interpreter .venv is built on: the distribution's own /usr/bin/python3 when it is 3.11
# or later and can make a venv, else python3 on PATH (`make PYTHON=...` picks another). Debian
# and Ubuntu build theirs with profile-guided and link-time optimisation; on the bench machine
# it serves a page of 50 customers on about a fifth less CPU than a plain build from source.
ifndef PYTHON
PYTHON := $(shell for p in /usr/bin/python3 python3; do \
	$$p -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
endif
AUDIT  := .ci/http-audit
AUDIT_STAMP := $(AUDIT)/node_modules/.installed-stamp

.PHONY: serve test lint schema bench

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" && $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "c360 needs Python 3.11 or later, with venv"; exit 1; }
	$(PYTHON) -m venv --clear $(VENV)
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
	@# Under CI the bench's pacing test must run, not skip: install wrk (Debian) when missing.
	@[ "$${CI:-}" != true ] || $(BIN)/python -c 'from bench.tools import wrk; wrk()'
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
