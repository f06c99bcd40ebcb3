#!/usr/bin/env bash
# Runs each doctest suite given on the command line, then prints one summary line
# summing the test cases of all suites: "N passed, N failed, N skipped". A suite that runs past
# SUITE_TIMEOUT seconds (a hang) is stopped and counted as one failure, so CI reports it.
set -u
SUITE_TIMEOUT=${SUITE_TIMEOUT:-1200}
passed=0; failed=0; skipped=0; status=0
for suite in "$@"; do
  echo "== $suite"
  log=$(mktemp)
  timeout -k 10 "$SUITE_TIMEOUT" "$suite" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 124 ] && echo "$suite: stopped after $SUITE_TIMEOUT s (a hang?)"
  line=$(grep -E '^\[doctest\] test cases:' "$log" | tail -n 1)
  rm -f "$log"
  if [ -z "$line" ]; then
    echo "$suite: no doctest summary (exit code $rc); counted as one failure"
    failed=$((failed + 1)); status=1; continue
  fi
  p=$(sed -E 's/.*\| *([0-9]+) passed.*/\1/' <<<"$line")
  f=$(sed -E 's/.*\| *([0-9]+) failed.*/\1/' <<<"$line")
  s=$(sed -E 's/.*\| *([0-9]+) skipped.*/\1/' <<<"$line")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && { echo "$suite exited with $rc"; failed=$((failed + 1)); }
  [ "$rc" -ne 0 ] && status=1
done
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
