#!/usr/bin/env bash
# The README's first command: installs what Kol needs, builds it, and runs its main job on the embedded
# defaults (SQLite under ./data, the local Realtime simulator, the bundled plugins.yaml): one synthetic
# phone call placed through the engine over real sockets, printed as a timeline.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --product engine-server
exec .build/debug/engine-server demo "$@"
