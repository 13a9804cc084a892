# The documented entry points. Everything installs into .venv from this project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

# The suite runs with DEBUG off, like production; DATABASE_URL and REDIS_URL pass through.
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,testserver DJANGO_HTTPS=0 DJANGO_MANIFEST_STATIC=0
RUN_ENV := DJANGO_DEBUG=1

.PHONY: install install-dev run test lint format bench load worker beat digests migrate seed clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

migrate: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput

seed: migrate
	$(RUN_ENV) $(BIN)/python manage.py seed_demo

run: seed
	@echo
	@echo "Ordo runs at http://$(HOST)/ — demo logins (password: demo-password):"
	@echo "  po@example.com (product owner), sm@example.com (scrum master),"
	@echo "  dev@example.com (developer), stakeholder@example.com (stakeholder)"
	@echo "Emails (invitations, password resets) are written to var/mail/."
	@echo
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST)

# One pytest worker per core; PYTEST_ARGS="-n 0 tests/…" runs a part in one process.
test: install-dev
	$(TEST_ENV) $(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev
	$(TEST_ENV) $(BIN)/python -m bench

# gunicorn on PostgreSQL (database ordo_load, rebuilt each run) under a rising number of clients.
load: install-dev
	$(BIN)/python -m bench.load

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO --prefetch-multiplier=1

beat: install
	mkdir -p var
	$(BIN)/celery -A config beat --loglevel=INFO --schedule var/celerybeat-schedule

# One digest tick in this process: plans what is due and sends it (in-process without REDIS_URL).
digests: migrate
	$(RUN_ENV) $(BIN)/python manage.py digests_tick

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .hypothesis
