#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server on loopback for the store's tests (local runs and CI).
#
#   scripts/postgres-test-server.sh start    initdb if needed, start, create role + database, print the URL
#   scripts/postgres-test-server.sh stop     stop the server (data directory kept)
#   scripts/postgres-test-server.sh status   exit 0 if it accepts connections
#   scripts/postgres-test-server.sh url      print the connection URL
#   scripts/postgres-test-server.sh destroy  stop and delete the data directory
#
# Settings (environment):
#   KOL_PG_PORT     TCP port on 127.0.0.1 (default 54329, not the default 5432 so it never clashes)
#   KOL_PG_DATA     data directory (default /tmp/kol-postgres-$KOL_PG_PORT)
#   KOL_PG_BIN      server binaries (default: newest /usr/lib/postgresql/*/bin)
#   KOL_PG_USER     database role and database owner (default kol)
#   KOL_PG_DB       database name (default kol_test)
#
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user that
# Debian's `postgresql` package creates (as any other user it runs as that user). Authentication is
# `trust` on loopback only: this server is for tests, never for data that matters.
set -euo pipefail

port="${KOL_PG_PORT:-54329}"
data="${KOL_PG_DATA:-/tmp/kol-postgres-$port}"
role="${KOL_PG_USER:-kol}"
db="${KOL_PG_DB:-kol_test}"
bin="${KOL_PG_BIN:-}"
if [[ -z "$bin" ]]; then
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi
if [[ -z "$bin" || ! -x "$bin/pg_ctl" ]]; then
    echo "postgres-test-server: no PostgreSQL server binaries found (apt-get install postgresql, or set KOL_PG_BIN)" >&2
    exit 2
fi

url="postgresql://$role@127.0.0.1:$port/$db"
log="$data/server.log"

# Runs a command as the server's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
    if [[ "$(id -u)" == "0" ]]; then
        if ! id postgres >/dev/null 2>&1; then
            echo "postgres-test-server: running as root needs the 'postgres' system user (apt-get install postgresql)" >&2
            exit 2
        fi
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

psql_admin() {
    as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}

is_ready() {
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres >/dev/null 2>&1
}

start() {
    if [[ ! -s "$data/PG_VERSION" ]]; then
        mkdir -p "$data"
        if [[ "$(id -u)" == "0" ]]; then chown postgres: "$data"; fi
        chmod 700 "$data"
        as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! is_ready; then
        # Listen on loopback only; the socket lives in the data directory so nothing else is touched.
        as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
            -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null
    fi
    for _ in $(seq 1 60); do is_ready && break; sleep 0.5; done
    if ! is_ready; then
        echo "postgres-test-server: server did not come up on 127.0.0.1:$port; see $log" >&2
        exit 1
    fi
    if [[ "$(psql_admin -tA -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != "1" ]]; then
        psql_admin -c "CREATE ROLE \"$role\" LOGIN"
    fi
    if [[ "$(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]]; then
        psql_admin -c "CREATE DATABASE \"$db\" OWNER \"$role\""
    fi
    echo "$url"
}

stop() {
    if [[ -s "$data/PG_VERSION" ]] && is_ready; then
        as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status)
        if is_ready; then echo "running: $url"; else echo "not running (127.0.0.1:$port, $data)"; exit 1; fi ;;
    url) echo "$url" ;;
    destroy) stop; rm -rf "$data" ;;
    *) echo "usage: $0 start|stop|status|url|destroy" >&2; exit 64 ;;
esac
