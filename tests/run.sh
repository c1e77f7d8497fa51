#!/bin/sh
# tests/run.sh - every test of sendlint; called by `make check`.
#
# Sections: unit tests, rule examples (--check-rules), golden outputs of
# corpus/, CLI tests, the differential MIME test, the bounded fuzz run.
# Each section prints its failures; the last line is "N passed, N failed".
# Environment: SENDLINT (binary), UNIT_DIR (unit test binaries),
# SANITIZE=1 when the binaries are the sanitizer build (fuzzing then
# skipped: the fuzz target is built with its own sanitizers).
set -u
cd "$(dirname "$0")/.." || exit 2
SENDLINT=${SENDLINT:-./sendlint}
UNIT_DIR=${UNIT_DIR:-build/release/unit}
export SENDLINT
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Add the counts of a runner's closing "N passed, N failed" line.
absorb() { # name, output file, exit status
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
	if [ -z "$line" ]; then
		bad "$1: no 'N passed, N failed' line (exit $3)"
		tail -n 20 "$2"
		return
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$f" -ne 0 ] || [ "$3" -ne 0 ]; then
		grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 40
		[ "$f" -eq 0 ] && bad "$1: exit status $3"
	fi
}

echo "== unit tests"
for t in "$UNIT_DIR"/test_*; do
	[ -x "$t" ] || continue
	"$t" >"$tmp/out" 2>&1
	absorb "$(basename "$t")" "$tmp/out" $?
done

echo "== rule examples"
"$SENDLINT" --check-rules >"$tmp/out" 2>&1
absorb "check-rules" "$tmp/out" $?

echo "== golden outputs"
for exp in tests/expected/*.txt tests/expected/*.json; do
	[ -f "$exp" ] || continue
	base=$(basename "$exp")
	name=${base%.*}
	ext=${base##*.}
	src=$(ls corpus/"$name".* 2>/dev/null | head -n 1)
	if [ -z "$src" ]; then
		bad "$exp: no corpus/$name.*"
		continue
	fi
	if [ "$ext" = json ]; then
		"$SENDLINT" --format=json "$src" >"$tmp/got" 2>&1
	else
		"$SENDLINT" --color=never "$src" >"$tmp/got" 2>&1
	fi
	echo "exit $?" >>"$tmp/got"
	if cmp -s "$exp" "$tmp/got"; then ok; else
		bad "$src: output differs from $exp"
		diff -u "$exp" "$tmp/got" | head -n 30
	fi
done
for exp in tests/expected/*.dump; do
	[ -f "$exp" ] || continue
	name=$(basename "$exp" .dump)
	src=$(ls corpus/"$name".* 2>/dev/null | head -n 1)
	"$SENDLINT" --dump "$src" >"$tmp/got" 2>&1
	echo "exit $?" >>"$tmp/got"
	if cmp -s "$exp" "$tmp/got"; then ok; else
		bad "$src: --dump differs from $exp"
		diff -u "$exp" "$tmp/got" | head -n 30
	fi
done

echo "== CLI tests"
for t in tests/cli/*.sh; do
	[ -f "$t" ] || continue
	exp=${t%.sh}.out
	(cd tests/cli && sh "./$(basename "$t")") >"$tmp/got" 2>&1
	if [ -f "$exp" ] && cmp -s "$exp" "$tmp/got"; then ok; else
		bad "$t: output differs from $exp"
		[ -f "$exp" ] && diff -u "$exp" "$tmp/got" | head -n 30
	fi
done

echo "== warnings (gcc and clang, -Werror)"
flags="-std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
-Wmissing-prototypes -Wno-unused-parameter -Wformat=2 -Wvla -Werror -O2 -Ilint \
-DSL_DATADIR=\"/x\" $(pkg-config --cflags libxml-2.0 libpcre2-8 yaml-0.1 hunspell)"
for cc in gcc clang; do
	if ! command -v $cc >/dev/null 2>&1; then
		echo "skipped: $cc not installed"
		continue
	fi
	if $cc $flags -fsyntax-only lint/*.c >"$tmp/out" 2>&1; then ok; else
		bad "$cc warnings"
		head -n 20 "$tmp/out"
	fi
done

if [ -f tests/diff/run.sh ]; then
	echo "== differential MIME test (python email)"
	sh tests/diff/run.sh >"$tmp/out" 2>&1
	absorb "diff" "$tmp/out" $?
fi

if [ "${SANITIZE:-}" != 1 ] && [ -f tests/fuzz/run.sh ]; then
	echo "== fuzz (bounded)"
	sh tests/fuzz/run.sh >"$tmp/out" 2>&1
	absorb "fuzz" "$tmp/out" $?
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
