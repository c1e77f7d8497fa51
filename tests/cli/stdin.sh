# '-' reads standard input; --stdin-filename names it in diagnostics.
run() { "$SENDLINT" --color=never "$@"; echo "exit $?"; }
run - < ../../corpus/input-bad-base64.eml
run --stdin-filename=templates/bad.eml - < ../../corpus/input-bad-base64.eml
