#!/usr/bin/env bash
# The public API of the MeshNode library product, as text: api/MeshNode.txt, one line per
# public symbol (kind, path, declaration), sorted.
#
#   scripts/api.sh          check: the API equals api/MeshNode.txt and every symbol has a
#                           doc comment; prints the diff and exits 1 otherwise (for CI)
#   scripts/api.sh update   rewrite api/MeshNode.txt after a deliberate change
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}
graph=$(mktemp -d)
trap 'rm -rf "$graph"' EXIT
scripts/symbol-graph.sh "$graph"
python3 - "$graph/MeshNodeKit.symbols.json" >"$graph/api.txt" <<'PY'
import json, sys
graph = json.load(open(sys.argv[1]))
lines, undocumented = [], []
for symbol in graph["symbols"]:
    # Default implementations from protocols (AsyncSequence's map, filter, ...) change with
    # the toolchain, not with this library.
    if "::SYNTHESIZED::" in symbol["identifier"]["precise"]:
        continue
    path = ".".join(symbol["pathComponents"])
    kind = symbol["kind"]["identifier"].removeprefix("swift.")
    declaration = "".join(f["spelling"] for f in symbol.get("declarationFragments", []))
    lines.append(f"{kind} {path}: {declaration}")
    # A raw-valued enum's init(rawValue:) is written by the compiler: nothing to document.
    if not symbol.get("docComment") and not path.endswith("init(rawValue:)"):
        undocumented.append(f"{kind} {path}")
# Conformances are API too (dropping Sendable breaks callers).
paths = {s["identifier"]["precise"]: ".".join(s["pathComponents"]) for s in graph["symbols"]}
for relation in graph.get("relationships", []):
    if relation["kind"] == "conformsTo" and relation["source"] in paths:
        target = relation.get("targetFallback") or paths.get(relation["target"], relation["target"])
        lines.append(f"conformance {paths[relation['source']]}: {target.split('.')[-1]}")
for line in sorted(set(lines)):
    print(line)
if undocumented:
    print("undocumented public symbols:", *sorted(undocumented), sep="\n  ", file=sys.stderr)
    sys.exit(3)
PY
case "$mode" in
update)
    mkdir -p api
    cp "$graph/api.txt" api/MeshNode.txt
    echo "api/MeshNode.txt: $(wc -l <api/MeshNode.txt) public symbols"
    ;;
check)
    if ! diff -u api/MeshNode.txt "$graph/api.txt"; then
        echo "api.sh: the public API of MeshNode changed (diff above). If deliberate, run" >&2
        echo "scripts/api.sh update and commit api/MeshNode.txt with the change." >&2
        exit 1
    fi
    echo "api.sh: MeshNode's public API matches api/MeshNode.txt"
    ;;
*)
    echo "usage: scripts/api.sh [check|update]" >&2
    exit 2
    ;;
esac
