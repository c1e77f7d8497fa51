# --jobs lints on several threads; the output is identical to one thread.
"$SENDLINT" --color=never ../../corpus > "${TMPDIR:-/tmp}/j1.$$"; a=$?
"$SENDLINT" --color=never --jobs=4 ../../corpus > "${TMPDIR:-/tmp}/j4.$$"; b=$?
cmp -s "${TMPDIR:-/tmp}/j1.$$" "${TMPDIR:-/tmp}/j4.$$" && echo "same output" || echo "outputs differ"
# the short option takes its value attached, as make's -j does
"$SENDLINT" --color=never -j3 ../../corpus > "${TMPDIR:-/tmp}/j4.$$"; c=$?
cmp -s "${TMPDIR:-/tmp}/j1.$$" "${TMPDIR:-/tmp}/j4.$$" && echo "same output" || echo "outputs differ"
echo "exit $a $b $c"
rm -f "${TMPDIR:-/tmp}/j1.$$" "${TMPDIR:-/tmp}/j4.$$"
