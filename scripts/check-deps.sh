#!/bin/sh
# check-deps.sh - names whatever `make test` or `make bench` needs and this
# machine lacks, with the Debian command that installs it.
# Usage: check-deps.sh test|bench|calibrate   Exit status 0, or 2 when
# something is missing.  For calibrate, Debian's python3 and python3-numpy are
# installed when missing if this runs as root with apt-get and INSTALL is not
# 0 (and PYTHON names no interpreter of the user's own).
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
    test)
        want prove perl
        # calibrate.t runs the Python workloads with Debian's Python and NumPy.
        if ! /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1; then
            missing_commands="$missing_commands python3-numpy"
            packages="$packages python3 python3-numpy"
        fi
        ;;
    bench) want hyperfine hyperfine; want gnuplot gnuplot-nox ;;
    calibrate)
        want hyperfine hyperfine; want gnuplot gnuplot-nox
        python=${PYTHON:-/usr/bin/python3}
        if ! "$python" -c 'import numpy' >/dev/null 2>&1; then
            if [ -z "${PYTHON:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 &&
                [ "${INSTALL:-1}" != 0 ]; then
                echo "gilbench: make calibrate needs python3 and python3-numpy; installing them (apt-get install -y python3 python3-numpy)" >&2
                export DEBIAN_FRONTEND=noninteractive
                { apt-get install -y -q python3 python3-numpy ||
                    { apt-get update -q && apt-get install -y -q python3 python3-numpy; }; } >&2 </dev/null ||
                    { echo "gilbench: could not install python3 python3-numpy with apt-get (see above)" >&2; exit 2; }
            else
                missing_commands="$missing_commands NumPy (for $python)"
                packages="$packages python3 python3-numpy"
            fi
        fi
        ;;
    *) echo "check-deps.sh: unknown target '$need'; accepted: test, bench, calibrate" >&2; exit 2 ;;
esac

if [ -n "$missing_commands" ]; then
    echo "gilbench: missing:$missing_commands; install with: apt-get install -y$packages" >&2
    exit 2
fi
