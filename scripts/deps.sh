#!/bin/sh
# scripts/deps.sh - make sure the Debian packages sendlint builds and tests
# with are installed.  As root it installs what is missing with apt-get;
# otherwise it prints the command to run.
set -u
pkgs="build-essential pkg-config libxml2-dev libpcre2-dev libyaml-dev libhunspell-dev hunspell-en-us"
# optional, for the full test suite: clang (fuzzing), python3 and the
# Python test suite's real MIME messages (differential test)
opt="clang libclang-rt-14-dev python3 libpython3.11-testsuite"
missing=""
for p in $pkgs $opt; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: every package is installed"
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: not a Debian system; install the equivalents of:$missing" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
apt-get update -qq >/dev/null 2>&1 || true
# optional packages may not exist on every release; install one by one
for p in $missing; do
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null 2>&1 ||
		echo "deps: could not install $p" >&2
done
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || {
		echo "deps: required package $p is still missing" >&2
		exit 1
	}
done
echo "deps: done"
