#!/bin/sh
# check-deps.sh - finds every Debian package that `make bench`, `make test`
# or `make calibrate` needs and this machine lacks, and installs them: when
# run as root with apt-get (and INSTALL is not 0), `apt-get update` once and
# one `apt-get install -y` line, printed before it runs.  Otherwise it names
# every missing package in one line and exits 2.
# Usage: check-deps.sh [--no-install] bench|test|calibrate|pythons|fresh-check|fuzz|mpi-hosts
# (--no-install: only name what is missing, for a plain `make`)
# Each package is checked on its own: installed according to dpkg, or found
# by what it provides (a command, a pkg-config module, a file), so a machine
# without dpkg or with a tool built by hand is judged by what it has.
set -u
no_install=""
[ "${1:-}" != --no-install ] || { no_install=1; shift; }
target=${1:-}
missing=""

# provides PACKAGE: succeeds when what PACKAGE provides is on this machine.
provides() {
    case $1 in
        build-essential) has cc && has make ;;
        pkg-config) has pkg-config ;;
        libopenblas-pthread-dev) has pkg-config && pkg-config --exists openblas ;;
        zlib1g-dev) has pkg-config && pkg-config --exists zlib ;;
        jq | hyperfine | perl | chromium | debootstrap) has "$1" && { [ "$1" != perl ] || has prove; } ;;
        gnuplot-nox) has gnuplot ;;
        bsdextrautils) has column ;;
        procps) has pgrep && has ps ;;
        python3) [ -x /usr/bin/python3 ] ;;
        python3-numpy) /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 ;;
        openmpi-bin) has mpirun ;;
        libopenmpi-dev) has mpicc ;;
        # The locale test builds de_DE from its source definition.
        locales) [ -f /usr/share/i18n/locales/de_DE ] && has localedef ;;
        libffi-dev) has pkg-config && pkg-config --exists libffi ;;
        libssl-dev) has pkg-config && pkg-config --exists openssl ;;
        liblzma-dev) has pkg-config && pkg-config --exists liblzma ;;
        libbz2-dev) [ -f /usr/include/bzlib.h ] ;;
        xz-utils) has xz ;;
        gpgv) has gpgv ;;
        gpg) has gpg ;;
        gpg-agent) has gpg-agent ;;
        debian-archive-keyring) [ -r /usr/share/keyrings/debian-archive-keyring.gpg ] ;;
        clang-14) has clang-14 ;;
        openssh-server) [ -x /usr/sbin/sshd ] ;;
        openssh-client) has ssh && has ssh-keygen ;;
        iproute2) has ip ;;
        libclang-rt-14-dev) ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ;;
        *) return 1 ;;
    esac
}
has() { command -v "$1" >/dev/null 2>&1; }

installed() { # installed PACKAGE: dpkg says so, or what it provides is here
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q ' installed$' || provides "$1"
}

# What each target needs.  bench: build the engine, time it (hyperfine),
# read and write its JSON (jq), draw (gnuplot), print tables (column), run
# the sweep's Python package (python3: make compare, make reproduce).
bench_packages="build-essential pkg-config libopenblas-pthread-dev zlib1g-dev hyperfine gnuplot-nox jq bsdextrautils python3"
case $target in
    bench) packages=$bench_packages ;;
    # The tests also run the sweep, the calibration (Python + NumPy), the
    # report in headless Chromium, the mpi mode, a locale test, and find
    # their processes with pgrep/ps; prove runs them.
    # gpg signs the fake Debian mirror of the interpreters' build test (it
    # makes its key through gpg-agent, which gpg only recommends); the
    # multi-host test makes network namespaces (iproute2) reached by ssh.
    test) packages="$bench_packages perl procps python3-numpy chromium openmpi-bin libopenmpi-dev locales gpg gpg-agent xz-utils openssh-server openssh-client iproute2" ;;
    calibrate)
        packages=$bench_packages
        # A PYTHON of the user's own is theirs (its blas_dgemm goes through
        # ctypes where it has no NumPy); Debian's NumPy is ours (and its
        # python3, which make bench's packages already have).
        if [ -z "${PYTHON:-}" ] || [ "$PYTHON" = /usr/bin/python3 ]; then
            packages="$packages python3-numpy"
        fi
        ;;
    # Two CPython interpreters from Debian's source (scripts/pythons.sh):
    # libffi-dev is what gives them ctypes, the rest their standard modules;
    # gpgv and the keyring check the source's signature.
    pythons) packages="build-essential pkg-config libffi-dev zlib1g-dev libssl-dev libbz2-dev liblzma-dev xz-utils gpgv debian-archive-keyring" ;;
    fresh-check) packages="debootstrap" ;;
    # make fuzz: libFuzzer comes with clang's runtime libraries; the shell
    # readers' mutations are made by a Python script.
    fuzz) packages="$bench_packages clang-14 libclang-rt-14-dev" ;;
    # make mpi-hosts-check: Open MPI, and namespaces as hosts reached by ssh.
    mpi-hosts) packages="$bench_packages openmpi-bin libopenmpi-dev openssh-server openssh-client iproute2" ;;
    *) echo "check-deps.sh: unknown target '$target'; accepted: bench, test, calibrate, pythons, fresh-check, fuzz, mpi-hosts" >&2; exit 2 ;;
esac

for package in $packages; do
    installed "$package" || missing="$missing $package"
done
[ -n "$missing" ] || exit 0

why=""
if [ -n "$no_install" ]; then
    why="make bench and make test install them themselves"
elif [ "${INSTALL:-1}" = 0 ]; then
    why="INSTALL=0 forbids installing"
elif [ "$(id -u)" != 0 ]; then
    why="installing needs root"
elif ! has apt-get; then
    why="this machine has no apt-get"
fi
if [ -n "$why" ]; then
    echo "gilbench: missing:$missing ($why); install with: apt-get install -y$missing" >&2
    exit 2
fi

echo "gilbench: installing what make $target needs: apt-get install -y$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
{ apt-get update -q && apt-get install -y -q --no-install-recommends $missing; } </dev/null >&2 ||
    { echo "gilbench: apt-get could not install$missing (see above)" >&2; exit 2; }
still=""
for package in $missing; do
    installed "$package" || still="$still $package"
done
[ -z "$still" ] || { echo "gilbench: still missing after apt-get:$still" >&2; exit 2; }
echo "gilbench: installed$missing" >&2
