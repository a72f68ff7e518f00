#!/bin/sh
# check-deps.sh - names whatever `make test` or `make bench` needs and this
# machine lacks, with the Debian command that installs it.
# Usage: check-deps.sh test|bench      Exit status 0, or 2 when something is missing.
set -u
need=$1
missing_commands="" packages=""

want() { # want COMMAND PACKAGE
    if ! command -v "$1" >/dev/null 2>&1; then
        missing_commands="$missing_commands $1"
        packages="$packages $2"
    fi
}

want cc build-essential
want pkg-config pkg-config
want jq jq
if command -v pkg-config >/dev/null 2>&1 && ! pkg-config --exists openblas; then
    missing_commands="$missing_commands OpenBLAS"
    packages="$packages libopenblas-pthread-dev"
fi
if command -v pkg-config >/dev/null 2>&1 && ! pkg-config --exists zlib; then
    missing_commands="$missing_commands zlib"
    packages="$packages zlib1g-dev"
fi
case $need in
    test) want prove perl ;;
    bench) want hyperfine hyperfine; want gnuplot gnuplot-nox ;;
    *) echo "check-deps.sh: unknown target '$need'; accepted: test, bench" >&2; exit 2 ;;
esac

if [ -n "$missing_commands" ]; then
    echo "gilbench: missing:$missing_commands; install with: apt-get install -y$packages" >&2
    exit 2
fi
