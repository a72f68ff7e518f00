#!/bin/bash
# idle_workers.t - no point measures fewer workers than it names.  A run in
# which some workers would get no unit (shares) or no task (pool) is refused
# in one line by the engine and by the Python runner (unless what the
# workload measures is the workers' starting: startup); the sweep raises a
# workload's default units to the workers of its largest point, saying so,
# and refuses units given in PARAMS that would leave workers idle.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
python=/usr/bin/python3

refused() { # refused DESCRIPTION PATTERN COMMAND...: exit 2, one line saying PATTERN
    local description=$1 pattern=$2
    shift 2
    run_capture "$@"
    check "$description: exit 2, one line" test "$STATUS" -eq 2 -a -z "$OUT" -a "$(grep -c . <<<"$ERR")" -eq 1
    check "  saying: $pattern" grep -q -- "$pattern" <<<"$ERR"
}
refused "the engine: io_wait's 32 units at 64 workers" "--workers 64 with --units 32: 32 workers would get no unit; give --units at least 64" \
    "$GILBENCH" run --workload io_wait --mode threads --workers 64 --dry-run
refused "  also in the mpi mode's way of cutting shares (gil here)" "1 worker would get no unit" \
    "$GILBENCH" run --workload cpu_loop --mode gil --workers 5 --units 4 --dry-run
refused "the engine's pool: 3 tasks for 4 workers" \
    "--workers 4 with --units 6000 in tasks of --chunksize 2000: 1 worker would get no task; give --units at least 8000" \
    "$GILBENCH" run --workload cpu_loop --mode threads --workers 4 --units 6000 --dispatch pool --chunksize 2000 --dry-run
run_capture "$GILBENCH" run --workload io_wait --mode threads --workers 64 --units 64 --dry-run
check "as many units as workers is accepted" test "$STATUS" -eq 0
run_capture "$GILBENCH" run --workload io_wait --mode threads --workers 64 --units 2 --weak --dry-run
check "weak scaling (every worker does all units) is accepted" test "$STATUS" -eq 0
run_capture "$GILBENCH" run --workload startup --mode threads --workers 8 --units 1
check "startup, whose workers' starting is the work, runs 8 workers on 1 unit" \
    jq -e '.workers == 8 and .units == 1' <<<"$OUT"

if [ -x "$python" ]; then
    refused "the Python runner: io_wait.py at 64 workers" "--workers 64 with --units 32: 32 workers would get no unit" \
        "$python" scripts/pyrun run --workload io_wait --mode gil --workers 64 --dry-run
    refused "  and through a pool" "1 worker would get no task" \
        "$python" scripts/pyrun run --workload io_wait --mode gil --workers 4 --units 6 \
        --dispatch pool --chunksize 2 --dry-run
    run_capture "$python" scripts/pyrun run --workload startup --mode gil --workers 8
    check "  its built-in startup runs 8 workers on 1 unit" jq -e '.workers == 8 and .units == 1' <<<"$OUT"
else
    echo "ok $((TEST_COUNT += 1)) # skip the Python runner: no /usr/bin/python3"
fi

[ "$GILBENCH" = build/gilbench ] || { done_testing; exit; }
results="$TEST_TMP/results"
run_capture env RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots" WORKLOADS=io_wait MODES=threads WORKERS=1,64 \
    QUICK=1 RUNS=1 MAX_RUNS=1 python3 scripts/sweep bench
check "a sweep to 64 workers of io_wait succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
check "  saying in one line that io_wait runs 64 units instead of QUICK's 16" \
    test "$(grep -c '^gilbench: io_wait: 64 units a run instead of 16, so that each worker of its largest point has work$' <<<"$ERR")" -eq 1
run=$(readlink -f "$results/latest")
check "  every run of it has 64 units" test "$(jq -s '[.[] | .units] | unique' "$run"/raw/io_wait.threads.*.jsonl | jq -c .)" = "[64]"
check "  and every worker of the 64 had work" jq -e '.worker_seconds_min > 0.005' "$run/raw/io_wait.threads.64.jsonl"
refused "units that PARAMS gives are kept, and refused when they leave workers idle" \
    "^gilbench: PARAMS: --workers 64 with --units 16: 48 workers would get no unit" \
    env RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots" WORKLOADS=io_wait MODES=threads WORKERS=1,64 \
    PARAMS=io_wait.units=16 RUNS=1 python3 scripts/sweep bench
done_testing
