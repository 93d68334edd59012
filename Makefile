# The two commands a newcomer needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Without DATABASE_URL/REDIS_URL, commands run against embedded servers under .data/.
WITH_SERVERS := $(PY) -m lerenmetdestad.localservers exec --

.PHONY: help install run test check lint format messages lock seed clean

help:
	@echo "make run    start the platform at http://127.0.0.1:8000 with demo data"
	@echo "make test   run every check and the whole test suite"
	@echo "make lint / format / messages / lock / clean"

$(STAMP): pyproject.toml requirements/dev.txt
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $(STAMP)

install: $(STAMP) messages

# compilemessages only needs some settings to load; the test settings carry a SECRET_KEY.
messages: export DJANGO_SETTINGS_MODULE ?= tests.settings
messages: $(STAMP)
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: install gettext (apt-get install gettext)"; exit 1; }
	$(PY) manage.py compilemessages --ignore=.venv --verbosity=0

# DEBUG on unless set, as `localservers run` does; set here so that `messages`, built on the
# way, can load the settings without a SECRET_KEY too.
run: export DEBUG ?= 1
run: install
	$(PY) -m lerenmetdestad.localservers run

# Every manage.py call of `make test`, `messages` included, uses the test settings (which
# carry their own SECRET_KEY). A subset: make test PYTEST_ARGS='-m "not smoke"'.
test: export DJANGO_SETTINGS_MODULE ?= tests.settings
test: install lint
	$(WITH_SERVERS) $(PY) manage.py makemigrations --check --dry-run
	$(WITH_SERVERS) $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate the pinned sets after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.12 --universal --no-header -o requirements/base.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra local --extra dev --python-version 3.12 --universal --no-header -o requirements/dev.txt

clean:
	rm -rf $(VENV) staticfiles
