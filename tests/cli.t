#!/bin/bash
# cli.t - the gilbench command line: bad input is refused with one line and
# exit status 2 (the dispatch axis's too: --chunksize and the payloads
# without the pool, an unknown dispatch, the pool with mpi), good input gives
# one complete JSON line (with its dispatch fields), and a workload file
# added to a copy of the tree is built, listed and run in every mode.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

# expect_usage_error DESCRIPTION PATTERN ARGS...: exit 2, nothing on stdout,
# exactly one line on stderr that matches PATTERN (the bad value, named).
expect_usage_error() {
    description=$1 pattern=$2
    shift 2
    run_capture "$GILBENCH" "$@"
    lines=$(printf '%s\n' "$ERR" | grep -c .)
    if [ "$STATUS" -eq 2 ] && [ -z "$OUT" ] && [ "$lines" -eq 1 ] &&
        printf '%s' "$ERR" | grep -q -- "$pattern"; then
        ok 0 "refused: $description"
    else
        ok 1 "refused: $description"
        diag "status $STATUS, stdout '$OUT', stderr '$ERR'"
    fi
}

run="run --workload cpu_loop --mode gil"
expect_usage_error "no command" "command is needed"
expect_usage_error "unknown command" "'frobnicate'" frobnicate
expect_usage_error "list with an argument" "no arguments but --default" list extra
expect_usage_error "run without --workload" "needs --workload" run --mode gil
expect_usage_error "unknown workload" "'nope'.*cpu_loop" run --workload nope --mode gil
expect_usage_error "run without --mode" "needs --mode" run --workload cpu_loop
expect_usage_error "unknown mode" "'fast'.*gil, threads, procs" run --workload cpu_loop --mode fast
expect_usage_error "0 workers" "'0'.*1 to 4096" $run --workers 0
expect_usage_error "4097 workers" "'4097'.*1 to 4096" $run --workers 4097
expect_usage_error "negative workers" "'-1'" $run --workers -1
expect_usage_error "non-numeric workers" "'abc'" $run --workers abc
expect_usage_error "workers with a suffix" "'4x'" $run --workers 4x
expect_usage_error "empty workers" "''" $run --workers ''
expect_usage_error "overflowing workers" "'99999999999999999999999'" $run --workers 99999999999999999999999
expect_usage_error "--workers without a value" "needs a value" $run --workers
expect_usage_error "0 units" "--units '0'" $run --units 0
expect_usage_error "fractional units" "--units '1.5'" $run --units 1.5
expect_usage_error "switch interval 0" "'0'.*1 to 1000000" $run --switch-interval-us 0
expect_usage_error "negative switch interval" "'-5'" $run --switch-interval-us -5
expect_usage_error "switch interval above 1 s" "'1000001'" $run --switch-interval-us 1000001
expect_usage_error "unknown flag" "'--bogus'" $run --bogus
expect_usage_error "unknown workload setting" "no setting 'nope'.*sleep_us" run --workload io_wait --mode gil --param nope=1
expect_usage_error "a setting without a value" "'n'.*NAME=VALUE" run --workload blas_dgemm --mode gil --param n
expect_usage_error "a setting below its minimum" "--param n '2'.*16 to" run --workload blas_dgemm --mode gil --param n=2
expect_usage_error "a setting given twice" "given twice" run --workload io_wait --mode gil --param sleep_us=1 --param sleep_us=2
expect_usage_error "a workload with no settings" "accepted: none" $run --param x=1
expect_usage_error "weak scaling past the unit limit" "more than" $run --weak --units 1000000000000 --workers 2
# The dispatch axis.
expect_usage_error "an unknown dispatch" "unknown --dispatch 'nonsense'; accepted: shares, pool" $run --dispatch nonsense
expect_usage_error "--chunksize without --dispatch pool" "--chunksize applies to --dispatch pool only" $run --chunksize 4
expect_usage_error "--chunksize with --dispatch shares" "--chunksize applies to --dispatch pool only" $run --dispatch shares --chunksize 4
expect_usage_error "--task-arg-kib without --dispatch pool" "--task-arg-kib applies to --dispatch pool only" $run --task-arg-kib 4
expect_usage_error "--task-result-kib without --dispatch pool" "--task-result-kib applies to --dispatch pool only" $run --task-result-kib 4
expect_usage_error "chunksize 0" "--chunksize '0'.*1 to 1000000000" $run --dispatch pool --chunksize 0
expect_usage_error "chunksize above 1e9" "--chunksize '1000000001'" $run --dispatch pool --chunksize 1000000001
expect_usage_error "a task payload above 1 GiB" "--task-arg-kib '1048577'.*0 to 1048576" $run --dispatch pool --task-arg-kib 1048577
expect_usage_error "a negative result payload" "--task-result-kib '-1'" $run --dispatch pool --task-result-kib -1
expect_usage_error "the pool with the mpi mode" "--dispatch pool needs a pool of threads or forked processes; --mode mpi has none" \
    run --workload cpu_loop --mode mpi --dispatch pool
expect_usage_error "the pool with --weak" "--weak does not apply to --dispatch pool" $run --dispatch pool --weak
expect_usage_error "the pool with a workload whose workers meet" "workload convoy cannot run under --dispatch pool" \
    run --workload convoy --mode threads --dispatch pool
expect_usage_error "more tasks than the pool keeps" "make 1000000000000 tasks, more than 16777216" \
    $run --dispatch pool --units 1000000000000
if [ -x build/gilbench-mpi ] && [ "$GILBENCH" = build/gilbench ]; then
    GILBENCH=build/gilbench-mpi expect_usage_error "the pool with the mpi mode, in the MPI build" \
        "--mode mpi has none" run --workload cpu_loop --mode mpi --workers 2 --dispatch pool --chunksize 2 --dry-run
fi

# ---- good input ----
fields='workload mode workers units weak dispatch chunksize tasks seconds startup_seconds worker_seconds_min
worker_seconds_max worker_seconds_total cpu_user_seconds cpu_sys_seconds max_rss_kib checksum switch_interval_us
gil_switches gil_wait_seconds gil_hold_seconds gil_drop_requests params'
for mode in gil threads procs interp; do
    run_capture "$GILBENCH" run --workload cpu_loop --mode "$mode" --workers 2 --units 40 \
        --append-json "$TEST_TMP/runs.jsonl"
    lines=$(printf '%s\n' "$OUT" | grep -c .)
    ok $(( STATUS != 0 || lines != 1 )) "$mode: exit 0 and exactly one line on stdout"
    missing=""
    for field in $fields; do
        printf '%s' "$OUT" | jq -e "has(\"$field\")" >/dev/null || missing="$missing $field"
    done
    ok $([ -z "$missing" ]; echo $?) "$mode: the JSON line has every field${missing:+ (missing:$missing)}"
    check "$mode: mode, workers and units are what was asked" \
        jq -e ".mode == \"$mode\" and .workers == 2 and .units == 40 and .seconds > 0" <<<"$OUT"
    check "$mode: the shares dispatch by default, with no tasks and no payload fields" \
        jq -e '.dispatch == "shares" and .chunksize == 0 and .tasks == 0
               and (has("task_arg_bytes") or has("task_result_bytes") | not)' <<<"$OUT"
    run_capture "$GILBENCH" run --workload cpu_loop --mode "$mode" --workers 2 --units 40 --dispatch pool \
        --chunksize 3 --task-arg-kib 1 --task-result-kib 2 --append-json "$TEST_TMP/runs.jsonl"
    check "$mode, pool: dispatch, chunksize, tasks (ceil(40 / 3)) and payload bytes in the line" \
        jq -e '.dispatch == "pool" and .chunksize == 3 and .tasks == 14 and .task_arg_bytes == 1024
               and .task_result_bytes == 2048 and .startup_seconds == 0
               and .worker_seconds_max <= .seconds' <<<"$OUT"
    check "$mode: worker_seconds_total is between the longest worker and workers x seconds" \
        jq -e '.worker_seconds_total >= .worker_seconds_max and
               .worker_seconds_total >= .workers * .worker_seconds_min - 1e-6 and
               .worker_seconds_total <= .workers * .seconds + 1e-6' <<<"$OUT"
    if [ "$mode" = gil ]; then
        check "gil: the switch interval is reported" jq -e '.switch_interval_us == 5000' <<<"$OUT"
    elif [ "$mode" = interp ]; then
        check "interp: a GIL each: the interval is reported, no worker waited for a drop" \
            jq -e '.switch_interval_us == 5000 and .gil_drop_requests == 0' <<<"$OUT"
    else
        check "$mode: the GIL fields are 0" \
            jq -e '.switch_interval_us == 0 and .gil_switches == 0 and .gil_wait_seconds == 0' <<<"$OUT"
    fi
done
check "--append-json appends the same lines" test "$(wc -l < "$TEST_TMP/runs.jsonl")" -eq 8
check "the checksum is the same in every mode and dispatch" \
    test "$(jq -r .checksum "$TEST_TMP/runs.jsonl" | sort -u | wc -l)" -eq 1
# The GIL's accounting against the workers' time: hold + wait is at most
# their lifetimes (exact), and for CPU-bound workers, of which one runs at
# a time, waiting is most of it: (N - 1) / N in theory, 2/3 at 3 workers;
# the bounds are loose on purpose (a busy machine moves the share, never
# that far).
run_capture "$GILBENCH" run --workload cpu_loop --mode gil --workers 3 --units 3000 \
    --switch-interval-us 1000
check "gil: hold + wait is within the workers' lifetimes" \
    jq -e '.gil_hold_seconds + .gil_wait_seconds <= .worker_seconds_total + 1e-6' <<<"$OUT"
check "gil: 3 CPU-bound workers wait for the GIL most of their time (0.4 to 0.9)" \
    jq -e '.gil_wait_seconds / .worker_seconds_total | . > 0.4 and . < 0.9' <<<"$OUT"
[ "$STATUS" -eq 0 ] || diag "$ERR"
run_capture "$GILBENCH" run --workload=io_wait --mode=threads --workers=4 --units=8 --param=sleep_us=1000
check "--name=value forms are accepted" test "$STATUS" -eq 0
check "a workload setting is reported" jq -e '.params.sleep_us == 1000' <<<"$OUT"
run_capture "$GILBENCH" run --workload blas_dgemm --mode threads --units 2 --param n=64
check "blas_dgemm reports GFLOP/s" jq -e '.gflops > 0' <<<"$OUT"
run_capture "$GILBENCH" run --workload cpu_loop --mode threads --workers 3 --units 7 --weak
check "--weak: every worker does all units" jq -e '.weak == true and .units == 7' <<<"$OUT"
run_capture "$GILBENCH" run --workload cpu_loop --mode gil --append-json /nonexistent/dir/runs.jsonl --units 5
check "an unwritable --append-json file fails the run with a message" \
    test "$STATUS" -eq 1 -a -z "$OUT" -a -n "$ERR"

for help in "--help" "run --help"; do
    run_capture "$GILBENCH" $help
    check "$help explains itself" test "$STATUS" -eq 0 -a -n "$OUT"
done
run_capture "$GILBENCH" run --help
for option in --workload --mode --workers --units --weak --switch-interval-us --param --append-json \
    --dispatch --chunksize --task-arg-kib --task-result-kib; do
    printf '%s' "$OUT" | grep -q -- "$option" || missing_help="$missing_help $option"
done
ok $([ -z "$missing_help" ]; echo $?) "run --help describes every option${missing_help:+ (missing:$missing_help)}"
run_capture "$GILBENCH" list
for name in cpu_loop io_wait blas_dgemm; do
    check "list shows $name" grep -q "^$name " <<<"$OUT"
done

# ---- adding a workload is adding a file ----
if [ -z "${GILBENCH_SKIP_ADD_WORKLOAD:-}" ]; then
    copy_tree
    cat > "$tree/workloads/added_by_test.c" <<'EOC'
/* added_by_test - a workload that a test adds to a copy of the tree. */
#include "workload.h"
static uint64_t added_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    uint64_t sum = 0;
    for (uint64_t u = first; u < first + count; u++) {
        gb_checkpoint(w);
        sum += gb_unit_checksum(u, u + 7);
    }
    return sum;
}
static uint64_t added_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return unit + 7;
}
const struct gb_workload workload_added_by_test = {
    .name = "added_by_test",
    .description = "a workload added by the test suite",
    .unit = "one addition",
    .default_units = 100,
    .work = added_work,
    .expected_value = added_expected,
};
EOC
    if make -s -C "$tree" >"$TEST_TMP/make.log" 2>&1; then
        ok 0 "make builds a tree with one more workload file"
        check "the new workload is listed" grep -q '^added_by_test .*added by the test suite' \
            <<<"$("$tree/build/gilbench" list)"
        for mode in gil threads procs; do
            check "the new workload runs in $mode mode" \
                jq -e '.workload == "added_by_test"' \
                <<<"$("$tree/build/gilbench" run --workload added_by_test --mode $mode --workers 3)"
        done
    else
        ok 1 "make builds a tree with one more workload file"
        diag "$(cat "$TEST_TMP/make.log")"
    fi
fi

done_testing
