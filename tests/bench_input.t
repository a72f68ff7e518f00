#!/bin/bash
# bench_input.t - every setting of the sweep is checked before anything runs:
# a bad one gets one line naming it and what is accepted, exit status 2, and
# no results folder.  (Missing packages: tests/setup.t.)
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
results="$TEST_TMP/results"

# refused DESCRIPTION PATTERN VAR=VALUE...: python3 scripts/sweep bench exits 2 with one
# line matching PATTERN and creates no run folder.
refused() {
    local description=$1 pattern=$2
    shift 2
    run_capture env -u WORKLOADS -u MODES -u WORKERS -u RUNS -u WARMUP -u PARAMS -u TIMEOUT \
        RESULTS_DIR="$results" GILBENCH="$GILBENCH" "$@" python3 scripts/sweep bench
    local lines
    lines=$(printf '%s\n' "$ERR" | grep -c .)
    if [ "$STATUS" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$pattern" <<<"$ERR" &&
        [ -z "$(ls "$results" 2>/dev/null)" ]; then
        ok 0 "refused: $description"
    else
        ok 1 "refused: $description"
        diag "status $STATUS, stderr: $ERR" "folders: $(ls "$results" 2>/dev/null)"
    fi
}

refused "an unknown workload" "WORKLOADS: unknown 'nope'; accepted: .*cpu_loop" WORKLOADS=nope
refused "an empty workload list" "WORKLOADS is empty" WORKLOADS=
refused "a list of separators only" "WORKLOADS is empty" WORKLOADS=,,
refused "a repeated workload" "'cpu_loop' is given twice" WORKLOADS=cpu_loop,cpu_loop
refused "an unknown mode" "MODES: unknown 'fast'; accepted: gil, threads, procs" MODES=fast
refused "an empty mode list" "MODES is empty" MODES=
refused "0 workers" "WORKERS='0' is out of range; accepted: 1 to 4096" WORKERS=0
refused "5000 workers" "WORKERS='5000' is out of range" WORKERS=1,5000
refused "non-numeric workers" "WORKERS='two' is not a whole number" WORKERS=two
refused "negative workers" "WORKERS='-1'" WORKERS=-1
refused "repeated workers" "WORKERS: '2' is given twice" WORKERS=2,4,2
refused "0 runs" "RUNS='0' is out of range; accepted: 1 to 1000" RUNS=0
refused "non-numeric runs" "RUNS='x'" RUNS=x
refused "a huge number of runs" "RUNS='99999999999' is out of range" RUNS=99999999999
refused "too many warm-up runs" "WARMUP='101' is out of range; accepted: 0 to 100" WARMUP=101
refused "a switch interval of 0" "SWITCH_INTERVAL_US='0' is out of range; accepted: 1 to 1000000" SWITCH_INTERVAL_US=0
refused "a switch interval above 1 s" "SWITCH_INTERVAL_US='2000000'" SWITCH_INTERVAL_US=2000000
refused "a fractional switch interval" "SWITCH_INTERVAL_US='2.5' is not a whole number" SWITCH_INTERVAL_US=2.5
refused "a setting that is not WORKLOAD.NAME=VALUE" "PARAMS: 'n=5' is not WORKLOAD.NAME=VALUE" PARAMS=n=5
refused "a setting for a workload the sweep does not run" "PARAMS: 'io_wait.sleep_us=5' is for workload 'io_wait'" WORKLOADS=cpu_loop PARAMS=io_wait.sleep_us=5
refused "a setting the workload does not have" "PARAMS: workload cpu_loop has no setting 'x'" PARAMS=cpu_loop.x=1
refused "a setting out of its range" "PARAMS: --param n '1' is out of range; accepted: 16 to" PARAMS=blas_dgemm.n=1
refused "a setting given twice" "PARAMS: io_wait.sleep_us is given twice" PARAMS="io_wait.sleep_us=5 io_wait.sleep_us=6"
refused "a timeout of 0" "TIMEOUT='0' is out of range; accepted: 1 to 86400" TIMEOUT=0
refused "the old NOISE_THRESHOLD, now PRECISION" "NOISE_THRESHOLD is replaced by PRECISION" NOISE_THRESHOLD=10
refused "a precision of 0" "PRECISION='0' is out of range; accepted: 1 to 100" PRECISION=0
refused "MAX_RUNS below RUNS" "MAX_RUNS='3' is below RUNS (5)" MAX_RUNS=3 RUNS=5
refused "a budget that is not a number" "BUDGET='1m' is not a whole number" BUDGET=1m
refused "a seed that is not a number" "SEED='-1' is not a whole number" SEED=-1
refused "QUICK other than 0 or 1" "QUICK='yes' is not accepted; accepted: 0 or 1" QUICK=yes
refused "RERUN of a missing folder" "RERUN='$TEST_TMP/none' is not a folder" RERUN="$TEST_TMP/none"
mkdir -p "$TEST_TMP/empty-folder"
refused "RERUN of a folder that is not a results folder" "is not a results folder (no readable meta.json)" RERUN="$TEST_TMP/empty-folder"
fixture_run="$TEST_TMP/fixture-run"
mkdir -p "$fixture_run"
cp tests/fixtures/run/meta.json tests/fixtures/run/plan.tsv "$fixture_run/"
"$GILBENCH" summarize --runs tests/fixtures/run/runs.tsv --csv "$fixture_run/summary.csv"
refused "RERUN with settings of its own" "WORKLOADS cannot be given with it" RERUN="$fixture_run" WORKLOADS=cpu_loop

# ---- through make: the same line comes first ----
run_capture make --no-print-directory bench WORKERS=0 RESULTS_DIR="$results"
check "make bench WORKERS=0 fails and names the value first" \
    test "$STATUS" -ne 0 -a "$(head -n1 <<<"$ERR")" = "gilbench: WORKERS='0' is out of range; accepted: 1 to 4096"

done_testing
