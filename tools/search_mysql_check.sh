#!/usr/bin/env bash
# Two tools/py/search.py workers sharing one study in MySQL/MariaDB (docs/search.md, "The PostgreSQL
# and MySQL checks"). Starts a throwaway MariaDB server in a temporary directory (Unix socket only,
# --skip-networking), creates a database and a user with a password, then runs
# tools/search_storage_check.sh against mysql+pymysql://: two workers on configs/search/quick.yaml
# at the same time, and the checks of the study. Stops the server and removes the directory after.
#
# Installs nothing. Needs Debian's MariaDB (apt-get install mariadb-server; the server need not be
# running), `make search-deps` (which installs the PyMySQL driver) and bin/train. As root the server
# runs as the user mysql.
#
# Usage: tools/search_mysql_check.sh [TRIALS_PER_WORKER]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."

trials=${1:-3}
python=${SEARCH_ENV:-build/search-env}/bin/python
fail() { echo "search_mysql_check: $*" >&2; exit 1; }
server=$(command -v mariadbd || ls /usr/sbin/mariadbd 2>/dev/null || true)
[ -n "$server" ] && command -v mariadb-install-db >/dev/null ||
  fail "MariaDB not found (apt-get install mariadb-server)"
[ -x "$python" ] || fail "$python missing (make search-deps)"
"$python" -c "import pymysql" 2>/dev/null || fail "PyMySQL missing from $python (make search-deps)"
[ -x bin/train ] || fail "bin/train missing (make bin/train)"

tmp=$(mktemp -d)
chmod 755 "$tmp"
db_os_user=$(id -un)
[ "$(id -u)" = 0 ] && db_os_user=mysql
socket=$tmp/mysqld.sock
cleanup() {
  if [ -f "$tmp/mysqld.pid" ]; then
    kill "$(cat "$tmp/mysqld.pid")" 2>/dev/null || true
    for _ in $(seq 50); do [ -f "$tmp/mysqld.pid" ] || break; sleep 0.2; done
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir "$tmp/data"
chown "$db_os_user" "$tmp" "$tmp/data"
mariadb-install-db --no-defaults --datadir="$tmp/data" --user="$db_os_user" --auth-root-authentication-method=normal \
  >"$tmp/install.log" 2>&1 || fail "mariadb-install-db failed: $(tail -n 1 "$tmp/install.log")"
"$server" --no-defaults --datadir="$tmp/data" --user="$db_os_user" --socket="$socket" --skip-networking \
  --pid-file="$tmp/mysqld.pid" --log-error="$tmp/server.log" >"$tmp/server.out" 2>&1 &
for _ in $(seq 100); do
  mariadb-admin --no-defaults --socket="$socket" -u root ping >/dev/null 2>&1 && break
  sleep 0.2
done
mariadb-admin --no-defaults --socket="$socket" -u root ping >/dev/null 2>&1 ||
  fail "the server did not start: $(tail -n 1 "$tmp/server.log")"
mariadb --no-defaults --socket="$socket" -u root <<'SQL'
CREATE DATABASE flowjet_search;
CREATE USER 'flowjet'@'localhost' IDENTIFIED BY 'check-password';
GRANT ALL PRIVILEGES ON flowjet_search.* TO 'flowjet'@'localhost';
SQL
url="mysql+pymysql://flowjet:check-password@localhost/flowjet_search?unix_socket=$socket"
echo "search_mysql_check: MariaDB $("$server" --version | awk '{print $3}') in $tmp; PyMySQL" \
  "$("$python" -c 'import importlib.metadata as m; print(m.version("PyMySQL"))'); 2 workers x $trials trials"

tools/search_storage_check.sh mysql "$url" "$trials" "$tmp"
