#!/usr/bin/env bash
# Renders the engine's spoken fallback (played when the model cannot be reached), once, with espeak-ng:
# 8 kHz mu-law WAV, the format Twilio plays. Re-run after changing the wording; the files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=Sources/MediaEngine/Resources
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
render() { # voice file text
    espeak-ng -v "$1" -s 150 -w "$tmp/raw.wav" "$3"
    sox "$tmp/raw.wav" -r 8000 -c 1 -e u-law -b 8 "$out/$2" norm -3
}
render he fallback-he.wav "מצטער, יש לנו תקלה זמנית. אנא נסו להתקשר שוב בעוד כמה דקות. להתראות."
render en-us fallback-en.wav "Sorry, we are having a temporary problem. Please call again in a few minutes. Goodbye."
ls -l "$out"
