#!/bin/sh
# scripts/bench.sh - `make bench`: throughput figures of the whole
# pipeline, not a test.  Uses corpus/ and, when present, the real mail and
# templates in ../shared/data (never required); then the peak memory of
# one large generated input of each shape (20 MB: a single paragraph of
# words, short paragraphs, an HTML table), when /usr/bin/time is there.
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
if [ -x /usr/bin/time ] && [ -x "${SENDLINT:-}" ]; then
	echo "== peak memory (RSS) on 20 MB generated inputs: no rules, bundled rules"
	tmp=$(mktemp -d) || exit 2
	awk 'BEGIN { srand(7); split("the price of our service will change next month and we thank you for being a customer please review your account settings before the renewal date", w, " ");
		n = 0; line = 0; while (n < 20000000) { s = w[int(rand() * 27) + 1]; if (rand() < 0.08) s = s "."; printf "%s", s; n += length(s) + 1; line += length(s) + 1;
		if (line > 70) { printf "\n"; line = 0 } else printf " " } }' > "$tmp/paragraph.txt"
	awk 'BEGIN { srand(7); split("price change thanks account renewal storage support", w, " ");
		n = 0; while (n < 20000000) { s = w[int(rand() * 7) + 1] " " w[int(rand() * 7) + 1]; printf "%s\n\n", s; n += length(s) + 2 } }' > "$tmp/lines.txt"
	awk 'BEGIN { srand(7); split("price change thanks account renewal storage support", w, " "); printf "<html><body><table>\n";
		n = 0; while (n < 20000000) { r = "<tr>"; for (c = 0; c < 4; c++) r = r "<td>" w[int(rand() * 7) + 1] " " w[int(rand() * 7) + 1] "</td>";
		r = r "</tr>"; print r; n += length(r) + 1 } printf "</table></body></html>\n" }' > "$tmp/table.html"
	for f in paragraph.txt lines.txt table.html; do
		a=$(/usr/bin/time -f %M "$SENDLINT" --no-config --no-default-rules --format=json "$tmp/$f" 2>&1 >/dev/null | tail -1)
		b=$(/usr/bin/time -f %M "$SENDLINT" --no-config --format=json "$tmp/$f" 2>&1 >/dev/null | tail -1)
		echo "$f" "$(wc -c < "$tmp/$f")" "$a" "$b" | awk '{ printf "%-14s %.1f MB: peak RSS %.0f MB without rules, %.0f MB with (%.1fx, %.1fx the input)\n", $1, $2/1e6, $3/1024, $4/1024, $3*1024/$2, $4*1024/$2 }'
	done
	rm -rf "$tmp"
fi
echo "== reading the same files (cat to /dev/null), for reference"
if [ -d "$data/messages" ]; then
	bytes=$(cat $(find "$data/messages" -type f) | wc -c)
	s=$(date +%s.%N)
	for i in 1 2 3; do find "$data/messages" -type f -exec cat {} + >/dev/null; done
	e=$(date +%s.%N)
	echo "$bytes" "$s" "$e" | awk '{ printf "%.1f MB/s (3 rounds of %.1f MB, find + cat)\n", 3*$1/1e6/($3-$2), $1/1e6 }'
fi
