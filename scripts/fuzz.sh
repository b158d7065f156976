#!/usr/bin/env bash
# scripts/fuzz.sh TARGET SECONDS — fuzz one target with libFuzzer + AddressSanitizer.
# Targets: frame-decoder, message-decoder, http-request, peer-book, json, handshake, toml.
# The committed corpus (Fuzz/Corpus/TARGET) seeds a working copy; a crash input is written to
# .build-fuzz/crashes/ and the script exits non-zero. Add such an input to the corpus once fixed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target="${1:?usage: scripts/fuzz.sh TARGET SECONDS}"
seconds="${2:-30}"
# -sanitize=fuzzer links libFuzzer; lld, because gold trips over libFuzzer's main beside ours.
swift build -c release --product Fuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link \
  -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld >/dev/null
work=".build-fuzz/corpus/$target"
mkdir -p "$work" .build-fuzz/crashes
cp -n "Fuzz/Corpus/$target/"* "$work/" 2>/dev/null || true
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0
exec .build-fuzz/release/Fuzz "$target" -max_total_time="$seconds" -rss_limit_mb=1024 \
  -artifact_prefix=.build-fuzz/crashes/ -print_final_stats=1 "$work"
