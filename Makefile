# Two entry points: `make book` and `make test`. Both set up what is missing first
# (Debian packages, then .venv), so they work on a fresh Debian 12 machine.
VENV    := .venv
PY      := $(VENV)/bin/python
IKIDIL  := $(VENV)/bin/ikidil
SYSTEM_STAMP := $(VENV)/.system-stamp
VENV_STAMP   := $(VENV)/.venv-stamp
ACE_STAMP    := node_modules/.ace-stamp

.PHONY: book test setup clean proof bench

book: setup
	$(IKIDIL) build

test: setup
	$(PY) -m pytest -q

proof: setup
	$(IKIDIL) proof

bench: setup
	$(PY) scripts/bench.py

setup: $(VENV_STAMP) $(ACE_STAMP)

# DAISY Ace (EPUB accessibility checker), pinned in package-lock.json; Puppeteer uses
# Debian's chromium (setup-system.sh), so nothing is downloaded at install.
$(ACE_STAMP): package.json package-lock.json $(SYSTEM_STAMP)
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(SYSTEM_STAMP): scripts/setup-system.sh
	bash scripts/setup-system.sh
	@mkdir -p $(VENV) && touch $@

$(VENV_STAMP): pyproject.toml $(SYSTEM_STAMP)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

clean:
	rm -rf build
