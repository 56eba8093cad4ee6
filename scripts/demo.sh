#!/bin/bash
# scripts/demo.sh — the story in DESIGN.md, end to end, on this machine.
# Installs what is missing, builds, then runs the demo in throwaway network
# namespaces (nothing leaves this machine; everything is removed on exit).
set -u
cd "$(dirname "$0")/.."
./scripts/deps.sh || exit 1
make -s -j"$(nproc 2>/dev/null || echo 2)" all || exit 1
exec bash scripts/demo/story.sh "$@"
