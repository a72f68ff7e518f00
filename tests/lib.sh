# lib.sh - TAP helpers for the shell tests.  Source it; set GILBENCH to the
# binary under test (the Makefile's wrappers do).  Each test prints its plan
# at the end with done_testing.
GILBENCH=${GILBENCH:-build/gilbench}
TEST_COUNT=0
TEST_FAILED=0

# ok STATUS DESCRIPTION: passes when STATUS is 0.
ok() {
    TEST_COUNT=$((TEST_COUNT + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $TEST_COUNT - $2"
    else
        echo "not ok $TEST_COUNT - $2"
        TEST_FAILED=$((TEST_FAILED + 1))
    fi
}

# check DESCRIPTION COMMAND...: passes when the command succeeds (its
# stdout is dropped: only TAP goes to stdout).
check() {
    description=$1
    shift
    if "$@" >/dev/null; then ok 0 "$description"; else ok 1 "$description"; fi
}

diag() {
    printf '%s\n' "$@" | sed 's/^/# /'
}

done_testing() {
    echo "1..$TEST_COUNT"
    [ "$TEST_FAILED" -eq 0 ]
}

# run_capture COMMAND...: runs it, leaving $OUT, $ERR and $STATUS.
run_capture() {
    OUT=$("$@" 2>"$TEST_TMP/stderr") && STATUS=0 || STATUS=$?
    ERR=$(cat "$TEST_TMP/stderr")
}

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/gilbench-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT
