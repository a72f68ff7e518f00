#!/bin/bash
# setup.t - scripts/check-deps.sh, which `make bench`, `make test` and
# `make calibrate` run first: every missing package is found on its own (not
# through pkg-config alone), named in one line with exit 2 when installing is
# not allowed or possible, and installed with one apt-get update and one
# apt-get install line otherwise.  apt-get, dpkg-query and id are fakes on a
# PATH of the test's own, so nothing is installed for real.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

# A PATH with the real tools, minus dpkg-query (so each package is judged by
# what it provides) and minus the ones a test takes away.
bin="$TEST_TMP/bin"
mkdir -p "$bin"
for tool in sh cc make pkg-config jq prove perl gnuplot hyperfine column awk grep sed cat chmod mkdir \
    pgrep ps chromium mpirun mpicc localedef dirname; do
    path=$(command -v "$tool") && ln -s "$path" "$bin/$tool"
done
[ -x /usr/bin/python3 ] || diag "no /usr/bin/python3: the python3 packages count as missing here"
fake_id() { printf '#!/bin/sh\necho %s\n' "$1" > "$bin/id"; chmod +x "$bin/id"; }
fake_id 0
# The fake apt-get logs its arguments; `install` makes a working command of
# each package named (the package name itself), so the re-check can pass.
cat > "$bin/apt-get" <<EOF
#!/bin/sh
echo "\$*" >> "$TEST_TMP/apt.log"
[ "\$1" = install ] || exit 0
for p in "\$@"; do
    case \$p in -*|install) ;; *) printf '#!/bin/sh\n' > "$bin/\$p"; chmod +x "$bin/\$p" ;; esac
done
EOF
chmod +x "$bin/apt-get"
deps() { run_capture env PATH="$bin" "$@"; }

rm "$bin/hyperfine" "$bin/column"
deps INSTALL=0 sh scripts/check-deps.sh bench
check "INSTALL=0: missing hyperfine and column are named in one line, with exit 2" \
    test "$STATUS" -eq 2 -a "$ERR" = "gilbench: missing: hyperfine bsdextrautils (INSTALL=0 forbids installing); install with: apt-get install -y hyperfine bsdextrautils"
check "INSTALL=0 runs no apt-get" test ! -e "$TEST_TMP/apt.log"

fake_id 1000
deps sh scripts/check-deps.sh bench
check "not root: the same line says installing needs root" \
    grep -qx "gilbench: missing: hyperfine bsdextrautils (installing needs root); install with: apt-get install -y hyperfine bsdextrautils" <<<"$ERR"
fake_id 0

mv "$bin/apt-get" "$TEST_TMP/apt-get"
deps sh scripts/check-deps.sh bench
check "no apt-get: named, exit 2" test "$STATUS" -eq 2 -a -n "$(grep -x '.*(this machine has no apt-get); install with: .*' <<<"$ERR")"
mv "$TEST_TMP/apt-get" "$bin/apt-get"

deps sh scripts/check-deps.sh bench
check "as root: the install line is printed before it runs" \
    grep -qx "gilbench: installing what make bench needs: apt-get install -y hyperfine bsdextrautils" <<<"$ERR"
check "apt-get update once, then one install line with every package" \
    test "$(cat "$TEST_TMP/apt.log")" = "update -q
install -y -q --no-install-recommends hyperfine bsdextrautils"
# The fake made a command "hyperfine", but "bsdextrautils" provides no
# column: the re-check after apt-get says so.
check "a package still missing after apt-get fails the check, named" \
    test "$STATUS" -eq 2 -a "$(tail -n1 <<<"$ERR")" = "gilbench: still missing after apt-get: bsdextrautils"
rm -f "$TEST_TMP/apt.log" "$bin/bsdextrautils" "$bin/hyperfine"
ln -s "$(command -v column)" "$bin/column"
deps sh scripts/check-deps.sh bench
check "once apt-get has made every command, the check passes" \
    test "$STATUS" -eq 0 -a "$(tail -n1 <<<"$ERR")" = "gilbench: installed hyperfine"
rm -f "$TEST_TMP/apt.log" "$bin/hyperfine"
ln -s "$(command -v hyperfine)" "$bin/hyperfine"

# Libraries without dpkg: found through pkg-config, and named when missing.
deps INSTALL=0 PKG_CONFIG_LIBDIR="$TEST_TMP/nothing" PKG_CONFIG_PATH= sh scripts/check-deps.sh bench
check "missing OpenBLAS and zlib are named by package" \
    grep -q "missing: libopenblas-pthread-dev zlib1g-dev " <<<"$ERR"
rm "$bin/pkg-config"
deps INSTALL=0 sh scripts/check-deps.sh bench
check "without pkg-config the libraries are named too, in the same line" \
    grep -q "missing: pkg-config libopenblas-pthread-dev zlib1g-dev (INSTALL=0" <<<"$ERR"
ln -s "$(command -v pkg-config)" "$bin/pkg-config"

# make test needs what its tests use: no test is skipped for a package.
rm -f "$bin/chromium" "$bin/mpirun" "$bin/mpicc" "$bin/pgrep"
deps INSTALL=0 sh scripts/check-deps.sh test
check "make test names Chromium, Open MPI and procps when they are missing" \
    grep -q "missing: procps .*chromium openmpi-bin libopenmpi-dev" <<<"$ERR"
deps INSTALL=0 sh scripts/check-deps.sh bench
check "make bench needs none of them" test "$STATUS" -eq 0

deps INSTALL=0 sh scripts/check-deps.sh --no-install bench
check "--no-install (a plain make) only names, saying who installs" test "$STATUS" -eq 0
rm "$bin/hyperfine"
deps sh scripts/check-deps.sh --no-install bench
check "--no-install never runs apt-get" test "$STATUS" -eq 2 -a ! -e "$TEST_TMP/apt.log"
check "--no-install says make bench and make test install it" \
    grep -q "(make bench and make test install them themselves)" <<<"$ERR"

run_capture scripts/check-deps.sh nonsense
check "check-deps refuses an unknown target" test "$STATUS" -eq 2

done_testing
