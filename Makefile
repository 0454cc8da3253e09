# Two entry points for a fresh machine:
#   make demo   set up .venv, grade the reference solution on the embedded emulator (report.html, grade.json)
#   make test   set up .venv, lint, run the grader's self-tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SELFTEST_ARGS ?= -n 2

.PHONY: setup demo test lint browser

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m pytest --student-id=demo --target=moto --deploy-solution

lint: $(STAMP)
	$(BIN)/ruff check .

# headless Chromium for the report's browser self-test (Debian's package, installed when root)
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		apt-get update -q && apt-get install -y -q chromium; } || \
		echo "chromium missing and not installable here: the browser self-test will be skipped"

test: lint browser
	$(BIN)/python -m pytest tests $(SELFTEST_ARGS)
