# Hyper-parameter search with Optuna (included by the root Makefile; docs/search.md).
# `make search-deps` builds the venv SEARCH_ENV; `make search-test` runs tools/py/test_search.py
# (a real 3-trial search on configs/search/quick.yaml among its cases; needs bin/train).

SEARCH_ENV ?= $(BUILD)/search-env
SEARCH_ENV_STAMP := $(SEARCH_ENV)/.requirements-installed

.PHONY: search-deps search-test

search-deps: $(SEARCH_ENV_STAMP)

$(SEARCH_ENV_STAMP): tools/py/requirements-search.txt
	/usr/bin/python3 -m venv --system-site-packages $(SEARCH_ENV)
	$(SEARCH_ENV)/bin/python -m pip install --disable-pip-version-check -q --no-deps -r tools/py/requirements-search.txt
	$(SEARCH_ENV)/bin/python -c "import optuna, sqlalchemy, yaml, pytest, pymysql"
	@touch $@
	@echo "search-deps: Python environment ready in $(SEARCH_ENV)"

search-test: $(SEARCH_ENV_STAMP) $(BIN)/train
	$(SEARCH_ENV)/bin/python -m pytest -q tools/py/test_search.py
