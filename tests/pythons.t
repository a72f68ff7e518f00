#!/bin/bash
# pythons.t - make pythons' fetch, check and build steps without building
# CPython: a fake mirror (file://) whose InRelease is signed with a key made
# here, whose Sources.xz lists a stand-in tarball (a `configure` that installs
# a wrapper around this machine's python3).  A build already verified is
# reused; a bad signature, a tarball whose hash differs, and a "free-threaded"
# build whose GIL is on are each refused with one line and exit 1.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the interpreters' build script"
if ! command -v gpg >/dev/null; then
    ok 0 "# skip gpg is not installed (make test installs it)"
    done_testing; exit
fi

home=$TEST_TMP/gnupg mirror=$TEST_TMP/mirror
mkdir -p "$home" "$mirror/dists/trixie/main/source" "$mirror/pool/main/p/python3.13"
chmod 700 "$home"
run_capture gpg --batch --homedir "$home" --passphrase '' --quick-gen-key 'gilbench test <test@invalid>' ed25519 sign never
gpg --batch --homedir "$home" --export > "$TEST_TMP/key.gpg" 2>/dev/null
check "a signing key for the fake mirror is made (gpg and gpg-agent)" test -s "$TEST_TMP/key.gpg"
[ -s "$TEST_TMP/key.gpg" ] || diag "$ERR"

# make_tarball GIL_OF_THE_FREE_BUILD: the stand-in source tree; its python
# says its GIL is on unless configured --disable-gil (then as told).
make_tarball() {
    local tree=$TEST_TMP/python-3.13.5
    rm -rf "$tree"; mkdir -p "$tree"
    cat > "$tree/configure" <<CONF
#!/bin/sh
prefix=; name=python3.13; gil=True
for a; do case \$a in --prefix=*) prefix=\${a#--prefix=} ;; --disable-gil) name=python3.13t; gil=$1 ;; esac; done
printf 'all:\n\t@:\ninstall:\n\tmkdir -p %s/bin && printf "%%s\\\\n" "#!/bin/sh" "exec /usr/bin/python3 -c \\\\"import sys; sys._is_gil_enabled = lambda: %s; exec(sys.argv[1])\\\\" \\\\"\\\\\$\$2\\\\"" > %s/bin/%s && chmod +x %s/bin/%s\n' "\$prefix" "\$gil" "\$prefix" "\$name" "\$prefix" "\$name" > Makefile
CONF
    chmod +x "$tree/configure"
    tar -cJf "$mirror/pool/main/p/python3.13/python3.13_3.13.5.orig.tar.xz" -C "$TEST_TMP" python-3.13.5
}
# publish [TARBALL_SHA]: Sources.xz naming the tarball, InRelease signed.
publish() {
    local tarball=$mirror/pool/main/p/python3.13/python3.13_3.13.5.orig.tar.xz sha
    sha=${1:-$(sha256sum "$tarball" | cut -d' ' -f1)}
    printf 'Package: python3.13\nVersion: 3.13.5-2\nDirectory: pool/main/p/python3.13\nChecksums-Sha256:\n %s %s python3.13_3.13.5.orig.tar.xz\n\n' \
        "$sha" "$(stat -c %s "$tarball")" | xz > "$mirror/dists/trixie/main/source/Sources.xz"
    printf 'Suite: trixie\nSHA256:\n %s %s main/source/Sources.xz\n' \
        "$(sha256sum "$mirror/dists/trixie/main/source/Sources.xz" | cut -d' ' -f1)" \
        "$(stat -c %s "$mirror/dists/trixie/main/source/Sources.xz")" |
        gpg --batch --homedir "$home" --yes --clearsign -o "$mirror/dists/trixie/InRelease" 2>/dev/null
}
pythons() { # pythons DIR [VAR=VALUE...]
    local dir=$1; shift
    run_capture env PYTHONS_DIR="$dir" DEBIAN_MIRROR="file://$mirror" PYTHONS_KEYRING="$TEST_TMP/key.gpg" "$@" \
        bash scripts/pythons.sh
}

make_tarball False
publish
pythons "$TEST_TMP/ok"
check "a verified source builds both interpreters" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
check "... each verified: the GIL build with its GIL" \
    grep -q 'gil_enabled=True' "$TEST_TMP/ok/gil/.gilbench-verified"
check "... the free-threaded one without" grep -q 'gil_enabled=False' "$TEST_TMP/ok/nogil/.gilbench-verified"
check "... one line per step" grep -q 'pythons: building 3.13.5 (nogil' <<<"$ERR"
pythons "$TEST_TMP/ok" DEBIAN_MIRROR=file:///nonexistent
check "a build already there is kept, without the mirror" test "$STATUS" -eq 0
check "... and says so" grep -q 'already built' <<<"$ERR"
pythons "$TEST_TMP/ok" PYTHONS_REBUILD=1
check "PYTHONS_REBUILD=1 builds both again" \
    test "$STATUS" -eq 0 -a "$(grep -c 'pythons: building 3.13.5' <<<"$ERR")" -eq 2

pythons "$TEST_TMP/badsig" PYTHONS_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
check "an InRelease not signed by the keyring's keys is refused (exit 1, one line)" \
    test "$STATUS" -eq 1 -a "$(grep -c '^gilbench: pythons: the signature' <<<"$ERR")" -eq 1
check "... and nothing is built" test ! -e "$TEST_TMP/badsig/gil"

publish 0000000000000000000000000000000000000000000000000000000000000000
pythons "$TEST_TMP/badsum"
check "a tarball whose SHA-256 is not the index's is refused (exit 1)" \
    test "$STATUS" -eq 1 -a -n "$(grep '^gilbench: pythons: could not download' <<<"$ERR")"
check "... and not kept" test ! -e "$TEST_TMP/badsum/source/python3.13_3.13.5.orig.tar.xz"

make_tarball True
publish
pythons "$TEST_TMP/gilon"
check "a free-threaded build whose GIL is on is refused (exit 1)" \
    test "$STATUS" -eq 1 -a -n "$(grep 'expected gil_enabled=False' <<<"$ERR")"
check "... and not marked as built" test ! -e "$TEST_TMP/gilon/nogil/.gilbench-verified"

# A machine with no compiler (and no dpkg to ask): only grep and id.
mkdir -p "$TEST_TMP/bin"
ln -s "$(command -v grep)" "$(command -v id)" "$TEST_TMP/bin/"
run_capture env INSTALL=0 PATH="$TEST_TMP/bin" /bin/sh scripts/check-deps.sh pythons
check "a missing build dependency is named in one line, exit 2" \
    test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1 -a -n "$(grep 'apt-get install -y build-essential' <<<"$ERR")"

done_testing
