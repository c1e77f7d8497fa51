# scripts/train_subjects.py on a tiny synthetic TSV (tests/data/subjects-tiny.tsv,
# 40 made-up subjects, never the real data): it runs, writes a model that
# sendlint loads, and two runs give the same bytes (report and files).
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
for n in 1 2; do
	mkdir "$tmp/$n"
	cp -R ../../rules.d "$tmp/$n/rules.d"
	python3 ../../scripts/train_subjects.py --data ../data/subjects-tiny.tsv \
		--rules-dir "$tmp/$n/rules.d" --min-count 2 --write >"$tmp/$n/out" 2>"$tmp/$n/err"
	echo "run $n: exit $?"
done
if cmp -s "$tmp/1/out" "$tmp/2/out" && diff -r "$tmp/1/rules.d" "$tmp/2/rules.d" >/dev/null; then
	echo "two runs: same report, same files"
else
	echo "two runs differ"
	diff "$tmp/1/out" "$tmp/2/out" | head -n 10
fi
grep -c '^subjects: 40 (20 spam, 20 ham)$' "$tmp/1/out"
grep -c '^written: rules.d/subject/spam-words.tsv' "$tmp/1/out"
grep -c '^# Written by scripts/train_subjects.py' "$tmp/1/rules.d/subject/spam-words.tsv"
grep -c '^  subject: *{bias: -*[0-9.]*, scale: 1}$' "$tmp/1/rules.d/scores.yml"
printf 'Subject: Free money for you!!\nFrom: a@example.org\n\nhello\n' >"$tmp/m.eml"
"$SENDLINT" --no-default-rules --rules="$tmp/1/rules.d" "$tmp/m.eml" >/dev/null 2>&1
rc=$?
[ "$rc" -le 1 ] && echo "the model written loads" || echo "sendlint exit $rc on the model written"
