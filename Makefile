# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SIZE ?= S
SEED ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo lint bench clean browser

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo --size $(SIZE) --seed $(SEED) --if-empty

run: export SITE_URL ?= http://$(HOST):$(PORT)
run: demo
	$(PY) manage.py plan_week --if-missing
	$(PY) manage.py publish_week --if-missing --demo-links
	@echo ""
	@echo "Ugeskema kører på http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "Log ind som koordinator: brugernavn 'koordinator', adgangskode 'demo-koordinator'"
	@echo "Administrator: brugernavn 'admin', adgangskode 'demo-admin'. Stop med Ctrl+C."
	$(PY) manage.py run_all --host $(HOST) --port $(PORT)

# The browser tests (tests/browser/, Playwright) drive Debian's Chromium; installed only when missing.
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# PYTEST_ARGS narrows a run, e.g. the PostgreSQL pass of .ci/run leaves out what no database touches.
# TEST_WORKERS pytest-xdist processes (default: the machine's cores, at most 4), each with its own test
# database (pytest-django suffixes its name: test.sqlite3_gw0, test_test_gw1); 0 runs in this process.
# loadgroup keeps the tests that share an expensive server or seeded file (xdist_group marks) together.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)
test: install browser
	$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup --durations=25 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) -m bench.solver --size M --seed 1 --time-limit 60

clean:
	rm -rf $(VENV) var .pytest_cache
