#!/usr/bin/env bash
# Runs the shell examples of README.md and docs/operations.md as an operator pastes them:
# every ```sh block right after a line `<!-- example: runs in CI ... -->`, in order, from the
# repository root, in one fresh bash each (`bash -e`, no pipefail: an interactive shell has
# none), after the setup an operator runs first (`swift build`; .build/debug on PATH).
# Each block runs in its own session with a time limit; when it ends, anything it left
# running is stopped (its process group only), and the files it created at the root
# (data dirs, logs) are removed. Exit status: the number of failed blocks (0: all passed).
#
#   bash scripts/check-doc-examples.sh            # all marked blocks
#   EXAMPLE_TIMEOUT=60 bash scripts/check-doc-examples.sh README.md
set -u
cd "$(dirname "$0")/.."
root=$PWD
limit=${EXAMPLE_TIMEOUT:-120}
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(README.md docs/operations.md)

swift build > /dev/null || { echo "check-doc-examples: swift build failed"; exit 1; }
export PATH="$root/.build/debug:$PATH"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count=0
for file in "${files[@]}"; do
    awk -v dir="$work" -v base="$(echo "$file" | tr '/' '_')" '
        /<!-- example: runs in CI/ { marked = 1; next }
        marked && /^```sh[[:space:]]*$/ { inside = 1; n++; out = sprintf("%s/%s-%02d.sh", dir, base, n); marked = 0; next }
        inside && /^```[[:space:]]*$/ { inside = 0; close(out); next }
        inside { print > out; next }
        { if ($0 !~ /^[[:space:]]*$/) marked = 0 }
    ' "$file"
done

failed=0
for script in "$work"/*.sh; do
    [ -e "$script" ] || continue
    count=$((count + 1))
    name=$(basename "$script" .sh)
    before=$(ls -A "$root")
    # setsid: the block leads its own process group, so what it leaves behind can be stopped
    # without touching anything else on the machine.
    setsid bash -e "$script" > "$work/$name.log" 2>&1 &
    pid=$!
    deadline=$((SECONDS + limit))
    while kill -0 "$pid" 2> /dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2> /dev/null; then
        echo "FAIL $name: still running after ${limit}s"
        status=124
    else
        wait "$pid"
        status=$?
        [ $status -eq 0 ] && echo "ok   $name" || echo "FAIL $name: exit status $status"
    fi
    kill -TERM -- "-$pid" 2> /dev/null && sleep 2
    kill -KILL -- "-$pid" 2> /dev/null
    if [ $status -ne 0 ]; then
        failed=$((failed + 1))
        echo "---- $name:"
        cat "$script"
        echo "---- output:"
        tail -n 40 "$work/$name.log"
        echo "----"
    fi
    # Remove what the block created at the root: data dirs, testnet dirs, logs.
    for entry in $(ls -A "$root"); do
        if ! grep -qxF "$entry" <<< "$before"; then
            case "$entry" in
            meshnode_data_* | meshnode_testnet | *.log | *.out) rm -rf "${root:?}/$entry" ;;
            *) echo "note: $name left $entry at the root" ;;
            esac
        fi
    done
done
echo "check-doc-examples: $count blocks, $failed failed"
exit $failed
