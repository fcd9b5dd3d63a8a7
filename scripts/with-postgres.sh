#!/usr/bin/env bash
# Runs a command with a private PostgreSQL server for the server's tests, and tells the
# tests where it is (GATEWATCH_TEST_POSTGRES). Uses Debian's PostgreSQL
# (scripts/ensure-test-tools.sh installs it): a throwaway cluster made once under
# $GATEWATCH_TEST_PG_DIR, listening on 127.0.0.1 only, with a made-up password. The
# server is started if it is not running and stopped again afterwards if this script
# started it. Test databases left by an interrupted run are dropped first. Runs on one
# machine take turns (a lock): one run's clean-up must not drop another's databases.
#
#   scripts/with-postgres.sh cargo test -p gatewatch-server --test '*'
set -euo pipefail
say() { printf '==> %s\n' "$*"; }

PORT=${GATEWATCH_TEST_PG_PORT:-55432}
BASE=${GATEWATCH_TEST_PG_DIR:-${TMPDIR:-/tmp}/gatewatch-test-pg}
DATA=$BASE/data
PASSWORD_FILE=$BASE/password
USER_NAME=gatewatch

umask 077
LOCK=${TMPDIR:-/tmp}/gatewatch-test-pg.lock
exec 9> "$LOCK"
if ! flock -n 9; then
  say "another test run is using the PostgreSQL test cluster: waiting for it"
  flock 9
fi

BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "PostgreSQL is not installed: run scripts/ensure-test-tools.sh (apt-get install postgresql)" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres`
# user the Debian package made.
if [ "$(id -u)" = 0 ]; then
  as_owner() { runuser -u postgres -- "$@"; }
else
  as_owner() { "$@"; }
fi

# A cluster made by another major version (the machine was upgraded) cannot be started
# by this one: it held only test databases, so it is made again.
MAJOR=$(basename "$(dirname "$BIN")")
if [ -s "$DATA/PG_VERSION" ] && [ "$(cat "$DATA/PG_VERSION")" != "$MAJOR" ]; then
  say "the test cluster is PostgreSQL $(cat "$DATA/PG_VERSION"), this is $MAJOR: making it again"
  as_owner "$(dirname "$BIN")/../$(cat "$DATA/PG_VERSION")/bin/pg_ctl" -D "$DATA" -m fast stop > /dev/null 2>&1 || true
  rm -rf "$DATA"
fi

if [ ! -s "$DATA/PG_VERSION" ]; then
  say "making a throwaway PostgreSQL cluster in $DATA"
  rm -rf "$BASE"
  mkdir -p "$BASE"
  head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$PASSWORD_FILE"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$BASE"
    install -o postgres -m 600 "$PASSWORD_FILE" "$BASE/initdb-password"
  else
    cp "$PASSWORD_FILE" "$BASE/initdb-password"
  fi
  as_owner "$BIN/initdb" -D "$DATA" -U "$USER_NAME" --pwfile="$BASE/initdb-password" \
    -A scram-sha-256 -E UTF8 --no-locale > "$BASE/initdb.log"
  rm -f "$BASE/initdb-password"
fi

started=
if ! as_owner "$BIN/pg_ctl" -D "$DATA" status > /dev/null 2>&1; then
  say "starting PostgreSQL on 127.0.0.1:$PORT"
  # A test cluster: durability is traded for speed (fsync off), which a crash can only
  # cost throwaway test databases. synchronous_commit off is only the cluster's default:
  # the server sets it on for each of its connections, which tests/durability.rs reads
  # back (so the test checks what the server asks for, not this cluster's setting).
  # Tests run in parallel, each with a pool of its own.
  # The server does not inherit the lock (9>&-): it may outlive this run.
  if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$BASE/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start > /dev/null 9>&-; then
    echo "PostgreSQL did not start (is port $PORT taken? set GATEWATCH_TEST_PG_PORT). Its log:" >&2
    tail -n 20 "$BASE/server.log" >&2
    exit 1
  fi
  started=1
fi
stop() {
  if [ -n "$started" ]; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop > /dev/null || true
  fi
}
trap stop EXIT

# psql gets the password in its environment, not on its command line (`ps` shows that).
export PGPASSWORD
PGPASSWORD=$(cat "$PASSWORD_FILE")
ADMIN_URL="postgres://$USER_NAME@127.0.0.1:$PORT/postgres"
leftovers=$(psql "$ADMIN_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'gw\_test\_%'")
for db in $leftovers; do
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
done
URL="postgres://$USER_NAME:$PGPASSWORD@127.0.0.1:$PORT/postgres"

GATEWATCH_TEST_POSTGRES=$URL "$@"
