# The two commands: `make run` and `make test`. Both set up everything they need themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
AXE    := $(VENV)/node/node_modules/axe-core/axe.min.js
DEMO_KEY_DIR := demo-analyst-key
DEMO_PASSPHRASE := demo passphrase - not secret

.PHONY: static-checks lint run test setup system-deps translations compile-translations codebook clean demo-key lock migration

# The virtualenv holds exactly requirements.lock (the server, the analyst and the test tools, pinned),
# then the package itself, editable. `make lock` regenerates the lock from pyproject.toml.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e ".[server,test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Resolve pyproject.toml's dependencies with every extra in a fresh virtualenv and pin what it got.
# tests/test_packaging.py fails when the lock and pyproject.toml (or the installed set) disagree.
lock:
	rm -rf build/lock-venv
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet --upgrade pip
	build/lock-venv/bin/pip install --quiet ".[server,test]"
	build/lock-venv/bin/pip freeze --exclude-editable | grep -vi '^run-survey[= @]' > requirements.lock
	rm -rf build/lock-venv
	@echo "wrote requirements.lock ($$(wc -l < requirements.lock) packages)"

setup: $(STAMP) compile-translations
	@# Byte-compile the package: an environment with PYTHONDONTWRITEBYTECODE would otherwise
	@# compile every module from source on each start of the analyst tool.
	$(BIN)/python -m compileall -q survey

compile-translations: $(STAMP)
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile --statistics -d translations 2>&1 | tail -n 1; fi
	@# The analyst tool's own words, read without Babel (survey/analyst/interface.py).
	$(BIN)/python -m survey.devtools.analyst_catalog

# Extract every string (code, templates, questionnaire TOML) into messages.pot, update each
# catalog (creating missing ones for the languages in survey/core/languages.py), then compile.
# New and changed strings appear untranslated: translate them (docs/questionnaires.md).
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output --project=run-survey --copyright-holder="the run-survey authors" -o translations/messages.pot .
	@for l in $$($(BIN)/python -c 'from survey.core.languages import LANGUAGES; print(*[c for c in LANGUAGES if c != "en"])'); do \
		$(BIN)/pybabel update -i translations/messages.pot -d translations -l $$l --init-missing --no-fuzzy-matching --ignore-obsolete 2>&1 | grep -v '^updating' || true; done
	$(MAKE) compile-translations

codebook: $(STAMP)
	$(BIN)/python -m survey.devtools.codebook_docs

system-deps:
	bash .ci/system-deps.sh

$(AXE):
	mkdir -p $(VENV)/node
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node axe-core@4.10.3

demo-key: $(STAMP)
	@if ! ls keys/*.pem >/dev/null 2>&1; then \
		echo "keys/ is empty: making a DEMO analyst key pair in $(DEMO_KEY_DIR)/ (git ignores it)"; \
		SURVEY_ANALYST_PASSPHRASE="$(DEMO_PASSPHRASE)" $(BIN)/survey-analyst keygen --out-dir $(DEMO_KEY_DIR) --name demo-analyst; \
		cp $(DEMO_KEY_DIR)/demo-analyst.pub.pem keys/; \
	fi
	@# The marker that makes the console warn about this key (survey/server/demo_key.py says why a marker).
	@if [ -f keys/demo-analyst.pub.pem ] && [ ! -f keys/demo-analyst.demo ]; then \
		$(BIN)/python -m survey.server.demo_key keys/demo-analyst.pub.pem; \
	fi

run: setup demo-key
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi demo --base-url http://127.0.0.1:5000
	@echo "Decrypt an export offline with: $(BIN)/survey-analyst decrypt EXPORT --key $(DEMO_KEY_DIR)/demo-analyst.key.pem --out responses.csv"
	@echo "(demo key passphrase: '$(DEMO_PASSPHRASE)')"
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

test: setup system-deps $(AXE)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory static-checks
	$(BIN)/pytest

# The gates (docs/contributing.md): the rooms' import contracts, ruff's rule set, mypy (strict on
# survey.core and survey.analyst). Each fails the run on the first broken rule.
LINTED := survey tests benchmarks wsgi.py gunicorn.conf.py
lint: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m survey.devtools.private_imports $(LINTED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy

# bandit: no medium or high finding (each accepted one carries a `# nosec` with its reason).
# pip-audit: the locked dependencies (requirements.lock, `pip freeze --exclude-editable`) against
# PyPI's advisory data; any known vulnerability fails the run. When the advisory service cannot be
# reached, say so loudly (the run goes on unless PIP_AUDIT_REQUIRED=1).
PIP_AUDIT_SERVICE ?= pypi
static-checks: $(STAMP)
	$(BIN)/bandit -q -r survey wsgi.py gunicorn.conf.py benchmarks -ll
	@out=$$(timeout 300 $(BIN)/pip-audit -r requirements.lock --strict --no-deps --disable-pip \
		--progress-spinner off --vulnerability-service $(PIP_AUDIT_SERVICE) 2>&1); rc=$$?; echo "$$out"; \
	if [ $$rc -eq 0 ]; then echo "pip-audit: no known vulnerability in requirements.lock"; \
	elif echo "$$out" | grep -q "known vulnerabilit"; then exit 1; \
	elif [ $$rc -eq 124 ] || echo "$$out" | grep -qiE "could not be audited|connection|resolve|timed out"; then \
		echo "pip-audit: WARNING: the advisory service ($(PIP_AUDIT_SERVICE)) could not be reached from here;"; \
		echo "pip-audit: WARNING: the dependencies were NOT audited. Set PIP_AUDIT_REQUIRED=1 to make this fail."; \
		test -z "$(PIP_AUDIT_REQUIRED)"; \
	else exit $$rc; fi

# A new Alembic revision for what changed in survey/server/models.py: autogenerate against a fresh
# SQLite database brought to the newest migration, numbered after the last one. Review the file it
# names and commit it with the models; tests/test_migrations.py fails while the two differ.
MIGRATIONS := survey/server/migrations
migration: $(STAMP)
	@test -n "$(MESSAGE)" || { echo 'usage: make migration MESSAGE="add x to y"' >&2; exit 2; }
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	last=$$(ls $(MIGRATIONS)/versions | sed -n 's/^\([0-9][0-9]*\)_.*\.py$$/\1/p' | sort -n | tail -n 1) && \
	rev=$$(printf '%04d' $$(expr $${last:-0} + 1)) && \
	printf '[alembic]\nscript_location = %s\nsqlalchemy.url = sqlite:///%s/head.db\n' \
		"$(CURDIR)/$(MIGRATIONS)" "$$tmp" > "$$tmp/alembic.ini" && \
	$(BIN)/alembic -c "$$tmp/alembic.ini" upgrade head >/dev/null && \
	$(BIN)/alembic -c "$$tmp/alembic.ini" revision --autogenerate --rev-id "$$rev" -m "$(MESSAGE)" >/dev/null && \
	new=$$(ls $(MIGRATIONS)/versions/$${rev}_*.py) && \
	echo "wrote $$new: review it, then commit it with the model change" && \
	if ! grep -q 'op\.' "$$new"; then echo "  (it is empty: the models match the migrations; delete it unless you meant that)"; fi

clean:
	rm -rf $(VENV) build *.egg-info test-artifacts
