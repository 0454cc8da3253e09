# Two entry points for a fresh machine:
#   make demo   set up .venv, grade the reference solution on the embedded emulator (report.html, grade.json)
#   make test   set up .venv, lint, run the grader's self-tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SELFTEST_ARGS ?= -n 3 --dist worksteal

.PHONY: setup demo test lint packages

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP) packages
	$(BIN)/python -m pytest --student-id=demo --target=moto --deploy-solution

lint: $(STAMP)
	$(BIN)/ruff check .

# Debian packages, installed when missing and root: bubblewrap isolates student code (without it the
# grader says which weaker isolation it uses), headless Chromium runs the report's browser self-test.
packages:
	@missing=""; command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -z "$$missing" ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		apt-get update -q && apt-get install -y -q $$missing; } || \
		echo "not installable here:$$missing (see README: weaker isolation, browser self-test skipped)"

test: lint packages
	$(BIN)/python -m pytest tests $(SELFTEST_ARGS)
