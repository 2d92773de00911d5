# Two commands for a newcomer: `make run` and `make test`. See README.md.
# Python 3.11, as the production image runs. The distribution's own python3.11 comes first where it can make a
# virtual environment: it runs the project's Python faster than one built by pyenv with its defaults (a loop of
# 10 million additions 0.50 s against 0.65 s; the suite 7 min 9 s against 7 min 55 s on the 2-core machine).
# PYTHON=python3 make … uses whichever is first on PATH.
PYTHON ?= $(or $(shell for p in /usr/bin/python3.11 python3.11 python3; do $$p -c 'import ensurepip, venv' 2>/dev/null && command -v $$p && break; done),python3)
VENV := .venv
PY := $(VENV)/bin/python
WITH_DB := $(PY) bin/with-db
# The demo's emails are files in sent-emails/, not pages of text in the terminal.
DEMO_EMAIL := EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend

.PHONY: run test test-full install install-python install-node install-system lint worker beat bench clean

# The local demo skips two-factor sign-in so a newcomer can look around at once;
# MFA_REQUIRED=true make run shows the set-up journey. Deployments keep it on.
# It ends with the demo's accounts, their password and the address (bin/run-demo); emails go to sent-emails/.
run: install
	DEBUG=true MFA_REQUIRED=$${MFA_REQUIRED:-false} $(WITH_DB) $(PY) bin/run-demo 127.0.0.1:8000

# The suite in parallel processes (pytest-xdist), each with its own test database, files and Redis.
# Two more processes than cores: worker, fault and browser tests spend seconds waiting (on a heartbeat
# to lapse, a worker to start, a page to load), and the extra processes use the cores meanwhile.
# TEST_PROCESSES=1 runs it in one. The fuzz sends every hostile value to the programme officer and a
# sample of them, chosen by the run's printed seed (FUZZ_SEED=<seed> repeats it), to the other personas.
TEST_PROCESSES ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 2)')
# Bytecode is kept even where the environment says not to (PYTHONDONTWRITEBYTECODE): otherwise each test process
# compiles every test module again, and so does every worker, server and command a test starts (3-4 s of a core each).
test test-full: export PYTHONDONTWRITEBYTECODE :=
test: install
	$(WITH_DB) $(PY) -m pytest -n $(TEST_PROCESSES) --dist worksteal $(PYTEST_ARGS)

# Before a release: the same suite, with every hostile value sent as every persona.
test-full: install
	FUZZ_FULL=true $(WITH_DB) $(PY) -m pytest -n $(TEST_PROCESSES) --dist worksteal $(PYTEST_ARGS)

install: install-system install-python install-node

# Python packages: the runtime set (requirements.lock) and the tools that test and lint it
# (requirements-dev.lock, which includes the runtime one); reinstalled only when a lock changes.
install-python: $(VENV)/.installed
$(VENV)/.installed: requirements.lock requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

# GOV.UK Frontend, Sass and axe-core, pinned in package-lock.json; then our stylesheet.
install-node: static/css/app.css
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
static/css/app.css: node_modules/.package-lock.json $(wildcard static/src/*.scss static/src/components/*.scss)
	npm run --silent build:css

# Debian packages: Chromium for browser tests, fonts and tools for PDF reports.
install-system:
	@bin/install-system-packages

lint: install-python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The background processes of the full stack, for running by hand beside `make run`.
worker: install
	DEBUG=true $(DEMO_EMAIL) $(WITH_DB) $(VENV)/bin/celery -A send_tracker worker -l info --concurrency 2 --queues celery,packs

beat: install
	DEBUG=true $(DEMO_EMAIL) $(WITH_DB) $(VENV)/bin/celery -A send_tracker beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler --pidfile=

# Every benchmark, then each target beside its figure (docs/PERFORMANCE.md explains them).
bench: install
	DJANGO_SETTINGS_MODULE=send_tracker.settings_test BENCH_RESULTS=$$(mktemp) $(WITH_DB) sh -c 'for b in bench/bench_*.py; do $(PY) $$b || exit 1; done; $(PY) bench/summary.py'

clean:
	rm -rf $(VENV) node_modules static/css .pgdata staticfiles
