#!/bin/sh
# tests/fuzz/run.sh - build the libFuzzer target with clang (ASan + UBSan)
# and run it for a bounded time (FUZZ_SECONDS, default 30), seeded from
# corpus/.  Prints "1 passed, 0 failed" or "0 passed, 1 failed"; skips
# cleanly ("0 passed, 0 failed") when clang's libFuzzer is not installed.
set -u
cd "$(dirname "$0")/../.." || exit 2
secs=${FUZZ_SECONDS:-30}
out=build/fuzz
mkdir -p "$out"
pkgs="libxml-2.0 libpcre2-8 yaml-0.1 hunspell"
if ! command -v clang >/dev/null 2>&1 ||
   ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}' |
     clang -x c -fsanitize=fuzzer - -o "$out/probe" >/dev/null 2>&1; then
	echo "skipped: clang with libFuzzer not available (apt-get install clang libclang-rt-14-dev)"
	echo "0 passed, 0 failed"
	exit 0
fi
srcs=$(ls lint/*.c | grep -v 'lint/main.c')
if ! clang -std=c11 -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Ilint $(pkg-config --cflags $pkgs) \
	tests/fuzz/fuzz_lint.c $srcs -o "$out/fuzz_lint" $(pkg-config --libs $pkgs) -lm \
	>"$out/build.log" 2>&1; then
	cat "$out/build.log"
	echo "0 passed, 1 failed"
	exit 1
fi
seeds="$out/seeds"
rm -rf "$seeds"
mkdir -p "$seeds" "$out/found"
for f in corpus/*; do [ -f "$f" ] && cp "$f" "$seeds/"; done
if "$out/fuzz_lint" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=65536 -artifact_prefix="$out/" "$out/found" "$seeds" >"$out/fuzz.log" 2>&1; then
	grep -E '^#[0-9]+.*DONE' "$out/fuzz.log" | tail -n 1
	echo "1 passed, 0 failed"
else
	tail -n 40 "$out/fuzz.log"
	echo "0 passed, 1 failed"
	exit 1
fi
