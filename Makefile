# Every target that needs Python builds .venv from requirements.lock first (and again when the
# lock or pyproject.toml changes), so `make run` and `make test` work on a fresh clone.
# Python 3.11: the Cloud Functions runtime (infra/functions.tf) and the relay image
# (wa-relay/Dockerfile) run it, so the tests do too (tests/infra/test_python_version.py).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test test-int lint format typecheck bench lock all clean checkov tfschema functions-requirements browser

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip check >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP) ## Create or refresh .venv from the pinned dependencies

run: $(STAMP) ## Start the all-in-one bot on embedded defaults (chat in this terminal)
	$(BIN)/salesbot serve

# checkov (the Terraform security scan in tests/infra) lives in its own venv: its dependency tree
# conflicts with requirements.lock. If the venv cannot be built (no package index), the target
# warns and the checkov test skips with that reason; the next `make test` tries again.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

$(CHECKOV_STAMP): infra/requirements-checkov.txt
	@rm -rf $(CHECKOV_VENV)
	@if $(PYTHON) -m venv $(CHECKOV_VENV) && $(CHECKOV_VENV)/bin/python -m pip install --quiet \
	    --disable-pip-version-check -r infra/requirements-checkov.txt; then touch $@; \
	else rm -rf $(CHECKOV_VENV); echo "WARNING: could not build $(CHECKOV_VENV); the checkov test will skip" >&2; fi

checkov: $(CHECKOV_STAMP) ## Build .venv-checkov and scan infra/ with checkov
	@test -x $(CHECKOV_VENV)/bin/checkov && BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov \
	    -d infra --framework terraform --skip-download --compact --quiet

# The Terraform provider schema for the offline argument check in tests/infra (terraform itself
# cannot run here): distilled from the pinned CDKTF provider wheels. Without a package index the
# target warns and that test skips with the reason; the next `make test` tries again.
TFSCHEMA_DIR := .tfschema
TFSCHEMA := $(TFSCHEMA_DIR)/providers.json

$(TFSCHEMA): infra/requirements-tfschema.txt infra/provider_schema.py
	@rm -rf $(TFSCHEMA_DIR) && mkdir -p $(TFSCHEMA_DIR)
	@if $(PYTHON) -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
	    --require-hashes -d $(TFSCHEMA_DIR) -r infra/requirements-tfschema.txt \
	    && $(PYTHON) infra/provider_schema.py $(TFSCHEMA_DIR) $@; then rm -f $(TFSCHEMA_DIR)/*.whl; \
	else rm -rf $(TFSCHEMA_DIR); echo "WARNING: could not build $@; the provider schema test will skip" >&2; fi

tfschema: $(TFSCHEMA) ## Build .tfschema/providers.json (Terraform provider schema, offline check)

functions-requirements: $(STAMP) ## Regenerate functions/requirements.txt from requirements.lock
	$(BIN)/python infra/functions_requirements.py

# The console's browser tests drive Debian's Chromium through Debian's chromedriver. Installed
# here when missing (as root, from the Debian package index); where that cannot be done, a warning,
# and those tests skip saying why.
browser: ## Install Debian's chromium and chromium-driver for the browser tests, if missing
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && { apt-get update -qq \
	    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium chromium-driver; } >/dev/null 2>&1; then echo "installed chromium and chromium-driver"; \
	else echo "WARNING: chromium/chromedriver missing and not installable here; the browser tests will skip" >&2; fi

test: $(STAMP) $(CHECKOV_STAMP) $(TFSCHEMA) browser ## Run the whole test suite
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Apply ruff formatting and autofixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP) ## mypy --strict over shared/
	$(BIN)/mypy

bench: $(STAMP) ## Run the benchmarks in bench/ and print their numbers
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lock: ## Re-resolve requirements.lock from pyproject.toml (needs the package index)
	rm -rf /tmp/salesbot-lock && $(PYTHON) -m venv /tmp/salesbot-lock
	/tmp/salesbot-lock/bin/pip install --quiet -e '.[local,dev]'
	( echo "# Fully pinned dependency set for the dev/all-in-one environment (Python 3.11/3.12)."; \
	  echo "# Regenerate: make lock"; /tmp/salesbot-lock/bin/pip freeze --exclude-editable ) > requirements.lock

all: lint typecheck test ## Lint, typecheck and test

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) $(CHECKOV_VENV) $(TFSCHEMA_DIR) .data .pytest_cache .mypy_cache .ruff_cache
