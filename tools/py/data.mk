# Offline stand-in data (included by the root Makefile). `make data-deps` builds a Python venv
# with Pythia 8 and FastJet; `make data` generates data/generated/{g,q,t}.h5 (JETS per type);
# `make data-test` runs the generator's tests (no Pythia needed by the tests themselves).

PYENV      ?= $(BUILD)/pyenv
JETS       ?= 50000
DATA_JOBS  ?= 2
DATA_DIR   ?= data/generated
DATA_PRESET ?= jetnet-like
# Jets per resumable shard (saved in data/generated/<type>.h5.parts/ until the type is complete).
DATA_SHARD_JETS ?= 10000
# Base seeds per type; job j of a type uses base + j (keep bases >= DATA_JOBS apart).
DATA_SEED_g ?= 1100
DATA_SEED_q ?= 2100
DATA_SEED_t ?= 3100

PYENV_STAMP := $(PYENV)/.requirements-installed

.PHONY: data-deps data data-test

data-deps: $(PYENV_STAMP)

$(PYENV_STAMP): tools/py/requirements.txt
	python3 -m venv $(PYENV)
	$(PYENV)/bin/python -m pip install --disable-pip-version-check -q -r tools/py/requirements.txt
	@touch $@
	@echo "data-deps: Python environment ready in $(PYENV)"

data: $(PYENV_STAMP)
	@mkdir -p $(DATA_DIR)
	@start=$$(date +%s); \
	for t in g q t; do \
	  case $$t in g) seed=$(DATA_SEED_g);; q) seed=$(DATA_SEED_q);; t) seed=$(DATA_SEED_t);; esac; \
	  if [ "$$($(PYENV)/bin/python -c "import h5py; f = h5py.File('$(DATA_DIR)/$$t.h5'); print(f['jet_features'].shape[0], f.attrs['seed'])" 2>/dev/null)" = "$(JETS) $$seed" ]; then \
	    echo "data: $(DATA_DIR)/$$t.h5 already holds $(JETS) jets from seed $$seed"; continue; fi; \
	  $(PYENV)/bin/python tools/py/make_jets.py $$t -n $(JETS) -j $(DATA_JOBS) --seed $$seed \
	    --preset $(DATA_PRESET) --shard-jets $(DATA_SHARD_JETS) -o $(DATA_DIR)/$$t.h5 || exit 1; \
	done; \
	end=$$(date +%s); \
	echo "data: $$((3 * $(JETS))) jets in $$((end - start)) s: $$((3 * $(JETS) / (end - start + (end == start)))) jets/s with $(DATA_JOBS) jobs"
	$(PYENV)/bin/python tools/py/check_jets.py $(DATA_DIR)/g.h5 $(DATA_DIR)/q.h5 $(DATA_DIR)/t.h5

data-test: $(PYENV_STAMP)
	$(PYENV)/bin/python -m pytest -q tools/py
