#!/bin/sh
# tests/diff/run.sh - differential test of sendlint's MIME parsing and
# decoding against Python's email package.
#
# For every message of the data sets below, build/diff/mimetree (sendlint,
# tests/diff/mimetree.c) and tests/diff/mimetree.py (Python's email package,
# email.policy.default; why: see its docstring) each
# print the part tree (depth, content type, charset, decoded text of text
# parts); mimetree.py --compare then compares them file by file.  Prints
# one line per divergence (file and first differing line), "known: file:
# reason" for the justified ones listed in tests/diff/known.txt, and ends
# with "N passed, N failed".  Exit status 1 if anything failed.  Skips
# cleanly ("skipped: why", "0 passed, 0 failed", exit 0) without python3
# or without any data.
#
# Data (read in place, never copied):
#   test_email/   Python's test suite messages: the directory in
#                 $DIFF_PYDATA, else /usr/lib/python3*/test/test_email/data,
#                 else python3's own test/test_email/data
#   mime4j/ mimekit/ nodemailer_mailparser/ spamscope_mailparser/
#                 under $DIFF_SHARED (default ../shared/data/messages
#                 beside the repository, else /work/shared/data/messages)
# Environment: SANITIZE=1 links against build/asan/libsendlint.a with the
# sanitizers; DIFF_TIMEOUT seconds per file for mimetree (default 60).
set -u
cd "$(dirname "$0")/../.." || exit 2
root=$(pwd)

skip() {
	echo "skipped: $*"
	echo "0 passed, 0 failed"
	exit 0
}

command -v python3 >/dev/null 2>&1 || skip "python3 not found"
python3 -c 'import email.policy, json, difflib' 2>/dev/null ||
	skip "python3 has no email package"

# --- the data sets: "label-prefix<TAB>directory" lines
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
sets=$tmp/sets
: >"$sets"

pydata=${DIFF_PYDATA:-}
if [ -z "$pydata" ]; then
	for d in /usr/lib/python3*/test/test_email/data; do
		[ -d "$d" ] && pydata=$d
	done
fi
if [ -z "$pydata" ]; then
	pydata=$(python3 -c 'import os, test.test_email as t; print(os.path.join(os.path.dirname(t.__file__), "data"))' 2>/dev/null)
fi
[ -n "$pydata" ] && [ -d "$pydata" ] && printf 'test_email\t%s\n' "$pydata" >>"$sets"

shared=${DIFF_SHARED:-}
if [ -z "$shared" ]; then
	for d in "$root/../shared/data/messages" /work/shared/data/messages; do
		if [ -d "$d" ]; then
			shared=$d
			break
		fi
	done
fi
if [ -n "$shared" ]; then
	for s in mime4j mimekit nodemailer_mailparser spamscope_mailparser; do
		[ -d "$shared/$s" ] && printf '%s\t%s\n' "$s" "$shared/$s" >>"$sets"
	done
fi
[ -s "$sets" ] || skip "no message data (Python's test_email/data or shared/data/messages)"

# --- build mimetree against the library
if [ "${SANITIZE:-0}" = 1 ]; then
	lib=build/asan/libsendlint.a
	bin=build/diff/mimetree-asan
	san="-O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
	mk="make -s SANITIZE=1"
else
	lib=build/release/libsendlint.a
	bin=build/diff/mimetree
	san="-O2"
	mk="make -s"
fi
if ! $mk "$lib" >"$tmp/make.log" 2>&1; then
	if [ -f "$lib" ]; then
		echo "warning: 'make $lib' failed; using the existing library" >&2
	else
		cat "$tmp/make.log"
		echo "FAIL: cannot build $lib"
		echo "0 passed, 1 failed"
		exit 1
	fi
fi
PKGS="libxml-2.0 libpcre2-8 yaml-0.1 hunspell"
if [ ! -x "$bin" ] ||
   [ -n "$(find "$lib" tests/diff/mimetree.c lint/internal.h -newer "$bin" 2>/dev/null)" ]; then
	mkdir -p build/diff
	# built aside and renamed, so that a concurrent run never sees half a binary
	# shellcheck disable=SC2046,SC2086
	if ! ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -g $san -Ilint \
		$(pkg-config --cflags $PKGS) -o "$bin.$$" tests/diff/mimetree.c "$lib" \
		$(pkg-config --libs $PKGS) -lm >"$tmp/cc.log" 2>&1 ||
	   ! mv -f "$bin.$$" "$bin"; then
		rm -f "$bin.$$"
		cat "$tmp/cc.log"
		echo "FAIL: cannot build $bin"
		echo "0 passed, 1 failed"
		exit 1
	fi
fi

# --- list the messages: "label<TAB>path" lines
tab=$(printf '\t')
while IFS="$tab" read -r prefix dir; do
	if [ "$prefix" = test_email ]; then
		find "$dir" -maxdepth 1 -type f -name 'msg_*.txt'
	else
		find "$dir" -type f -name '*.eml'
	fi | LC_ALL=C sort | while IFS= read -r f; do
		printf '%s/%s\t%s\n' "$prefix" "${f#"$dir"/}" "$f"
	done
done <"$sets" >"$tmp/files"
[ -s "$tmp/files" ] || skip "no messages in the data folders"

# --- sendlint's side: all files in one process (the dictionary is loaded
# once); if that fails, file by file, so that a crash is pinned on its file.
# Python's side runs inside --compare.
timeout=${DIFF_TIMEOUT:-60}
to=""
command -v timeout >/dev/null 2>&1 && to="timeout"
mkdir "$tmp/c"
set --
while IFS="$tab" read -r label f; do
	set -- "$@" "$f"
done <"$tmp/files"
if ${to:+$to $((timeout * $#))} "$bin" -o "$tmp/c" "$@" 2>"$tmp/c/batch.err"; then
	batch=ok
else
	batch=failed
fi
n=0
while IFS="$tab" read -r label f; do
	n=$((n + 1))
	st=0
	if [ "$batch" = failed ]; then
		${to:+$to $timeout} "$bin" "$f" >"$tmp/c/$n.out" 2>"$tmp/c/$n.err"
		st=$?
		[ "$st" -ne 0 ] && st="$st ($(grep -v '^[[:space:]]*$' "$tmp/c/$n.err" | head -n 1 | tr '\t' ' ' | cut -c1-160))"
	fi
	printf '%s\t%s\t%s\t%s\n' "$label" "$f" "$tmp/c/$n.out" "$st"
done <"$tmp/files" >"$tmp/list"

python3 tests/diff/mimetree.py --compare tests/diff/known.txt "$tmp/list"
