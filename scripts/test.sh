#!/usr/bin/env bash
# The README's test command: installs what the tests need, starts a throwaway PostgreSQL server on
# loopback for the storage tests, runs the whole test suite, and stops the server again.
#   KOL_SKIP_POSTGRES=1 scripts/test.sh   runs without PostgreSQL (its tests are then skipped, not failed)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

pg_started=0
# The shared test server's port comes from the checkout's path, so test runs in two checkouts at once
# (a fresh CI clone beside a working tree) never stop each other's server. 25000-25999 is below Linux's
# ephemeral range, and apart from 24000-24999, where the outage tests start servers of their own.
export KOL_PG_PORT="${KOL_PG_PORT:-$((25000 + $(pwd -P | cksum | cut -d' ' -f1) % 1000))}"
if [[ "${KOL_SKIP_POSTGRES:-0}" != "1" ]]; then
    KOL_TEST_POSTGRES_URL="$(scripts/postgres-test-server.sh start)"
    export KOL_TEST_POSTGRES_URL KOL_REQUIRE_POSTGRES=1
    pg_started=1
    echo "test: PostgreSQL at $KOL_TEST_POSTGRES_URL"
fi
cleanup() { if ((pg_started)); then scripts/postgres-test-server.sh stop || true; fi; }
trap cleanup EXIT

swift build --build-tests
if (($# > 0)); then
    swift test --skip-build "$@"
else
    # The end-to-end suite places real-time calls: it runs on its own, after the CPU-heavy DSP suites,
    # so they cannot starve its 20 ms clocks on a 2-core machine.
    swift test --skip-build --skip EngineServerTests
    swift test --skip-build --filter EngineServerTests
fi
