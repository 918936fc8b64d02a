#!/usr/bin/env bash
# Capacity and cost runs: the engine alone in its own process pinned to one core (taskset -c 0), the
# synthetic callers and the Realtime simulator in another pinned to the other core, both release builds.
# The engine's CPU and memory are sampled from /proc by the load generator.
#
#   scripts/loadtest-pinned.sh [loadtest options...]      e.g.
#   scripts/loadtest-pinned.sh --calls 200 --concurrency 200 --rate 20 --duration-s 60 --mix talk=1
#
# Environment: ENGINE_ARGS (extra `serve` options, e.g. "--egress-chunk-ms 60": the callers read that
# engine's egress lead from its /metrics and judge its pacing against it), AUDIO_PATH (pcmu or
# pcm24k, default pcmu), BIN (a built engine-server, default .build/release/engine-server, built if
# missing), OUT (report prefix, default ./loadtest-<time>). Listens on loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/engine-server}
if [[ ! -x $BIN ]]; then swift build -c release --product engine-server; fi
OUT=${OUT:-./loadtest-$(date +%Y%m%d-%H%M%S)}
AUDIO_PATH=${AUDIO_PATH:-pcmu}
ENGINE_PORT=${ENGINE_PORT:-18080}
SIM_PORT=${SIM_PORT:-18099}
WORK=$(mktemp -d)
trap 'kill "$ENGINE_PID" 2>/dev/null || true; wait "$ENGINE_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN" loadtest --print-tenants > "$WORK/tenants.yaml"
export KOL_LOADTEST_TWILIO_TOKEN=loadtest-token
# shellcheck disable=SC2086  # ENGINE_ARGS is a list of options
OPENAI_API_KEY=simulator LOG_LEVEL=error taskset -c 0 "$BIN" serve --config "$WORK/tenants.yaml" \
    --data-dir "$WORK/data" --host 127.0.0.1 --port "$ENGINE_PORT" --public-url "http://127.0.0.1:$ENGINE_PORT" \
    --realtime-url "ws://127.0.0.1:$SIM_PORT/v1/realtime" ${ENGINE_ARGS:-} &
ENGINE_PID=$!
for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$ENGINE_PORT") 2>/dev/null; then break; fi
    sleep 0.1
done
echo "engine pid $ENGINE_PID on core 0 (serve ${ENGINE_ARGS:-}); callers and simulator on core 1" >&2
taskset -c 1 "$BIN" loadtest --url "http://127.0.0.1:$ENGINE_PORT" --simulator-port "$SIM_PORT" \
    --engine-pid "$ENGINE_PID" --audio-path "$AUDIO_PATH" --json-out "$OUT.json" --html-out "$OUT.html" "$@"
