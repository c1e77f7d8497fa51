# scripts/train_tone.py on tiny synthetic TSVs (tests/data/talkdown-tiny.tsv
# and politeness-tiny.tsv, 40 made-up texts each, never the real data): it
# runs, writes a model that sendlint loads, and two runs give the same
# bytes (report and files).
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
for n in 1 2; do
	mkdir "$tmp/$n"
	cp -R ../../rules.d "$tmp/$n/rules.d"
	python3 ../../scripts/train_tone.py --talkdown ../data/talkdown-tiny.tsv \
		--politeness ../data/politeness-tiny.tsv --rules-dir "$tmp/$n/rules.d" \
		--min-count 2 --no-fp --write >"$tmp/$n/out" 2>"$tmp/$n/err"
	echo "run $n: exit $?"
done
if cmp -s "$tmp/1/out" "$tmp/2/out" && diff -r "$tmp/1/rules.d" "$tmp/2/rules.d" >/dev/null; then
	echo "two runs: same report, same files"
else
	echo "two runs differ"
	diff "$tmp/1/out" "$tmp/2/out" | head -n 10
fi
grep -c '^data: talkdown-tiny.tsv sha256 [0-9a-f]*: 40 texts (20 condescending, 20 not)$' "$tmp/1/out"
grep -c '^written: .*rules.d/tone/talkdown-words.tsv' "$tmp/1/out"
grep -c '^# Written by scripts/train_tone.py' "$tmp/1/rules.d/tone/talkdown-words.tsv"
grep -c '^score_min: [0-9.]*$' "$tmp/1/rules.d/tone/talkdown-words.yml"
grep -c '^  tone: *{bias: -*[0-9.]*, scale: 1}$' "$tmp/1/rules.d/scores.yml"
grep -c '^  "Just reply to this email\."  *S +0\.00 score 0 no$' "$tmp/1/out"
printf 'Why would you even think that?? You really should read first.\n' >"$tmp/m.txt"
"$SENDLINT" --no-default-rules --rules="$tmp/1/rules.d" "$tmp/m.txt" >/dev/null 2>&1
rc=$?
[ "$rc" -le 1 ] && echo "the model written loads" || echo "sendlint exit $rc on the model written"
