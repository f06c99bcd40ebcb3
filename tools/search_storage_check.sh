#!/usr/bin/env bash
# The shared part of tools/search_postgres_check.sh and tools/search_mysql_check.sh (docs/search.md):
# two tools/py/search.py workers on configs/search/quick.yaml sharing one study at the SQLAlchemy URL
# at the same time, then checks that the study holds every trial of both, with distinct trial
# numbers, distinct run directories and distinct parameters, and that no trial failed or was left
# running. The caller starts the database server and removes WORKDIR.
#
# Usage: tools/search_storage_check.sh NAME URL TRIALS_PER_WORKER WORKDIR
#   NAME labels the messages (search_NAME_check) and the study (NAME_check).
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# = 4 ] || { echo "usage: $0 NAME URL TRIALS_PER_WORKER WORKDIR" >&2; exit 2; }
name=$1 url=$2 trials=$3 work=$4
label="search_${name}_check"
python=${SEARCH_ENV:-build/search-env}/bin/python

start=$(date +%s)
pids=()
for worker in 1 2; do
  "$python" tools/py/search.py configs/search/quick.yaml --trials "$trials" --storage "$url" --study "${name}_check" \
    --runs "$work/runs" >"$work/worker$worker.log" 2>&1 &
  pids+=($!)
done
status=0
for worker in 1 2; do
  wait "${pids[$((worker - 1))]}" || { status=$?; echo "worker $worker exited with $status:"; cat "$work/worker$worker.log"; }
done
seconds=$(($(date +%s) - start))
[ "$status" = 0 ] || { echo "$label: a worker failed" >&2; exit 1; }
retries=$(cat "$work"/worker*.log | grep -c "retrying" || true)
echo "$label: both workers done in $seconds s; $retries retry(ies) while the first created the tables"
grep -h "retrying" "$work"/worker*.log | sed "s/^/$label: /" || true

"$python" - "$label" "${name}_check" "$url" "$trials" "$seconds" <<'EOF'
import collections, os, sys
import optuna
label, study_name, url, trials, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
study = optuna.load_study(study_name=study_name, storage=url)
ts = study.trials
problems = []
numbers = sorted(t.number for t in ts)
if numbers != list(range(2 * trials)):
    problems.append(f"trial numbers {numbers}, expected 0..{2 * trials - 1}")
states = collections.Counter(t.state.name for t in ts)
if set(states) - {"COMPLETE", "PRUNED"}:
    problems.append(f"trial states {dict(states)}")
workers = collections.Counter(t.user_attrs.get("worker") for t in ts)
if len(workers) != 2 or set(workers.values()) != {trials}:
    problems.append(f"trials per worker {dict(workers)}, expected {trials} for each of 2")
run_dirs = [t.user_attrs.get("run_dir") for t in ts]
if len(set(run_dirs)) != len(ts) or not all(os.path.isfile(os.path.join(d, "train_log.csv")) for d in run_dirs):
    problems.append(f"run directories {run_dirs}")
if len({tuple(sorted(t.params.items())) for t in ts}) != len(ts):
    problems.append("two trials drew the same parameters")
if problems:
    sys.exit(f"{label}: FAILED: " + "; ".join(problems))
best = study.best_trial
print(f"{label}: OK: {len(ts)} trials ({dict(states)}) from 2 concurrent workers "
      f"({trials} each), numbers 0..{len(ts) - 1} distinct, distinct run directories and parameters, "
      f"best nll {best.value:.5g} (trial {best.number}); {seconds} s")
EOF
