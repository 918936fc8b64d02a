#!/usr/bin/env bash
# Compares two engine builds' CPU cost under the same load, side by side: both engines run at once,
# pinned to core 0, each with its own synthetic callers and simulator on core 1
# (`scripts/loadtest-pinned.sh` on two port pairs). Both see the same host speed, so their ratio holds
# still while a VM's speed drifts by 20-40% between back-to-back runs (the same build twice reads
# within 1%). Each engine's absolute cost is a little lower than alone: sharing the core, it finds
# more events per wake-up.
#
#   scripts/loadtest-ab.sh A_BIN B_BIN [rounds] [loadtest options...]      e.g.
#   scripts/loadtest-ab.sh /tmp/old/engine-server .build/release/engine-server 3 --calls 100 --concurrency 100
#
# Environment: A_ARGS, B_ARGS (extra `serve` options for each engine), OUT (report prefix, default
# ./loadtest-ab-<time>). Defaults: 100 calls at 25 calls/s for 45 s, mix talk=1. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -lt 2 ]]; then
    sed -n '2,13p' "$0" >&2
    exit 2
fi
A_BIN=$1 B_BIN=$2
ROUNDS=${3:-3}
shift $(( $# >= 3 ? 3 : 2 ))
OPTIONS=("$@")
if [[ ${#OPTIONS[@]} -eq 0 ]]; then
    OPTIONS=(--calls 100 --concurrency 100 --rate 25 --duration-s 45 --mix talk=1)
fi
OUT=${OUT:-./loadtest-ab-$(date +%Y%m%d-%H%M%S)}

cost() { grep -oE 'engine cost: [0-9.]+ CPU-s per call-second \([0-9.]+ on the plateau' "$1" | grep -oE '[0-9]+\.[0-9]+' | paste -sd' '; }

for round in $(seq 1 "$ROUNDS"); do
    ENGINE_PORT=18080 SIM_PORT=18099 ENGINE_ARGS=${A_ARGS:-} BIN=$A_BIN OUT=$OUT-a-$round \
        scripts/loadtest-pinned.sh "${OPTIONS[@]}" > "$OUT-a-$round.log" 2>&1 &
    a=$!
    ENGINE_PORT=18180 SIM_PORT=18199 ENGINE_ARGS=${B_ARGS:-} BIN=$B_BIN OUT=$OUT-b-$round \
        scripts/loadtest-pinned.sh "${OPTIONS[@]}" > "$OUT-b-$round.log" 2>&1 &
    b=$!
    wait "$a" "$b" || true
    read -r a_all a_plateau <<< "$(cost "$OUT-a-$round.log")"
    read -r b_all b_plateau <<< "$(cost "$OUT-b-$round.log")"
    if [[ -z ${a_plateau:-} || -z ${b_plateau:-} ]]; then
        echo "round $round: a run did not finish; see $OUT-a-$round.log and $OUT-b-$round.log" >&2
        exit 1
    fi
    printf 'round %s: A %s (plateau %s)  B %s (plateau %s)  B/A on the plateau %s  | A %s | B %s\n' \
        "$round" "$a_all" "$a_plateau" "$b_all" "$b_plateau" "$(awk -v a="$a_plateau" -v b="$b_plateau" 'BEGIN { printf "%.3f", b / a }')" \
        "$(grep -E '^RESULT' "$OUT-a-$round.log" | cut -c1-40)" "$(grep -E '^RESULT' "$OUT-b-$round.log" | cut -c1-40)"
done
