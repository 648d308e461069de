# Every target builds the virtualenv first, from the committed constraints, so a fresh machine needs nothing else.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-tools lint fmt bench demo clean constraints

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/sanji up

# Tools some tests need from Debian, installed when missing (CI runs as root on a fresh machine):
# promtool checks deploy/prometheus and unit-tests the alerts; systemd-analyze checks deploy/systemd;
# chromium (launched by path: Playwright cannot download its own) and CJK fonts for tests/browser/.
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends
# The official AsyncAPI parser, from the committed lock file, for tests/contracts/test_asyncapi_parser.py.
ASYNCAPI_CHECK := tests/contracts/asyncapi
ASYNCAPI_PARSER := $(ASYNCAPI_CHECK)/node_modules/.package-lock.json
$(ASYNCAPI_PARSER): $(ASYNCAPI_CHECK)/package.json $(ASYNCAPI_CHECK)/package-lock.json
	npm ci --prefix $(ASYNCAPI_CHECK) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

test-tools: $(ASYNCAPI_PARSER)
	@command -v promtool >/dev/null || { apt-get update -qq && $(APT_INSTALL) prometheus >/dev/null; }
	@command -v systemd-analyze >/dev/null || { apt-get update -qq && $(APT_INSTALL) systemd >/dev/null; }
	@{ command -v chromium >/dev/null && fc-list :lang=zh | grep -qi "noto sans cjk"; } || \
		{ apt-get update -qq && $(APT_INSTALL) chromium fonts-noto-cjk >/dev/null; }

test: $(STAMP) test-tools
	$(BIN)/pytest -q -ra

test-fast: $(STAMP) test-tools
	$(BIN)/pytest -q -ra -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy services contracts tests

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/sanji bench

demo: $(STAMP)
	$(BIN)/sanji demo

# Re-pin after changing dependencies in pyproject.toml.
constraints:
	$(PY) -m venv /tmp/sanji-pin && /tmp/sanji-pin/bin/pip install -q -e '.[dev]' && \
	/tmp/sanji-pin/bin/pip freeze --exclude-editable | grep -v '^sanji' > constraints.txt

clean:
	rm -rf $(VENV) .sanji .pytest_cache .mypy_cache .ruff_cache
