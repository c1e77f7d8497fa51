# Usage errors exit 3 with a message on stderr; --version and --help exit 0.
run() { "$SENDLINT" "$@"; echo "exit $?"; }
run --version | sed 's/^sendlint [0-9][0-9.]*$/sendlint VERSION/'
run --format=xml ../../corpus/encoded-subject.eml
run --fail-level=fatal ../../corpus/encoded-subject.eml
run --max-risk=101 ../../corpus/encoded-subject.eml
run --limit=mime-depth ../../corpus/encoded-subject.eml
run --limit=frobs=3 ../../corpus/encoded-subject.eml
run --no-such-option
run
run --help | head -n 1
