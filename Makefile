# The two commands of README's quick start: `make run` and `make test` (`make test-fast` is the quick loop;
# `make lint` checks style and types).
VENV := .venv
# A development server: a generated SECRET_KEY and the dev mailbox (production refuses both).
FLASK := COP_DEVELOPMENT=1 $(VENV)/bin/flask --app wsgi

.PHONY: run test test-fast lint install install-dev benchmarks

# PORT (default 5000) is the port to serve on; BASE_URL follows it.
run: install
	@echo "cop: building the database (migrations)..."
	$(FLASK) db upgrade
	@echo "cop: loading the demo community (the first time takes a minute or two)..."
	$(FLASK) cop demo > /dev/null
	$(FLASK) cop dev --sign-ins

test: install-dev
	$(VENV)/bin/pytest

# The loop while working: SQLite only, no browser, no demo (the markers are in tests/conftest.py).
test-fast: install-dev
	$(VENV)/bin/pytest -m "not browser and not demo and not postgresql"

# Style (ruff) and types (mypy); both read their settings from pyproject.toml.
lint: install-dev
	$(VENV)/bin/ruff check cop tests benchmarks migrations
	$(VENV)/bin/mypy

benchmarks: install-dev
	$(VENV)/bin/python benchmarks/mixing.py
	$(VENV)/bin/python benchmarks/calendars.py
	$(VENV)/bin/python benchmarks/rsvp.py --attempts 500 --capacity 100
	$(VENV)/bin/python benchmarks/outbox.py
	$(VENV)/bin/python benchmarks/load.py
	$(VENV)/bin/python benchmarks/scale.py

install: $(VENV)/.installed node_modules/.installed

install-dev: install $(VENV)/.installed-dev

$(VENV)/bin/python:
	@echo "cop: making the Python environment in $(VENV)..."
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	@echo "cop: installing the Python packages (the first time takes a few minutes)..."
	$(VENV)/bin/pip install --progress-bar on -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	@echo "cop: installing the NHS.UK frontend and the test tools (npm)..."
	npm ci --no-audit --no-fund
	touch $@
