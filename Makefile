# flowjet build. `make` builds build/libflowjet.a and the programs in bin/;
# `make test` runs every doctest suite and ends with the line "N passed, N failed".
# Switches: CUDA=0|1 (default: 1 when nvcc is found), MPI=0|1 (default: 1 when mpicxx is found;
# data-parallel training, docs/distributed.md), NATIVE=1 (tune for this CPU),
# DEBUG=1, CUDA_ARCH (list of sm_XX for the fat binary).

BUILD ?= build
BIN   ?= bin
CXX   ?= g++

NVCC_PATH := $(shell command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null)
ifeq ($(NVCC_PATH),)
  CUDA ?= 0
else
  CUDA ?= 1
endif
NVCC ?= $(NVCC_PATH)
CUDA_ARCH ?= 80 90

ifeq ($(NATIVE),1)
  ARCH_FLAGS := -march=native
else
  ARCH_FLAGS := -march=x86-64-v3
endif
ifeq ($(DEBUG),1)
  OPT_FLAGS := -O0 -g
else
  OPT_FLAGS := -O2 -g1
endif
ifeq ($(SANITIZE),1)
  OPT_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  SAN_LDFLAGS := -fsanitize=address,undefined
endif

HDF5_CFLAGS := $(shell pkg-config --cflags hdf5 2>/dev/null || echo -I/usr/include/hdf5/serial)
HDF5_LIBS   := $(shell pkg-config --libs hdf5 2>/dev/null || echo -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5)

CPPFLAGS += -I. $(HDF5_CFLAGS) -MMD -MP
CXXFLAGS += -std=c++17 $(OPT_FLAGS) $(ARCH_FLAGS) -pthread -Wall -Wextra -Wshadow
LDFLAGS  += -pthread $(SAN_LDFLAGS)
# -lmvec: glibc's vector math functions, called by the spline's f32 SIMD kernels.
LDLIBS   += $(HDF5_LIBS) -lfmt -llapack -lmvec

# MPI (Open MPI): its compile and link flags from the mpicxx wrapper; without it the MPI and NCCL
# communicators of engine/dist are left out and train.distributed accepts only "none".
MPICXX_PATH := $(shell command -v mpicxx 2>/dev/null)
ifeq ($(MPICXX_PATH),)
  MPI ?= 0
else
  MPI ?= 1
endif
DIST_MPI_SRCS := engine/dist/mpi_communicator.cpp
DIST_NCCL_SRCS := engine/dist/nccl_communicator.cu
ifeq ($(MPI),1)
  # The C interface only (OMPI_SKIP_MPICXX): the deprecated C++ bindings are not used.
  CPPFLAGS += -DFLOWJET_MPI -DOMPI_SKIP_MPICXX $(shell mpicxx --showme:compile)
  LDLIBS   += $(filter-out -lmpi_cxx,$(shell mpicxx --showme:link))
endif

# tools/common (the programs' whole runs, configuration, progress) is library code too, so that
# embedding programs can call what bin/train, bin/sample and bin/evaluate do (docs/embedding.md).
LIB_DIRS := engine data flows metrics tools/common
LIB_SRCS := $(filter-out $(if $(filter 1,$(MPI)),,$(DIST_MPI_SRCS)),$(shell find $(LIB_DIRS) -name '*.cpp' 2>/dev/null | sort))
CU_SRCS  :=
ifeq ($(CUDA),1)
  CU_SRCS  := $(filter-out $(DIST_NCCL_SRCS),$(shell find $(LIB_DIRS) -name '*.cu' 2>/dev/null | sort))
  CUDA_HOME := $(patsubst %/bin/nvcc,%,$(NVCC))
  CPPFLAGS += -DFLOWJET_CUDA -I$(CUDA_HOME)/include
  LDLIBS   += -L$(CUDA_HOME)/lib64 -lcublas -lcurand -lcudart
  # Pull backend/cuda/runtime.cu (which installs the device hooks) out of the archive into every program.
  LDFLAGS  += -Wl,-u,flowjet_cuda_runtime_anchor
  NVCC_FLAGS := -std=c++17 -O2 -I. -DFLOWJET_CUDA -Xcompiler -Wall,-Wextra,-Wshadow \
                $(foreach a,$(CUDA_ARCH),-gencode arch=compute_$(a),code=sm_$(a)) \
                -gencode arch=compute_$(lastword $(CUDA_ARCH)),code=compute_$(lastword $(CUDA_ARCH))
  # NCCL (the GPU communicator, started over MPI): with MPI=1 when nccl.h is found.
  NCCL_HEADER := $(firstword $(wildcard $(CUDA_HOME)/include/nccl.h /usr/include/nccl.h))
  ifneq ($(and $(filter 1,$(MPI)),$(NCCL_HEADER)),)
    CU_SRCS  += $(DIST_NCCL_SRCS)
    CPPFLAGS += -DFLOWJET_NCCL
    LDLIBS   += -lnccl
  endif
endif
LIB_OBJS := $(LIB_SRCS:%.cpp=$(BUILD)/%.o) $(CU_SRCS:%.cu=$(BUILD)/%.cu.o)
LIB      := $(BUILD)/libflowjet.a

# Programs: every tools/*.cpp is one program (a thin main over the library).
TOOL_SRCS   := $(wildcard tools/*.cpp)
TOOLS       := $(patsubst tools/%.cpp,$(BIN)/%,$(TOOL_SRCS))

# Test suites: tests/<area>/ becomes bin/test_<area>; tests/support is shared.
TEST_AREAS   := $(filter-out support bench golden fixtures fuzz,$(notdir $(shell find tests -mindepth 1 -maxdepth 1 -type d | sort)))
TEST_SUPPORT := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard tests/support/*.cpp)) $(BUILD)/tests/test_main.o
TEST_BINS    := $(patsubst %,$(BIN)/test_%,$(TEST_AREAS))

BENCH_SRCS := $(wildcard tests/bench/*.cpp)
BENCH_BINS := $(patsubst tests/bench/%.cpp,$(BIN)/bench_%,$(BENCH_SRCS))

.SECONDARY:
.PHONY: all test gradcheck bench bench-vs-torch bench-fpnd-vs-jetnet sanitize deps clean install test-python
all: $(LIB) $(TOOLS)

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

# The AVX-512 GEMM kernel alone is compiled for AVX-512; it runs only where cpuid reports it
# (engine/backend/cpu/cpu_isa.cpp), so the programs still run on any x86-64-v3 CPU.
$(BUILD)/engine/backend/cpu/gemm_kernel_avx512.o: CXXFLAGS += -mavx512f
# The same for the spline's AVX-512 kernels (engine/ops/rqs_spline/rqs_spline_cpu.cpp chooses them)
# and the sixteen-lane Philox of the random fills (engine/random/generator.cpp chooses it).
$(BUILD)/engine/ops/rqs_spline/rqs_spline_cpu_avx512.o: CXXFLAGS += -mavx512f
$(BUILD)/engine/random/philox_avx512.o: CXXFLAGS += -mavx512f

$(BUILD)/%.cu.o: %.cu
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCC_FLAGS) -MMD -MP -c $< -o $@

$(BIN)/%: $(BUILD)/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $^ $(LDLIBS) -o $@

.SECONDEXPANSION:
test_objs = $(patsubst %.cpp,$(BUILD)/%.o,$(shell find tests/$(1) -name '*.cpp'))
# The library goes last on the line: objects that a suite adds with its own rule (e.g. the fuzz
# targets of test_reliability) come after it in $^ and would find nothing in the archive.
$(BIN)/test_%: $$(call test_objs,$$*) $(TEST_SUPPORT) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $(filter-out $(LIB),$^) $(LIB) $(LDLIBS) -o $@

$(BIN)/bench_%: $(BUILD)/tests/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $^ $(LDLIBS) $(BENCH_LIBS) -o $@

# Runs every suite; the last line printed is "N passed, N failed" (plus skipped).
test: $(TEST_BINS) $(TOOLS)
	@bash tests/run_suites.sh $(TEST_BINS)

# The Python package (docs/python.md): a venv in $(PYVENV) with Debian's python3 and its packages,
# pytest and jetnet (for the comparisons; they are skipped, saying so, if it cannot be installed),
# then `pip install ./python` (without build isolation, so that the rebuild in $(BUILD)/python is
# incremental; python/requirements-test.txt says why) and python/tests. Not part of `make test`.
PYTHON ?= /usr/bin/python3
PYVENV ?= $(BUILD)/pyvenv
$(PYVENV)/.requirements: python/requirements-test.txt python/requirements-jetnet.txt
	$(PYTHON) -m venv --system-site-packages $(PYVENV)
	$(PYVENV)/bin/pip install -q -r python/requirements-test.txt
	$(PYVENV)/bin/pip install -q --no-deps -r python/requirements-jetnet.txt || echo "test-python: jetnet not installed"
	@touch $@
test-python: $(PYVENV)/.requirements $(BIN)/evaluate $(BIN)/sample $(BIN)/logprob
	$(PYVENV)/bin/pip install -q --no-build-isolation ./python
	$(PYVENV)/bin/python -m pytest -q -rs python/tests

# The gradient-check table: every test case whose name contains "gradcheck".
gradcheck: $(BIN)/test_engine
	@FLOWJET_GRADCHECK_TABLE=1 $(BIN)/test_engine --test-case='*gradcheck*' --no-intro=true

# Benchmarks link OpenBLAS (if present) for comparison only; the library never does.
BENCH_LIBS := $(shell test -e /usr/lib/x86_64-linux-gnu/libopenblas.so && echo -lopenblas)
$(BUILD)/tests/bench/%.o: CPPFLAGS += $(if $(BENCH_LIBS),-DFLOWJET_BENCH_OPENBLAS)
# bench_train's defaults here are small (a minute or two); bench-vs-torch is the full comparison.
BENCH_TRAIN_ARGS ?= configs/light_cnf_mn.ini --batch 1000 --steps 2
bench: $(BENCH_BINS)
	@for b in $(filter-out $(BIN)/bench_train,$(BENCH_BINS)); do echo "== $$b"; $$b || exit 1; done
	@echo "== $(BIN)/bench_train $(BENCH_TRAIN_ARGS)"; $(BIN)/bench_train $(BENCH_TRAIN_ARGS)

# flowjet against PyTorch + nflows on one configuration (docs/performance.md); not part of CI.
bench-vs-torch: $(BIN)/bench_train
	@bash tools/bench_vs_torch.sh $(or $(CONFIG),configs/light_cnf_mn.ini) $(or $(THREADS),1) \
	  $(or $(STEPS),3) $(or $(BATCH),10000) $(or $(WARMUP),1)

# FPND's ParticleNet (bin/bench_fpnd) beside jetnet 0.2.5's PyTorch one (tools/py/bench_jetnet_fpnd.py)
# on the same jets, alternately for 2 rounds, then the medians and jetnet / flowjet time; not part of CI.
FPND_JETS_FILE ?= data/samples/g.h5
FPND_JETS ?= 5000
FPND_THREADS ?= 1
bench-fpnd-vs-jetnet: $(BIN)/bench_fpnd
	@results=$$(mktemp) && run=$$(mktemp) && trap 'rm -f $$results $$run' EXIT && \
	for round in 1 2; do \
	  echo "== round $$round: flowjet" && \
	  $(BIN)/bench_fpnd $(FPND_JETS) $(FPND_THREADS) 32 $(FPND_JETS_FILE) > $$run && cat $$run >> $$results && cat $$run && \
	  echo "== round $$round: jetnet" && \
	  .venv/bin/python tools/py/bench_jetnet_fpnd.py --file $(FPND_JETS_FILE) --jets $(FPND_JETS) \
	    --threads $(FPND_THREADS) --batch 32 > $$run && cat $$run >> $$results && cat $$run || exit 1; \
	done && \
	echo "CPU: $$(lscpu | sed -n 's/^Model name: *//p')" && \
	awk 'function median(list, n,   i, j, t, v) { split(list, v, " "); \
	       for (i = 2; i <= n; ++i) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; --j) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t } \
	       return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 } \
	     /^RESULT/ { split($$2, e, "="); split($$3, w, "="); split($$4, c, "="); \
	       wall[e[2]] = wall[e[2]] " " w[2]; cpu[e[2]] = cpu[e[2]] " " c[2]; ++n[e[2]] } \
	     END { for (k in n) { mw[k] = median(wall[k], n[k]); mc[k] = median(cpu[k], n[k]); \
	             printf "%s: median of %d runs %.2f s wall, %.2f s CPU\n", k, n[k], mw[k], mc[k] } \
	           printf "jetnet / flowjet time: %.2fx by wall time, %.2fx by CPU time\n", \
	             mw["jetnet"] / mw["flowjet"], mc["jetnet"] / mc["flowjet"] }' $$results

# The whole test suite under AddressSanitizer and UndefinedBehaviorSanitizer (CPU build).
sanitize:
	$(MAKE) SANITIZE=1 CUDA=0 BUILD=build/sanitize BIN=build/sanitize/bin test

deps:
	@bash tools/install_deps.sh

# Installs the library, its headers and flowjet.pc (docs/embedding.md); the compile and link
# flags that users of the static library need travel into flowjet.pc.
PREFIX ?= /usr/local
INSTALL_CFLAGS := $(filter-out -I. -MMD -MP,$(CPPFLAGS))
install: $(LIB)
	@bash tools/install.sh "$(PREFIX)" "$(LIB)" "$(strip $(INSTALL_CFLAGS))" "$(strip $(LDFLAGS))" "$(strip $(LDLIBS))"

clean:
	rm -rf build bin

-include tools/py/data.mk
-include tools/py/search.mk
include tests/fuzz/fuzz.mk
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
