#!/usr/bin/env bash
# Builds and runs Examples/OutsideUser, a package that depends on this one by path and uses
# only the `MeshNode` library product's public API. Fails if the product is missing, if the
# example reaches past the public surface, or if the run does not end with "outside user: ok".
set -euo pipefail
cd "$(dirname "$0")/../Examples/OutsideUser"
# Public API only: the product's module is the one import (no Actors, Wire, @testable).
if grep -rhE '^\s*(@[a-zA-Z_]+\s+)*import\s' Sources | grep -vE 'import\s+MeshNodeKit\s*$'; then
    echo "check-outside-package: the outside package imports more than MeshNodeKit (above)" >&2
    exit 1
fi
swift build 2>&1 | tee /tmp/outside-user-build.$$ | grep -E "warning:|error:" && {
    echo "check-outside-package: the outside package must build without warnings or errors" >&2
    rm -f /tmp/outside-user-build.$$
    exit 1
}
rm -f /tmp/outside-user-build.$$
output=$(timeout 60 swift run --skip-build OutsideUser)
echo "$output"
[[ "$(echo "$output" | tail -1)" == "outside user: ok" ]]
