#!/bin/bash
# pythons.sh - builds the two CPython interpreters `make calibrate` sets
# beside the model: the default build (one GIL) and the free-threaded build
# (--disable-gil), both from one upstream tarball of Debian's python3.13
# source package, verified against Debian's signed metadata.  Installed under
# PYTHONS_DIR (default ~/.cache/gilbench/python): gil/bin/python3.13 and
# nogil/bin/python3.13t.  A build already there is kept; PYTHONS_REBUILD=1
# rebuilds both.  One line per step, the total time at the end.
#
# The chain of trust: dists/SUITE/InRelease, checked with gpgv against the
# machine's Debian archive keyring; it gives the SHA-256 of the suite's
# main/source/Sources.xz; that index gives the SHA-256 of the tarball.  apt's
# own downloader (apt-helper) fetches each file and refuses a wrong hash.
set -eu
. "$(dirname "$0")/lib.sh"

suite=${PYTHONS_SUITE:-trixie}
source_package=python3.13
dir=$(pythons_dir)
keyring=${PYTHONS_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
jobs=$(usable_cpus)
started=$(date +%s)

step() { echo "gilbench: pythons: $* ($(( $(date +%s) - started )) s)" >&2; }
die() { echo "gilbench: pythons: $*" >&2; exit 1; }

# built FLAVOUR: its interpreter is installed and was verified.
built() { [ -f "$dir/$1/.gilbench-verified" ]; }

[ "${PYTHONS_REBUILD:-0}" != 1 ] || rm -f "$dir/gil/.gilbench-verified" "$dir/nogil/.gilbench-verified"
if built gil && built nogil; then
    step "already built in $dir: $(cat "$dir/gil/.gilbench-verified"); $(cat "$dir/nogil/.gilbench-verified")"
    exit 0
fi

# The mirror apt already uses for Debian (not its security archive), or
# DEBIAN_MIRROR.  deb822 .sources files first, then one-line sources.list.
mirror() {
    [ -z "${DEBIAN_MIRROR:-}" ] || { echo "$DEBIAN_MIRROR"; return; }
    cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' | grep . && return
    cat /etc/apt/sources.list 2>/dev/null |
        awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' | grep . && return
    return 1
}
base=$(mirror) || die "no Debian mirror found in /etc/apt/sources.list*; set DEBIAN_MIRROR=http://<mirror>/debian"
base=${base%/}

command -v gpgv >/dev/null 2>&1 || die "gpgv is missing (Debian package gpgv)"
[ -r "$keyring" ] || die "no Debian archive keyring at $keyring (Debian package debian-archive-keyring)"
helper=/usr/lib/apt/apt-helper
[ -x "$helper" ] || die "apt's downloader $helper is missing (Debian package apt)"

# fetch URL FILE [SHA256]: download (hash-checked when given) unless already there.
fetch() {
    [ -n "${3:-}" ] && [ -f "$2" ] && [ "$(sha256sum "$2" | cut -d' ' -f1)" = "$3" ] && return 0
    rm -f "$2"
    "$helper" download-file "$1" "$2" ${3:+"SHA256:$3"} >"$2.log" 2>&1 ||
        { tail -n 3 "$2.log" >&2; die "could not download $1"; }
    rm -f "$2.log"
}

src="$dir/source"
mkdir -p "$src"
step "verifying Debian $suite's source index from $base"
fetch "$base/dists/$suite/InRelease" "$src/InRelease"
gpgv --keyring "$keyring" "$src/InRelease" >"$src/gpgv.log" 2>&1 ||
    { cat "$src/gpgv.log" >&2; die "the signature of $suite's InRelease did not verify against $keyring"; }
index_sha=$(awk '/^SHA256:/ { on = 1; next } /^[^ ]/ { on = 0 } on && $3 == "main/source/Sources.xz" { print $1; exit }' "$src/InRelease")
[ -n "$index_sha" ] || die "$suite's InRelease names no main/source/Sources.xz"
fetch "$base/dists/$suite/main/source/Sources.xz" "$src/Sources.xz" "$index_sha"

# The package's stanza: its directory and its upstream tarball's hash.
stanza=$(xz -dc "$src/Sources.xz" | awk -v p="$source_package" '
    /^Package:/ { on = ($2 == p) } on { print } on && /^$/ { exit }')
[ -n "$stanza" ] || die "$suite has no source package $source_package"
directory=$(printf '%s\n' "$stanza" | awk '/^Directory:/ { print $2; exit }')
version=$(printf '%s\n' "$stanza" | awk '/^Version:/ { print $2; exit }')
set -- $(printf '%s\n' "$stanza" | awk '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 }
    on && $3 ~ /\.orig\.tar\.xz$/ { print $1, $3; exit }')
[ $# = 2 ] || die "$source_package $version lists no .orig.tar.xz"
tarball_sha=$1 tarball=$2
upstream=${tarball#"${source_package}_"}
upstream=${upstream%.orig.tar.xz}
step "fetching $tarball (Debian $source_package $version, SHA-256 checked)"
fetch "$base/$directory/$tarball" "$src/$tarball" "$tarball_sha"

# build FLAVOUR CONFIGURE-FLAGS...: a clean tree each time (an out-of-tree
# build refuses a tree configured in place), installed into a fresh prefix.
build() {
    flavour=$1; shift
    prefix="$dir/$flavour"
    tree="$dir/build-$flavour"
    log="$dir/$flavour.log"
    rm -rf "$tree" "$prefix"
    mkdir -p "$tree"
    tar -xJf "$src/$tarball" -C "$tree" --strip-components=1
    step "building $upstream ($flavour: ./configure $*; make -j$jobs; log $log)"
    # No test modules (_testcapi...) and no pip: nothing gilbench runs needs them.
    if ! ( cd "$tree" && ./configure --prefix="$prefix" --without-ensurepip --disable-test-modules "$@" &&
           make -j"$jobs" && make install ) >"$log" 2>&1; then
        tail -n 15 "$log" >&2
        die "building the $flavour interpreter failed; the whole log is $log"
    fi
    rm -rf "$tree"
}

# verify FLAVOUR PROGRAM KIND EXPECTED-GIL: the interpreter runs, has
# ctypes, and its GIL is what the build promises, run as make calibrate
# runs a CPython of KIND (python_env).
verify() {
    python="$dir/$1/bin/$2"
    # shellcheck disable=SC2046
    report=$(env $(python_env "$3") "$python" -c '
import sys, sysconfig, ctypes
print(sys.version.split()[0], "gil_enabled=%s" % sys._is_gil_enabled(),
      "Py_GIL_DISABLED=%s" % sysconfig.get_config_var("Py_GIL_DISABLED"))' 2>&1) ||
        die "the $1 interpreter $python does not run: $report"
    case $report in
        *" gil_enabled=$4 "*) ;;
        *) die "the $1 interpreter reports $report; expected gil_enabled=$4" ;;
    esac
    echo "$python $report" >"$dir/$1/.gilbench-verified"
    step "verified $python: $report"
}

built gil || { build gil; verify gil python3.13 gil True; }
built nogil || { build nogil --disable-gil; verify nogil python3.13t free False; }
step "done: $dir/gil/bin/python3.13 and $dir/nogil/bin/python3.13t"
