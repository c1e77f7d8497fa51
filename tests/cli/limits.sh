# Hostile inputs: each must give a clear diagnostic (or none), quickly,
# never a crash or a hang.  Inputs are generated, not stored.
t=${TMPDIR:-/tmp}/sendlint-limits.$$
mkdir -p "$t"
trap 'rm -rf "$t"' EXIT
run() { "$SENDLINT" --color=never "$@"; echo "exit $?"; }

echo "== empty file"
: > "$t/empty.eml"
(cd "$t" && run empty.eml)

echo "== binary garbage"
awk 'BEGIN { x = 12345; for (i = 0; i < 3000; i++) { x = (x * 1103515245 + 12345) % 2147483648; printf "%c", 1 + int(x / 65536) % 255 } }' > "$t/garbage.eml"
(cd "$t" && run garbage.eml) | tail -n 2

echo "== a 20 MB single line"
head -c 20000000 /dev/zero | tr '\0' 'a' > "$t/line.txt"
(cd "$t" && run line.txt)

echo "== a 20 MB header line"
{ printf 'From: a@example.org\nSubject: '; head -c 20000000 /dev/zero | tr '\0' 'b'; printf '\n\nbody\n'; } > "$t/hline.eml"
(cd "$t" && run hline.eml) | cut -c 1-160

echo "== 10,000 nested multiparts"
awk 'BEGIN { printf "From: a@example.org\nSubject: nest\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n";
	for (i = 0; i < 10000; i++) printf "--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n", i, i + 1;
	printf "--b10000\nContent-Type: text/plain\n\ndeep\n";
	for (i = 10000; i >= 0; i--) printf "--b%d--\n", i }' > "$t/nest.eml"
(cd "$t" && run nest.eml)

echo "== HTML nested 100,000 deep"
awk 'BEGIN { printf "<html><body>"; for (i = 0; i < 100000; i++) printf "<div>"; printf "deep text"; for (i = 0; i < 100000; i++) printf "</div>"; printf "<p>after the nesting</p></body></html>\n" }' > "$t/deep.html"
(cd "$t" && run deep.html)

echo "== a file that cannot be read"
(cd "$t" && run missing.eml)
(cd "$t" && run empty.eml/child.eml)
