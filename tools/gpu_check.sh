#!/usr/bin/env bash
# GPU check: builds flowjet for sm_90 only, runs the CPU-vs-CUDA parity cases (and the engine suite),
# a short bin/train run with train.device = cuda and bin/sample --device cuda on its model, the GPU
# bench (GEMM TFLOP/s, spline throughput, training step and sampling jets/s at batch 10,000), then
# whatever time is left of the budget on `make bench`, and writes a summary. Fits in 8 minutes on an H200.
# Usage: tools/gpu_check.sh [output-dir]   (default build/gpu_check; $OUT when set)
set -uo pipefail
cd "$(dirname "$0")/.."

OUT_DIR="${1:-${OUT:-build/gpu_check}}"
BUDGET_S="${GPU_CHECK_BUDGET_S:-460}"   # stop starting new work after this many seconds
JOBS="$(nproc 2>/dev/null || echo 4)"
BUILD_DIR=build/sm90
BIN_DIR=build/sm90/bin
mkdir -p "$OUT_DIR"
SUMMARY="$OUT_DIR/summary.txt"
: > "$SUMMARY"
status=0

say() { echo "$*" | tee -a "$SUMMARY"; }
left() { echo $((BUDGET_S - SECONDS)); }
# Runs a step with a time limit, logging to $OUT_DIR/<name>.log; records its status and duration.
step() {
  local name="$1" limit="$2"; shift 2
  if [ "$limit" -le 5 ]; then say "SKIP  $name: no time left in the ${BUDGET_S}s budget"; return 1; fi
  local start=$SECONDS
  timeout "$limit" "$@" > "$OUT_DIR/$name.log" 2>&1
  local rc=$?
  local took=$((SECONDS - start))
  if [ $rc -eq 0 ]; then say "OK    $name (${took}s)"; else say "FAIL  $name (exit $rc after ${took}s, see $name.log)"; status=1; fi
  return $rc
}

say "flowjet GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader | sed 's/^/GPU   /' | tee -a "$SUMMARY"
else
  say "GPU   nvidia-smi not found"
fi

# 1. Build (sm_90 only, all cores).
step build "$(left)" make -j"$JOBS" CUDA=1 CUDA_ARCH=90 BUILD="$BUILD_DIR" BIN="$BIN_DIR" \
  "$BIN_DIR/test_cuda" "$BIN_DIR/test_engine" "$BIN_DIR/test_flows" "$BIN_DIR/test_train" "$BIN_DIR/bench_cuda" "$BIN_DIR/train" "$BIN_DIR/sample" || { say "build failed: nothing else runs"; exit 1; }

# 2. Parity tests, the cuda/* cases of the suites that hold them (beside each op's tests): they must run,
#    not be skipped.
step parity "$(left)" bash -c 'rc=0; for s in cuda engine flows train; do "$0/test_$s" --test-case="cuda/*" || rc=1; done
  exit $rc' "$BIN_DIR"
grep -E '^\[doctest\] test cases:' "$OUT_DIR/parity.log" | sed 's/^/      parity: /' | tee -a "$SUMMARY"
if grep -q "CUDA parity tests skipped" "$OUT_DIR/parity.log"; then
  say "FAIL  parity tests were skipped: $(grep 'CUDA parity tests skipped' "$OUT_DIR/parity.log")"
  status=1
fi
grep -E 'ERROR|differ' "$OUT_DIR/parity.log" | head -20 | sed 's/^/      /' | tee -a "$SUMMARY"

# 3. The CPU engine suite in the CUDA build (dispatch must not have changed the CPU results); its parity
#    cases ran in step 2.
step engine_tests "$(left)" "$BIN_DIR/test_engine" --test-case-exclude="cuda/*"
grep -E '^\[doctest\] test cases:' "$OUT_DIR/engine_tests.log" | sed 's/^/      engine: /' | tee -a "$SUMMARY"

# 4. Training on the GPU: configs/quick.ini for 50 steps with train.device = cuda (validation, checkpoints,
#    generation and W1M/W1P at the end), then bin/sample --device cuda from its final model. At most 150 s.
cap() { local l; l=$(left); echo $((l < $1 ? l : $1)); }
TRAIN_DIR="$OUT_DIR/train_cuda"
rm -rf "$TRAIN_DIR"
step train_cuda "$(cap 120)" "$BIN_DIR/train" configs/quick.ini train.device=cuda train.max_steps=50 data.max_jets=5000 \
  eval.validate_every=25 output.log_every=10 output.checkpoint_every=25 output.dir="$TRAIN_DIR"
grep -E '^(configuration|trained)' "$OUT_DIR/train_cuda.log" | sed 's/^/      /' | tee -a "$SUMMARY"
step sample_cuda "$(cap 30)" "$BIN_DIR/sample" "$TRAIN_DIR/final.h5" -n 10000 -o "$TRAIN_DIR/sampled.h5" --device cuda
grep -E 'sample: wrote' "$OUT_DIR/sample_cuda.log" | sed 's/^/      /' | tee -a "$SUMMARY"

# 5. GPU bench columns.
step bench_cuda "$(left)" "$BIN_DIR/bench_cuda"
sed 's/^/      /' "$OUT_DIR/bench_cuda.log" >> "$SUMMARY"

# 6. The rest of `make bench` (CPU benches for comparison), only with the time that is left.
remaining=$(left)
if [ "$remaining" -gt 60 ]; then
  step make_bench "$remaining" make -j"$JOBS" CUDA=1 CUDA_ARCH=90 BUILD="$BUILD_DIR" BIN="$BIN_DIR" bench
else
  say "SKIP  make_bench: ${remaining}s left of the ${BUDGET_S}s budget"
fi

say "total ${SECONDS}s; $([ $status -eq 0 ] && echo PASSED || echo FAILED)"
exit $status
