# Two commands do all the set-up: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test install index browser clean bench national lint

# The national sample (../shared/national: 200 reports of other councils) in its own index,
# served like the default one. Incremental like `index`.
NATIONAL_DIR   ?= ../shared/national
NATIONAL_INDEX ?= .index-national
# Passage vectors as means of sentence vectors: about half the cold ingest (ingest/vectors.py).
NATIONAL_PASSAGE_VECTORS ?= sentences

run: install index
	$(BIN)/assistant serve

test: install browser lint
	$(BIN)/python -m pytest -ra $(PYTEST_ARGS)

# ruff (lint and format) and mypy, configured in pyproject.toml; `ruff format .` fixes the format.
# lint-imports checks the floors of .importlinter: each package imports only those below it.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

install: $(STAMP)

# Reinstall when the dependency pins change. torch is pinned to the CPU build on this disk;
# requirements.lock holds every transitive version the project was tested with.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

# Incremental: embeds only what changed since the last build, and nothing when nothing did.
# A file that fails to load is reported and the rest is served ('-': serve what there is).
index: install
	-$(BIN)/assistant ingest

# Debian's Chromium and its driver for the browser tests (no test tool downloads a browser).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
	  echo "warning: could not install chromium/chromium-driver; browser tests will fail"

national: install
	-ASSISTANT_PASSAGE_VECTORS=$(NATIONAL_PASSAGE_VECTORS) $(BIN)/assistant ingest --corpus-dir $(NATIONAL_DIR) --index-dir $(NATIONAL_INDEX)
	$(BIN)/assistant serve --corpus-dir $(NATIONAL_DIR) --index-dir $(NATIONAL_INDEX)

bench: install index
	$(BIN)/python scripts/bench_answer.py

clean:
	rm -rf $(VENV) .index $(NATIONAL_INDEX)
