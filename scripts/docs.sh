#!/usr/bin/env bash
# Builds the API documentation of the MeshNode library with the toolchain's own DocC (no
# plugin package): the symbol graph of MeshNodeKit, then `docc convert` with the catalog in
# Sources/MeshNodeKit/MeshNodeKit.docc. Warnings (an unresolved link, a symbol that moved)
# fail the build.
#
#   scripts/docs.sh [OUTPUT]    default .build-docs/MeshNode.doccarchive
#
# Browse: `docc preview` on the catalog, or serve OUTPUT's static files (the archive is
# built for hosting at /).
set -euo pipefail
cd "$(dirname "$0")/.."
output=${1:-.build-docs/MeshNode.doccarchive}
docc=$(command -v docc || true)
if [ -z "$docc" ]; then
    docc="$(dirname "$(readlink -f "$(command -v swift)")")/docc"
fi
[ -x "$docc" ] || { echo "docs.sh: docc not found next to swift ($docc)" >&2; exit 1; }
graph=$(mktemp -d)
trap 'rm -rf "$graph"' EXIT
scripts/symbol-graph.sh "$graph"
"$docc" convert Sources/MeshNodeKit/MeshNodeKit.docc \
    --additional-symbol-graph-dir "$graph" \
    --fallback-display-name MeshNode \
    --fallback-bundle-identifier org.meshnode.MeshNodeKit \
    --output-path "$output" \
    --warnings-as-errors
echo "docs.sh: $output"
