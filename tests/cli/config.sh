# Configuration discovery and precedence, and invalid rules or
# configuration (exit 4, nothing linted).
t=${TMPDIR:-/tmp}/sendlint-config.$$
mkdir -p "$t/project/sub"
trap 'rm -rf "$t"' EXIT
cp ../../corpus/subject-plain-exclamations.eml "$t/project/sub/sale.eml"
run() {
	"$SENDLINT" --color=never "$@" >"$t/out" 2>&1
	rc=$?
	sed "s|$t/||g" "$t/out"
	echo "exit $rc"
}
echo "== no configuration: the exclamation warning"
(cd "$t" && run project/sub/sale.eml) | grep -c 'subject/exclamations'
echo "== a .sendlint.yml two levels up disables it"
printf 'disable: [subject/exclamations]\n' > "$t/project/.sendlint.yml"
(cd "$t" && run project/sub/sale.eml)
echo "== the command line overrides the file"
(cd "$t" && run --enable=subject/exclamations project/sub/sale.eml) | grep -c 'subject/exclamations'
echo "== --no-config ignores it"
(cd "$t" && run --no-config project/sub/sale.eml) | grep -c 'subject/exclamations'
echo "== a nearer file wins; fail-level from the file"
printf 'fail-level: warning\n' > "$t/project/sub/.sendlint.yml"
(cd "$t" && run project/sub/sale.eml) | tail -n 2
echo "== an invalid configuration"
printf 'fail-levle: warning\n' > "$t/project/sub/.sendlint.yml"
(cd "$t" && run project/sub/sale.eml)
echo "== an invalid rule directory"
run --rules=../rules/bad-keys ../../corpus/subject-plain-exclamations.eml
echo "== selections that name no rule: at their place in the file"
printf 'disable: [tone/nope, subject/all-capz]\nseverity:\n  tone/x: error\n' > "$t/project/sub/.sendlint.yml"
(cd "$t" && run --enable=bogus project/sub/sale.eml)
echo "== files under different configuration files in one run (one context each)"
mkdir -p "$t/other"
printf 'disable: [subject/exclamations]\n' > "$t/other/.sendlint.yml"
printf 'fail-level: none\n' > "$t/project/sub/.sendlint.yml"
cp ../../corpus/subject-plain-exclamations.eml "$t/other/sale.eml"
(cd "$t" && run --jobs=2 project/sub/sale.eml other/sale.eml other/sale.eml project/sub/sale.eml) | grep -c 'subject/exclamations'
