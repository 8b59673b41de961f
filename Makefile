# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
FLASK := $(BIN)/flask --app wsgi
WORKERS ?= auto
STAMP := $(VENV)/.installed

.PHONY: run test lint audit venv migrate demo bench clean-db wheelhouse translations messages screenshots

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) forum demo

run: demo translations
	$(FLASK) forum serve --host $(HOST) --port $(PORT)

test: $(STAMP) translations
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The French and Spanish catalogues compiled for the running app (.mo files are not in git).
# Without -f: an entry still marked fuzzy is not shipped (the English text shows instead).
translations: $(STAMP)
	$(BIN)/pybabel compile -d forum/translations

# After adding or changing a marked string: extract it and add it, untranslated, to each catalogue.
messages: $(STAMP)
	PYTHONPATH=. $(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o forum/translations/messages.pot .
	$(BIN)/pybabel update --no-wrap --no-fuzzy-matching -i forum/translations/messages.pot -d forum/translations

lint: $(STAMP)
	$(BIN)/ruff check .

# Known vulnerabilities in the pinned requirements (pip-audit); warns, not fails, when offline.
audit: $(STAMP)
	$(BIN)/python tools/audit_deps.py

# Each role's main pages on the demo meeting, desktop and phone, into docs/screenshots/ (Chromium needed).
screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Offline install (docs/deployment.md): every runtime wheel, built here, for a closed conference network.
# There: python3 -m venv .venv && .venv/bin/pip install --no-index --find-links wheelhouse -r requirements.txt
wheelhouse: $(STAMP)
	$(BIN)/python -m pip wheel --quiet --wheel-dir wheelhouse -r requirements.txt pip setuptools wheel
	@ls wheelhouse | wc -l | xargs echo "wheels in ./wheelhouse:"

clean-db:
	rm -f instance/forum.sqlite3 instance/forum.sqlite3-wal instance/forum.sqlite3-shm
