#!/bin/sh
# scripts/update-goldens.sh - rewrite tests/expected/ and tests/cli/*.out
# from the current ./sendlint.  Review the diff before committing: a golden
# file is the exact output users see.
set -u
cd "$(dirname "$0")/.." || exit 2
SENDLINT=$(cd "$(dirname "${SENDLINT:-./sendlint}")" && pwd)/$(basename "${SENDLINT:-./sendlint}")
export SENDLINT
for src in corpus/*; do
	[ -f "$src" ] || continue
	name=$(basename "$src")
	name=${name%.*}
	"$SENDLINT" --color=never "$src" >"tests/expected/$name.txt" 2>&1
	echo "exit $?" >>"tests/expected/$name.txt"
done
# JSON and --dump goldens exist only for the files chosen for them
for exp in tests/expected/*.json; do
	[ -f "$exp" ] || continue
	name=$(basename "$exp" .json)
	src=$(ls corpus/"$name".* | head -n 1)
	"$SENDLINT" --format=json "$src" >"$exp" 2>&1
	echo "exit $?" >>"$exp"
done
for exp in tests/expected/*.dump; do
	[ -f "$exp" ] || continue
	name=$(basename "$exp" .dump)
	src=$(ls corpus/"$name".* | head -n 1)
	"$SENDLINT" --dump "$src" >"$exp" 2>&1
	echo "exit $?" >>"$exp"
done
for t in tests/cli/*.sh; do
	(cd tests/cli && sh "./$(basename "$t")") >"${t%.sh}.out" 2>&1
done
git status --short tests/
