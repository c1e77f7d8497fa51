# A rule directory written from the README alone, and a project that uses
# it through .sendlint.yml (rules dir, a disabled bundled rule, fail-level,
# vocabulary, severity by group) with an inline suppression in a template.
run() { "$SENDLINT" --color=never "$@"; echo "exit $?"; }
run --check-rules ../rules/readme-user
run ../rules/readme-user-project/
