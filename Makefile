# Two commands do everything: `make run` (the platform with demo data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test`: one per core (each has its own test database).
TEST_WORKERS ?= auto

.PHONY: run test lint format assets messages serve migrate demo worker beat clean

run: $(VENV)/.runtime assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "SafeCity is serving at http://$(HOST):$(PORT)/  (log in with a demo login above)"
	@echo ""
	HOST=$(HOST) PORT=$(PORT) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho -f Procfile.embedded start

test: $(VENV)/.dev assets
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -n $(TEST_WORKERS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The real stack (with DATABASE_URL and REDIS_URL set): nginx on HOST:PORT in front of
# gunicorn (HTTP) and daphne (WebSockets), a Celery worker and beat, all run by honcho.
serve: $(VENV)/.runtime assets
	HOST=$(HOST) PORT=$(PORT) VENV=$(CURDIR)/$(VENV) deploy/serve.sh

# One process of the real stack each, for running them apart.
worker: $(VENV)/.runtime
	$(VENV)/bin/celery -A safecity worker --loglevel=INFO
beat: $(VENV)/.runtime
	$(VENV)/bin/celery -A safecity beat --loglevel=INFO --schedule var/celerybeat-schedule

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

# Front-end packages from the npm registry, copied to static/vendor/ (neither is committed).
assets: static/vendor/.installed

static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor/markercluster
	cp node_modules/echarts/dist/echarts.min.js static/vendor/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
	   node_modules/leaflet.markercluster/dist/MarkerCluster.css \
	   node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css static/vendor/markercluster/
	touch $@

# Translations: extract the strings to locale/*/django.po, then compile the .mo (committed).
# Source strings are Chinese, so en holds the English; zh_Hans holds the Chinese of the few
# English source strings (the services' refusals, answered as written by the API and shown
# on the pages in their language).
MESSAGE_LOCALES := -l en -l zh_Hans
messages: $(VENV)/.dev
	$(PY) manage.py makemessages $(MESSAGE_LOCALES) --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=var
	$(PY) manage.py compilemessages $(MESSAGE_LOCALES)

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var
