#!/usr/bin/env bash
# tools/reproduce.sh: trains and scores the rows of the talk's results table (docs/reproduce.md).
#
#   tools/reproduce.sh [--budget cpu|talk] [--rows ROWS] [--jets N] [--max-steps S] [--threads T]
#                      [--out DIR] [--runs DIR]
#
# For each row (<jet>_<kind>, e.g. light_cnf_mn; default: all 15) it trains configs/cpu/<row>.ini
# (or the talk's configs/<row>.ini with --budget talk) on the JetNet-sized stand-in jets, generates
# as many jets as the test split, scores them with the talk's metrics and FPND against the held-out
# test jets, and copies the results to DIR/<row>/ (default DIR: results). A row whose results exist
# is skipped; an interrupted row is resumed from its run directory (--runs, default
# runs/reproduce/<budget>/<row>). --jets N up to 20000 uses the first N jets of the committed
# samples data/samples/<type>.h5 (a quick try-out); more makes the stand-in data (make data JETS=N).
# --threads T trains with T CPU threads instead of the configuration's train.threads (recorded in
# run.json; the training time in the table then says so). The first row of each jet type also
# scores the truth floor (two real samples of the test split's size). At the end DIR/table.md and
# DIR/index.html are rebuilt from every row present.
set -euo pipefail

budget=cpu
rows="gluon_vnf gluon_cnf_m gluon_cnf_mn gluon_ccnf_m gluon_ccnf_mn light_vnf light_cnf_m light_cnf_mn light_ccnf_m light_ccnf_mn top_vnf top_cnf_m top_cnf_mn top_ccnf_m top_ccnf_mn"
jets=170000
max_steps=""
threads=""
out=results
runs=""
committed_jets=20000  # jets per type in data/samples/<type>.h5

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit "$1"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --budget) budget="${2:?--budget needs cpu or talk}"; shift 2 ;;
    --rows) rows="$(echo "${2:?--rows needs a comma-separated list}" | tr ',' ' ')"; shift 2 ;;
    --jets) jets="${2:?--jets needs a number}"; shift 2 ;;
    --max-steps) max_steps="${2:?--max-steps needs a number}"; shift 2 ;;
    --threads) threads="${2:?--threads needs a number}"; shift 2 ;;
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a directory}"; shift 2 ;;
    -h | --help) usage 0 ;;
    *) echo "tools/reproduce.sh: unknown argument '$1'" >&2; usage 2 ;;
  esac
done

case "$budget" in
  cpu) config_dir=configs/cpu ;;
  talk) config_dir=configs ;;
  *) echo "tools/reproduce.sh: --budget must be cpu or talk, not '$budget'" >&2; exit 2 ;;
esac
case "$jets" in
  '' | *[!0-9]*) echo "tools/reproduce.sh: --jets must be a positive integer, not '$jets'" >&2; exit 2 ;;
esac
case "$threads" in
  '' | [1-9] | [1-9][0-9]) ;;
  *) echo "tools/reproduce.sh: --threads must be an integer from 1 to 99, not '$threads'" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."
for row in $rows; do
  [ -f "$config_dir/$row.ini" ] || { echo "tools/reproduce.sh: no configuration $config_dir/$row.ini for row '$row'" >&2; exit 2; }
done
[ -x bin/train ] || make -j"$(nproc)" bin/train

# The jet type (g, q, t) of a row name.
jet_type_of() {
  case "$1" in
    gluon_*) echo g ;;
    light_*) echo q ;;
    top_*) echo t ;;
  esac
}

runs="${runs:-runs/reproduce/$budget}"

data_file() {
  if [ "$jets" -le "$committed_jets" ]; then echo "data/samples/$1.h5"; else echo "data/generated/$1.h5"; fi
}

# Records the content checksums (tools/py/jets_checksum.py: the SHA-256 of the jets, which does not
# change when the same jets are written again, unlike the file's bytes) of the data files present
# in directory $1 into $out/data_checksums.txt. The line of a type whose file is absent is kept, so
# a run for one jet type does not erase what was recorded for the others.
record_checksums() {
  local dir="$1" type line list="$out/data_checksums.txt" merged python=build/pyenv/bin/python
  [ -x "$python" ] || python=/usr/bin/python3  # the data venv (make data-deps), else Debian's (python3-h5py)
  merged="$(mktemp)"
  echo "# SHA-256 of each file's jets (tools/py/jets_checksum.py); '(file sha256sum)': of the file's bytes" > "$merged"
  for type in g q t; do
    if [ -f "$dir/$type.h5" ]; then
      line="$("$python" tools/py/jets_checksum.py "$dir/$type.h5")" || { rm -f "$merged"; return 1; }
      echo "${line%% *}  $type.h5" >> "$merged"
    elif [ -f "$list" ]; then
      grep -E "^[0-9a-f]+  $type\.h5( |\$)" "$list" >> "$merged" || true
    fi
  done
  mv "$merged" "$list"
}

# Makes the stand-in data when a needed file is missing (make data skips complete types and
# resumes from saved shards), then records the checksums.
ensure_data() {
  local missing=0 row
  mkdir -p "$out"
  if [ "$jets" -le "$committed_jets" ]; then
    record_checksums data/samples
    return 0
  fi
  for row in $rows; do
    [ -f "$(data_file "$(jet_type_of "$row")")" ] || missing=1
  done
  if [ "$missing" = 1 ]; then
    echo "== making the stand-in data: make data JETS=$jets"
    make data JETS="$jets"
  fi
  record_checksums data/generated
}

cpu_model() { lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1; }

# Trains (or resumes) one row and copies its results.
run_row() {
  local row="$1" type run_dir result started ended commit trained_threads overrides=()
  type="$(jet_type_of "$row")"
  run_dir="$runs/$row"
  result="$out/$row"
  if [ -f "$result/evaluation.json" ]; then
    echo "== $row: results exist in $result, skipped"
    return 0
  fi
  overrides=("data.path=$(data_file "$type")" "eval.report=true")
  [ -n "$max_steps" ] && overrides+=("train.max_steps=$max_steps")
  [ -n "$threads" ] && overrides+=("train.threads=$threads")
  [ "$jets" -le "$committed_jets" ] && overrides+=("data.max_jets=$jets")
  [ -f "$out/truth_floor_$type.json" ] || overrides+=("eval.truth_floor=true")
  started=$(date +%s)
  commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)  # the code that trains the row
  if [ -f "$run_dir/final.h5" ] && [ -f "$run_dir/evaluation.json" ]; then
    echo "== $row: $run_dir is trained and scored already"
  elif [ -f "$run_dir/checkpoints/last.h5" ]; then
    echo "== $row: resuming $run_dir"
    bin/train --resume "$run_dir"
  else
    echo "== $row: training $config_dir/$row.ini into $run_dir"
    rm -rf "$run_dir"  # a run that died before its first checkpoint
    bin/train "$config_dir/$row.ini" "${overrides[@]}" "output.dir=$run_dir"
  fi
  ended=$(date +%s)
  mkdir -p "$result.tmp"
  cp "$run_dir/evaluation.json" "$run_dir/train_log.csv" "$run_dir/config.ini" "$result.tmp/"
  [ -f "$run_dir/report.html" ] && cp "$run_dir/report.html" "$result.tmp/"
  if [ -f "$run_dir/truth_floor.json" ] && [ ! -f "$out/truth_floor_$type.json" ]; then
    cp "$run_dir/truth_floor.json" "$out/truth_floor_$type.json"
  fi
  trained_threads="$(sed -n 's/^threads *= *//p' "$run_dir/config.ini" | head -n 1)"  # train.threads of the run
  cat > "$result.tmp/run.json" <<EOF
{
  "row": "$row",
  "budget": "$budget",
  "commit": "$commit",
  "command": "tools/reproduce.sh --budget $budget --rows $row --jets $jets${max_steps:+ --max-steps $max_steps}${threads:+ --threads $threads}",
  "data": "$(data_file "$type")",
  "cpu_model": "$(cpu_model)",
  "cores": $(nproc --all),
  "threads": ${trained_threads:-null},
  "finished": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "session_wall_seconds": $((ended - started))
}
EOF
  rm -rf "$result"
  mv "$result.tmp" "$result"
  echo "== $row: results in $result"
}

ensure_data
for row in $rows; do
  run_row "$row"
done
python3 tools/py/results_table.py "$out"
