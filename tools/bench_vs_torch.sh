#!/usr/bin/env bash
# Side-by-side benchmark of flowjet (bin/bench_train) and PyTorch + nflows (tools/py/bench_nflows.py)
# on one configuration: the two run alternately for ROUNDS rounds, then a table compares them.
#   tools/bench_vs_torch.sh CONFIG [THREADS] [STEPS] [BATCH] [WARMUP]   (make bench-vs-torch)
# Run from the repository root after building bin/bench_train. Sets up .venv (system packages plus
# tools/py/requirements-bench.txt) when it is missing. docs/performance.md explains the numbers.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: tools/bench_vs_torch.sh CONFIG [THREADS] [STEPS] [BATCH] [WARMUP]" >&2
  exit 2
fi
config=$1 threads=${2:-1} steps=${3:-3} batch=${4:-10000} warmup=${5:-1}
rounds=${ROUNDS:-2}
venv=.venv
if [[ ! -f $config ]]; then
  echo "tools/bench_vs_torch.sh: error: configuration file \"$config\" not found" >&2
  exit 2
fi

if ! "$venv/bin/python" -c 'import nflows' 2>/dev/null; then
  echo "setting up $venv (system torch + tools/py/requirements-bench.txt)"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install --quiet --no-deps -r tools/py/requirements-bench.txt
fi

flags=(--threads "$threads" --steps "$steps" --batch "$batch" --warmup "$warmup")
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for round in $(seq "$rounds"); do
  for engine in flowjet pytorch; do
    echo "== round $round: $engine"
    if [[ $engine == flowjet ]]; then
      FLOWJET_THREADS=$threads bin/bench_train "$config" "${flags[@]}" | tee -a "$results"
    else
      "$venv/bin/python" tools/py/bench_nflows.py "$config" "${flags[@]}" | tee -a "$results"
    fi
  done
done

# Per engine and measurement: the lowest of the rounds' medians, wall and CPU time each (the round
# least disturbed by other load); peak RSS: the highest of the rounds.
echo
awk -v config="$config" -v threads="$threads" -v batch="$batch" -v rounds="$rounds" '
  /^cpu: / && !cpu { cpu = substr($0, 6) }
  /^RESULT / {
    engine = ""
    for (i = 2; i <= NF; ++i) { split($i, kv, "="); if (kv[1] == "engine") engine = kv[2] }
    for (i = 2; i <= NF; ++i) {
      split($i, kv, "="); key = engine SUBSEP kv[1]
      if (kv[1] == "peak_rss_mb") { if (!(key in v) || kv[2] + 0 > v[key] + 0) v[key] = kv[2] }
      else if (!(key in v) || kv[2] + 0 < v[key] + 0) v[key] = kv[2]
    }
  }
  function row(name, key,   t, f) {
    if (!(("pytorch" SUBSEP key "_ms") in v) || !(("flowjet" SUBSEP key "_ms") in v)) return
    t = v["pytorch", key "_ms"]; f = v["flowjet", key "_ms"]
    printf "| %s | %.1f ms (%.0f jets/s) | %.1f ms (%.0f jets/s) | %.2f (%.2fx) | %.2f |\n", name, t, batch * 1000 / t,
           f, batch * 1000 / f, f / t, t / f, v["flowjet", key "_cpu_ms"] / v["pytorch", key "_cpu_ms"]
  }
  END {
    printf "%s, %s thread(s), batch %s, best round of %s (median of each run)\n\n", config, threads, batch, rounds
    printf "CPU: %s\n\n", cpu
    print "| work | PyTorch + nflows | flowjet | flowjet/PyTorch time (speed-up) | flowjet/PyTorch CPU time |"
    print "|---|---|---|---|---|"
    row("training step", "train_step")
    row("training step without the mass pass", "train_step_cnf")
    row("sampling", "sample")
    row("log_prob", "logprob")
    t = v["pytorch", "peak_rss_mb"]; f = v["flowjet", "peak_rss_mb"]
    printf "| peak RSS | %d MiB | %d MiB | %.2f | |\n", t, f, f / t
  }' "$results"
