#!/usr/bin/env bash
# Installs the system packages Kol needs on Debian 12 (Swift itself is assumed at /opt/swift or on PATH).
#   C libraries:   libopus-dev libsamplerate0-dev libpq-dev libsqlite3-dev (pkg-config finds them)
#   test tools:    espeak-ng (renders Hebrew and English speech), sox, opus-tools (opusinfo/opusdec)
#   PostgreSQL 15: the server for the storage tests (scripts/postgres-test-server.sh runs it on loopback)
set -euo pipefail
packages=(pkg-config libopus-dev libsamplerate0-dev libpq-dev libsqlite3-dev opus-tools espeak-ng sox postgresql)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
    echo "setup: all system packages present"
    exit 0
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
