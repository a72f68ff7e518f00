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

# skip_unless_plain_build: the sweep tests run build/gilbench (make bench
# builds it); under a sanitizer variant they report one skip and stop.
skip_unless_plain_build() {
    if [ "$GILBENCH" != build/gilbench ]; then
        echo "ok 1 # skip $1 runs the plain build; $GILBENCH is a sanitizer build"
        echo "1..1"
        exit 0
    fi
}

# copy_tree: a copy of the project (its Makefile, sources, workloads and
# scripts) in $TEST_TMP/tree, for a test that adds or changes workloads;
# sets tree.
copy_tree() {
    tree="$TEST_TMP/tree"
    mkdir -p "$tree"
    cp -r Makefile bench workloads scripts "$tree"/
}

# A tag for the environment of a test's runs, inherited by every worker,
# batch and helper process: how a test finds its own processes and no one
# else's.
TEST_TAG="GILBENCH_TEST_TAG=$$.$RANDOM"

# tagged_pids: the processes that carry TEST_TAG.
tagged_pids() {
    grep -lsxzF -- "$TEST_TAG" /proc/[0-9]*/environ | cut -d/ -f3
}

# no_tagged_process: no process carries TEST_TAG.
no_tagged_process() {
    [ -z "$(tagged_pids)" ]
}

# wait_for SECONDS COMMAND...: polls every 0.1 s until the command succeeds;
# fails if it has not within SECONDS.
wait_for() {
    local tenths=$(($1 * 10))
    shift
    while ! "$@"; do
        [ "$tenths" -gt 0 ] || return 1
        tenths=$((tenths - 1))
        sleep 0.1
    done
}

# kill_worker_during DESCRIPTION ARGS...: starts a long `gilbench run ARGS`
# with forked workers (procs; shares or pool), tagged, with --timeout 60;
# once its workers run, kills worker 1 (the engine's second child) with
# SIGKILL and expects the run to fail (exit 1: 124 would mean a hang until
# the timeout) with the line naming that worker, its pid and its signal, and
# no process of the run left.  Four checks (one when the workers never ran).
kill_worker_during() {
    local description=$1 engine victim="" status
    shift
    env "$TEST_TAG" "$GILBENCH" run --timeout 60 "$@" >/dev/null 2>"$TEST_TMP/killed.err" &
    engine=$!
    for _ in $(seq 100); do
        victim=$(pgrep -P "$engine" | sed -n 2p)
        [ -n "$victim" ] && break
        sleep 0.1
    done
    if [ -z "$victim" ]; then
        kill "$engine"
        wait "$engine"
        ok 1 "$description: the worker processes of the run could be found"
        return
    fi
    sleep 0.2
    kill -KILL "$victim"
    wait "$engine" && status=0 || status=$?
    ok $((status != 1)) "$description: the run fails (exit 1), without hanging"
    check "  and names the worker with its pid and signal" \
        grep -q "worker 1 (pid $victim) was killed by signal 9" "$TEST_TMP/killed.err"
    [ "$status" -eq 1 ] || diag "status $status" "$(cat "$TEST_TMP/killed.err")"
    check "  in one line" test "$(grep -c . "$TEST_TMP/killed.err")" -eq 1
    check "  and leaves no process" wait_for 5 no_tagged_process
}

# wait_for_running OUT POINT TENTHS: until the sweep writing its stdout to
# OUT has named its folder and a process of POINT (its raw/POINT file) runs,
# for at most TENTHS tenths of a second; sets RUN to the folder.
wait_for_running() {
    local out=$1 point=$2 tries=0
    RUN=""
    while [ "$tries" -lt "$3" ]; do
        RUN=$(sed -n 's/^gilbench: results in //p' "$out")
        [ -n "$RUN" ] && pgrep -f "$RUN/raw/$point" >/dev/null && return 0
        sleep 0.1
        tries=$((tries + 1))
    done
    return 1
}

# signal_sweep SIGNAL TARGET PID: "group" sends SIGNAL to PID's process group
# (as Ctrl-C does), "script" to PID alone (as kill does).
signal_sweep() {
    if [ "$2" = group ]; then kill "-$1" -- "-$3"; else kill "-$1" "$3"; fi
}

# no_process_left PATTERN: nothing whose command line matches PATTERN is
# alive, after up to 5 s for the kernel and init to finish reaping.
no_process_left() {
    local tries=0
    while pgrep -f "$1" >/dev/null && [ "$tries" -lt 50 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    ! pgrep -f "$1" >/dev/null
}

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/gilbench-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT
