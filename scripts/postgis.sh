#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster for the store tests and benchmarks.
#
#   scripts/postgis.sh start   # create and start it; the last line printed is its URL
#   scripts/postgis.sh stop    # stop it and delete its folder
#
# Needs Debian's postgresql and postgresql-NN-postgis-3 packages (.ci/run installs them).
# The cluster lives in a temporary folder owned by the postgres user (the server refuses to
# run as root), listens only on 127.0.0.1 and trusts local connections: it is for tests,
# never for data anyone keeps. STATE (default /tmp/incident-mapper-postgis) remembers it;
# POSTGIS_SERVER_OPTIONS adds server settings (the tests pass "-c fsync=off": their data
# is thrown away, and a killed client does not depend on fsync).
set -euo pipefail
STATE="${INCIDENT_MAPPER_POSTGIS_STATE:-/tmp/incident-mapper-postgis}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$BIN/initdb" ] || { echo "postgis.sh: PostgreSQL is not installed (apt-get install postgresql postgresql-15-postgis-3)" >&2; exit 1; }

as_postgres() {  # run a server binary as the postgres user (or as ourselves when not root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [ -f "$STATE/url" ] && as_postgres "$BIN/pg_ctl" -D "$STATE/data" status >/dev/null 2>&1; then
      cat "$STATE/url"; exit 0
    fi
    rm -rf "$STATE"; mkdir -p "$STATE"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$STATE"
    PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_postgres "$BIN/initdb" -D "$STATE/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$STATE/initdb.log"
    as_postgres "$BIN/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w -o "-p $PORT -k $STATE -c listen_addresses=127.0.0.1 ${POSTGIS_SERVER_OPTIONS:-}" start >/dev/null
    as_postgres "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qAt -c "CREATE DATABASE incidents" \
      -c "\\c incidents" -c "CREATE EXTENSION postgis" >/dev/null
    echo "postgresql://postgres@127.0.0.1:$PORT/incidents" | tee "$STATE/url"
    ;;
  stop)
    if [ -d "$STATE/data" ]; then as_postgres "$BIN/pg_ctl" -D "$STATE/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$STATE"
    ;;
  *) echo "usage: scripts/postgis.sh start|stop" >&2; exit 2 ;;
esac
