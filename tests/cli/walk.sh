# Directories are walked for .eml/.html/.htm/.txt files in sorted order;
# hidden files and other extensions are skipped.
t=${TMPDIR:-/tmp}/sendlint-walk.$$
mkdir -p "$t/tree/b" "$t/tree/a" "$t/tree/.hidden"
trap 'rm -rf "$t"' EXIT
cp ../../corpus/input-bad-base64.eml "$t/tree/b/z.eml"
cp ../../corpus/input-bad-base64.eml "$t/tree/a/y.eml"
cp ../../corpus/input-bad-base64.eml "$t/tree/.hidden/x.eml"
cp ../../corpus/input-bad-base64.eml "$t/tree/notes.md"
cd "$t" && "$SENDLINT" --color=never --format=json tree | grep -o '"path":"[^"]*"'
echo "exit $?"
