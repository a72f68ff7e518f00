#!/bin/bash
# dispatch_pool.t - the sweep through the pool dispatch (DISPATCH=pool): a
# plain sweep whose every point runs through a persistent pool, and `make
# calibrate DISPATCH=pool`, the model's pools beside CPython's executors,
# shrunk to a few seconds.  Needs Debian's python3 (the CI installs it);
# runs with the plain build only.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the pool sweeps"
results=$TEST_TMP/results
small="cpu_loop.units=40 io_wait.units=8 io_wait.sleep_us=2000"

run_capture env WORKLOADS=cpu_loop,io_wait MODES=gil,threads,procs DISPATCH=pool WORKERS=1,2 RUNS=2 \
    MAX_RUNS=2 WARMUP=0 QUICK=1 PARAMS="$small" RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots" \
    GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "a sweep with DISPATCH=pool succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR" "$(tail -n 20 <<<"$OUT")"
run=$results/latest
for workload in cpu_loop io_wait; do
    for mode in gil threads procs; do
        check "$workload $mode+pool: its rows are in the summary at 1 and 2 workers" \
            test "$(grep -c "^$workload,$mode+pool,[12]," "$run/summary.csv")" -eq 2
    done
    check "$workload: no shares point was run" test -z "$(grep -E "^$workload,(gil|threads|procs)," "$run/summary.csv")"
done
check "every run in runs.csv is a pool's" \
    test "$(awk -F, 'NR > 1 { gsub(/"/, "", $3); print ($3 ~ /[+]pool$/) ? "pool" : $3 }' "$run/runs.csv" | sort -u)" = pool
check "meta.json's settings say the dispatch" jq -e '.settings.dispatch == ["pool"]' "$run/meta.json"

run_capture env STUDIES=calibrate DISPATCH=pool RUNS=1 WARMUP=0 QUICK=1 TIMELINE_WORKERS=2 MECHANISM_RUNS=1 MECHANISM_WORKERS=2 \
    PARAMS="$small blas_dgemm.units=4 blas_dgemm.n=64 shared_objects.units=40 own_objects.units=40" \
    RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots" GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "make calibrate's sweep with DISPATCH=pool succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR" "$(tail -n 20 <<<"$OUT")"
run=$results/latest
for mode in gil procs; do
    for source in model 'cpython-[0-9.]*'; do
        check "cpu_loop $mode+pool: the $source rows are in the summary" \
            grep -q "^cpu_loop,$mode+pool,.*,source=$source\$" "$run/summary.csv"
    done
    check "cpu_loop $mode+pool: the calibration table sets the pools side by side" \
        grep -q "^cpu_loop,$mode+pool," "$run/calibration.csv"
done

done_testing
