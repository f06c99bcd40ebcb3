# libFuzzer targets of four readers (docs/fuzzing.md), built with clang and ASan + UBSan into
# build/fuzz/ (separate from the gcc build) and bin/fuzz_<target>. `make fuzz FUZZ_SECONDS=60`
# builds them and runs each for FUZZ_SECONDS on its corpus tests/fuzz/corpus/<target>/ (new
# inputs go to build/fuzz/corpus/<target>/, crash inputs to build/fuzz/findings/<target>/).
# Not part of CI; `make test` replays the corpus and tests/fuzz/regressions/ through the same
# target functions (bin/test_reliability).
FUZZ_CXX     ?= clang++
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= pt_reader ini_config jetnet_reader checkpoint_reader
FUZZ_BINS    := $(patsubst %,$(BIN)/fuzz_%,$(FUZZ_TARGETS))
# No FLOWJET_CUDA: the fuzzed readers are host code.
FUZZ_CPPFLAGS := -I. $(HDF5_CFLAGS) -MMD -MP
FUZZ_CXXFLAGS := -std=c++17 -O1 -g -fno-omit-frame-pointer -march=x86-64-v3 -pthread \
                 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_LIB     := $(FUZZ_BUILD)/libflowjet.a
FUZZ_SHARED  := $(patsubst %.cpp,$(FUZZ_BUILD)/%.o,tests/fuzz/targets.cpp tests/support/temp_dir.cpp)

# Without the MPI communicator too: the fuzz build has no MPI flags (and needs none).
$(FUZZ_LIB): $(patsubst %.cpp,$(FUZZ_BUILD)/%.o,$(filter-out $(DIST_MPI_SRCS),$(LIB_SRCS)))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CPPFLAGS) $(FUZZ_CXXFLAGS) -c $< -o $@
$(FUZZ_BUILD)/engine/backend/cpu/gemm_kernel_avx512.o: FUZZ_CXXFLAGS += -mavx512f
$(FUZZ_BUILD)/engine/ops/rqs_spline/rqs_spline_cpu_avx512.o: FUZZ_CXXFLAGS += -mavx512f

$(BIN)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_SHARED) $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) -fsanitize=fuzzer,address,undefined -pthread $^ $(LDLIBS_NO_CUDA) -o $@

# The libraries without the CUDA ones (the fuzz build has no device code).
LDLIBS_NO_CUDA = $(HDF5_LIBS) -lfmt -llapack -lmvec

# The log of each run is build/fuzz/<target>.log; its last status line is printed.
# Fork mode keeps fuzzing after a finding (libhdf5 has crashes of its own on damaged files,
# docs/fuzzing.md); each finding is saved and listed at the end, and then `make fuzz` fails.
FUZZ_OPTIONS ?= -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -rss_limit_mb=4096 -timeout=10
.PHONY: fuzz fuzz-build fuzz-seeds
fuzz-build: $(FUZZ_BINS)
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/findings/$$t && \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s" && \
	  ASAN_OPTIONS=detect_leaks=0 $(BIN)/fuzz_$$t $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t \
	    -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ_BUILD)/findings/$$t/ $(FUZZ_OPTIONS) \
	    > $(FUZZ_BUILD)/$$t.log 2>&1; \
	  grep -E '^#[0-9]+' $(FUZZ_BUILD)/$$t.log | tail -n 1; \
	done; \
	findings=$$(find $(FUZZ_BUILD)/findings -type f | sort); \
	if [ -n "$$findings" ]; then echo "findings (docs/fuzzing.md, Triage):"; echo "$$findings"; exit 1; fi

# The binary seeds (a tiny JetNet file, tiny checkpoints) are committed; this rewrites them.
$(BIN)/make_fuzz_seeds: $(BUILD)/tests/fuzz/make_seeds.o $(BUILD)/tests/support/jet_model_fixture.o \
                        $(BUILD)/tests/support/flow_specs.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $^ $(LDLIBS) -o $@
fuzz-seeds: $(BIN)/make_fuzz_seeds
	$(BIN)/make_fuzz_seeds tests/fuzz/corpus

# The replay test of bin/test_reliability runs the target functions.
$(BIN)/test_reliability: $(BUILD)/tests/fuzz/targets.o

