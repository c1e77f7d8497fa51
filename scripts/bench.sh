#!/bin/sh
# scripts/bench.sh - `make bench`: throughput figures of the whole
# pipeline, not a test.  Uses corpus/ and, when present, the real mail and
# templates in ../shared/data (never required).
set -u
cd "$(dirname "$0")/.." || exit 2
BENCH=${BENCH:-build/release/bench}
data=../shared/data
echo "== pipeline without rules"
"$BENCH" --no-rules corpus
[ -d "$data/messages" ] && "$BENCH" --no-rules "$data/messages"
[ -d "$data/templates" ] && "$BENCH" --no-rules "$data/templates"
echo "== with the bundled rules"
"$BENCH" corpus
[ -d "$data/messages" ] && "$BENCH" "$data/messages"
[ -d "$data/templates" ] && "$BENCH" "$data/templates"
if [ -x "${BENCH_PHRASES:-}" ]; then
	echo "== phrase matcher: cost as phrase entries are added (same text, same hits)"
	"$BENCH_PHRASES"
fi
echo "== reading the same files (cat to /dev/null), for reference"
if [ -d "$data/messages" ]; then
	bytes=$(cat $(find "$data/messages" -type f) | wc -c)
	s=$(date +%s.%N)
	for i in 1 2 3; do find "$data/messages" -type f -exec cat {} + >/dev/null; done
	e=$(date +%s.%N)
	echo "$bytes" "$s" "$e" | awk '{ printf "%.1f MB/s (3 rounds of %.1f MB, find + cat)\n", 3*$1/1e6/($3-$2), $1/1e6 }'
fi
