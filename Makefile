# One command each: the environment is created on first use and refreshed when
# pyproject.toml or the lock file changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint format demo bench bench-serve lock clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	# setuptools warns on every editable install that a folder named like the package
	# may shadow it: here that folder is the package itself, so the notice is noise.
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: $(STAMP)
	$(BIN)/okrsync demo

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# okrsync serve under a minute of webhook deliveries (not part of `make test`); writes
# bench/SERVE_RESULTS.md. BENCH_SERVE_ARGS="--broker redis://... --store postgresql://..."
bench-serve: $(STAMP)
	$(BIN)/python -m bench_serve $(BENCH_SERVE_ARGS)

# Re-pin every dependency (run after editing pyproject.toml's dependency lists).
lock:
	rm -rf /tmp/okrsync-lock && $(PYTHON) -m venv /tmp/okrsync-lock
	/tmp/okrsync-lock/bin/pip install --quiet --upgrade pip
	/tmp/okrsync-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/okrsync-lock/bin/pip freeze --all --exclude-editable | grep -v -e "^okrsync" -e "^pip==" > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
