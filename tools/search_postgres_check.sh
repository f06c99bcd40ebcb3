#!/usr/bin/env bash
# Two tools/py/search.py workers sharing one study in PostgreSQL (docs/search.md, "PostgreSQL").
# Starts a throwaway PostgreSQL cluster in a temporary directory (Unix socket only, no TCP port),
# runs two workers on configs/search/quick.yaml against it at the same time, and checks that the
# study holds every trial of both, with distinct trial numbers, distinct run directories and
# distinct parameters, and that no trial failed or was left running. Removes the cluster after.
#
# Installs nothing. Needs Debian's postgresql and python3-psycopg2
# (apt-get install postgresql python3-psycopg2), `make search-deps` and bin/train.
# As root the cluster runs as the user postgres (initdb refuses root).
#
# Usage: tools/search_postgres_check.sh [TRIALS_PER_WORKER]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."

trials=${1:-3}
python=${SEARCH_ENV:-build/search-env}/bin/python
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fail() { echo "search_postgres_check: $*" >&2; exit 1; }
[ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || fail "PostgreSQL not found in /usr/lib/postgresql (apt-get install postgresql)"
[ -x "$python" ] || fail "$python missing (make search-deps)"
"$python" -c "import psycopg2" 2>/dev/null || fail "psycopg2 missing (apt-get install python3-psycopg2)"
[ -x bin/train ] || fail "bin/train missing (make bin/train)"

tmp=$(mktemp -d)
if [ "$(id -u)" = 0 ]; then
  chown postgres "$tmp"
  as_db_owner=(runuser -u postgres --)
  db_user=postgres
else
  as_db_owner=()
  db_user=$(id -un)
fi
cleanup() {
  "${as_db_owner[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"${as_db_owner[@]}" "$pgbin/initdb" -D "$tmp/data" -A trust -U "$db_user" >"$tmp/initdb.log" 2>&1 ||
  fail "initdb failed: $(tail -n 1 "$tmp/initdb.log")"
"${as_db_owner[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/data/server.log" -w \
  -o "-c listen_addresses='' -k $tmp -p 5432" start >/dev/null ||
  fail "the server did not start: $(tail -n 1 "$tmp/data/server.log")"
"${as_db_owner[@]}" "$pgbin/createdb" -h "$tmp" -p 5432 -U "$db_user" flowjet_search
url="postgresql+psycopg2://$db_user@/flowjet_search?host=$tmp&port=5432"
echo "search_postgres_check: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') in $tmp; 2 workers x $trials trials"

start=$(date +%s)
pids=()
for worker in 1 2; do
  "$python" tools/py/search.py configs/search/quick.yaml --trials "$trials" --storage "$url" --study pg_check \
    --runs "$tmp/runs" >"$tmp/worker$worker.log" 2>&1 &
  pids+=($!)
done
status=0
for worker in 1 2; do
  wait "${pids[$((worker - 1))]}" || { status=$?; echo "worker $worker exited with $status:"; cat "$tmp/worker$worker.log"; }
done
seconds=$(($(date +%s) - start))
[ "$status" = 0 ] || fail "a worker failed"
retries=$(cat "$tmp"/worker*.log | grep -c "retrying" || true)
echo "search_postgres_check: both workers done in $seconds s; $retries retry(ies) while the first created the tables"

"$python" - "$url" "$trials" "$tmp/runs" "$seconds" <<'EOF'
import collections, os, sys
import optuna
url, trials, runs, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
study = optuna.load_study(study_name="pg_check", storage=url)
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
    sys.exit("search_postgres_check: FAILED: " + "; ".join(problems))
best = study.best_trial
print(f"search_postgres_check: OK: {len(ts)} trials ({dict(states)}) from 2 concurrent workers "
      f"({trials} each), numbers 0..{len(ts) - 1} distinct, distinct run directories and parameters, "
      f"best nll {best.value:.5g} (trial {best.number}); {seconds} s")
EOF
