#!/usr/bin/env bash
# Emits the symbol graph of the MeshNode library (module MeshNodeKit, with the types it
# re-exports) into the directory given as $1. Builds in .build-docs so that the main build's
# flags (and its cache) are not disturbed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: symbol-graph.sh OUTPUT_DIR}
rm -rf "$out"
mkdir -p "$out"
swift build --build-path .build-docs --target MeshNodeKit \
    -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$out" \
    -Xswiftc -symbol-graph-minimum-access-level -Xswiftc public >/dev/null
# Only the library's own graph: the modules behind it are not its surface.
find "$out" -name '*.symbols.json' ! -name 'MeshNodeKit.symbols.json' ! -name 'MeshNodeKit@*.symbols.json' -delete
