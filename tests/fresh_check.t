#!/bin/bash
# fresh_check.t - scripts/fresh-check.sh reads exactly README.md's two set-up
# commands and refuses what it cannot check: a README without them, a
# non-root user, a bad FRESH_SUITE.  It never builds a Debian root here
# (debootstrap takes minutes); the real check is `scripts/fresh-check.sh`.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
script=scripts/fresh-check.sh

# refused DESCRIPTION PATTERN COMMAND...: exits 2 with one line on stderr
# matching PATTERN and nothing on stdout.
refused() {
    local description=$1 pattern=$2
    shift 2
    run_capture "$@"
    if [ "$STATUS" -eq 2 ] && [ "$(printf '%s\n' "$ERR" | grep -c .)" -eq 1 ] &&
        grep -q -- "$pattern" <<<"$ERR" && [ -z "$OUT" ]; then
        ok 0 "refused: $description"
    else
        ok 1 "refused: $description"
        diag "status $STATUS, stdout: $OUT, stderr: $ERR"
    fi
}

fence='```'
# readme FILE LINE...: a README whose Set-up block has these lines.
readme() {
    local file=$1
    shift
    {
        printf '# x\n\n## Set-up\n\nFrom a clone:\n\n'
        echo "$fence"sh
        printf '%s\n' "$@"
        echo "$fence"
        printf '\nThen:\n\n'
        printf '%s\n' "${fence}sh" 'apt-get install -y jq' "$fence"
    } >"$file"
}

run_capture "$script" --print-commands
check "the real README.md gives exactly two commands" \
    test "$STATUS" -eq 0 -a "$(grep -c . <<<"$OUT")" -eq 2 -a -z "$ERR"
check "... and they are make commands" test -z "$(grep -v '^make ' <<<"$OUT")"

readme "$TEST_TMP/two.md" 'make bench    # the sweep' '' '# a note' '  make test'
run_capture "$script" --print-commands "$TEST_TMP/two.md"
check "comments, blank lines and indentation are dropped; the later sh block is not read" \
    test "$STATUS" -eq 0 -a "$OUT" = $'make bench\nmake test'

readme "$TEST_TMP/three.md" 'make bench' 'make test' 'make calibrate   # also'
refused "a Set-up block with three commands" "has 3 commands; exactly 2" \
    "$script" --print-commands "$TEST_TMP/three.md"
readme "$TEST_TMP/one.md" 'make bench'
refused "a Set-up block with one command" "has 1 commands" "$script" --print-commands "$TEST_TMP/one.md"
sed 's/^## Set-up$/## Install/' "$TEST_TMP/two.md" >"$TEST_TMP/none.md"
refused "a README without a Set-up section" "has 0 commands" "$script" --print-commands "$TEST_TMP/none.md"
printf '%s\n' '## Set-up' '' 'Run make.' '' '## Usage' '' "${fence}sh" 'make bench' 'make test' "$fence" \
    >"$TEST_TMP/later.md"
refused "a Set-up section without a sh block (a later section's block is not taken)" "has 0 commands" \
    "$script" --print-commands "$TEST_TMP/later.md"
refused "a README that does not exist" "cannot read" "$script" --print-commands "$TEST_TMP/absent.md"
refused "an unknown argument" "unknown argument '--nope'" "$script" --nope

refused "FRESH_SUITE='bad value!'" "FRESH_SUITE='bad value!' is not a Debian suite name" \
    env FRESH_SUITE='bad value!' FRESH_CACHE="$TEST_TMP/cache" "$script"
refused "FRESH_SUITE='../stable'" "FRESH_SUITE=" env FRESH_SUITE=../stable FRESH_CACHE="$TEST_TMP/cache" "$script"
check "... and nothing is made in the cache" test ! -e "$TEST_TMP/cache"

# Not root: as this user, or as nobody when this is root.  nobody needs a
# copy of the script it can read.
chmod 711 "$TEST_TMP"
install -m 755 -d "$TEST_TMP/public"
install -m 755 "$script" "$TEST_TMP/public/fresh-check.sh"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
    if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
        as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    elif su nobody -s /bin/sh -c true 2>/dev/null; then
        # shellcheck disable=SC2016 # su's shell expands them
        as_user=(su nobody -s /bin/sh -c '"$0" "$@"')
    fi
fi
if [ "$(id -u)" -ne 0 ] || [ ${#as_user[@]} -gt 0 ]; then
    refused "a run that is not root" "^gilbench: fresh-check needs root (debootstrap and chroot)$" \
        env -C / "${as_user[@]}" /bin/bash "$TEST_TMP/public/fresh-check.sh"
else
    echo "ok $((TEST_COUNT + 1)) # skip neither setpriv nor su can run the check as another user"
    TEST_COUNT=$((TEST_COUNT + 1))
fi

done_testing
