#!/usr/bin/env bash
# Two tools/py/search.py workers sharing one study in PostgreSQL (docs/search.md, "The PostgreSQL
# and MySQL checks"). Starts a throwaway PostgreSQL cluster in a temporary directory (Unix socket
# only, no TCP port), then runs tools/search_storage_check.sh against it: two workers on
# configs/search/quick.yaml at the same time, and the checks of the study. Removes the cluster after.
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

tools/search_storage_check.sh postgres "$url" "$trials" "$tmp"
