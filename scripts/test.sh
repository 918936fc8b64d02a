#!/usr/bin/env bash
# The README's test command: installs what the tests need, starts a throwaway PostgreSQL server on
# loopback for the storage tests, runs the whole test suite, and stops the server again.
#   KOL_SKIP_POSTGRES=1 scripts/test.sh   runs without PostgreSQL (its tests are then skipped, not failed)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

pg_started=0
if [[ "${KOL_SKIP_POSTGRES:-0}" != "1" && -x scripts/postgres-test-server.sh ]]; then
    scripts/postgres-test-server.sh start
    pg_started=1
    eval "$(scripts/postgres-test-server.sh env)"
    export KOL_REQUIRE_POSTGRES=1
fi
cleanup() { if ((pg_started)); then scripts/postgres-test-server.sh stop || true; fi; }
trap cleanup EXIT

swift build --build-tests
swift test --skip-build "$@"
