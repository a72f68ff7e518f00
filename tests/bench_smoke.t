#!/bin/bash
# bench_smoke.t - a real `make bench QUICK=1 WORKLOADS=cpu_loop` into a
# temporary results folder: every expected point has its row, the run is
# complete, results/latest points at it, and every file of the layout is
# there.  Runs with the plain build only (make bench builds build/gilbench).
# The sweep runs with no OPENBLAS_* variable in its environment, as on most
# machines (cpu_loop computes no BLAS, so no BLAS run loses the machine's
# settings), and with OMP_NUM_THREADS=1, which must not change the CPU count.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the sweep"
results="$TEST_TMP/results"
without_openblas=()
for name in $(compgen -e | grep '^OPENBLAS_'); do without_openblas+=(-u "$name"); done
run_capture env "${without_openblas[@]}" OMP_NUM_THREADS=1 make --no-print-directory bench QUICK=1 WORKLOADS=cpu_loop \
    RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots"
check "make bench QUICK=1 WORKLOADS=cpu_loop succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$OUT" "$ERR"
latest="$results/latest"
check "results/latest points at a run folder" test -L "$latest" -a -d "$latest"
cpus=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
expected_workers=$(printf '%s\n' 1 "$cpus" $((cpus * 2)) | sort -n -u)
missing=""
for mode in gil threads procs; do
    for n in $expected_workers; do
        grep -q "^cpu_loop,$mode,$n,3," "$latest/summary.csv" || missing="$missing $mode/$n"
    done
done
ok $([ -z "$missing" ]; echo $?) "summary.csv has a row of 3 runs for every mode and worker count${missing:+ (missing:$missing)}"
check "summary.csv has no other rows" \
    test "$(tail -n +2 "$latest/summary.csv" | wc -l)" -eq $((3 * $(echo "$expected_workers" | wc -l)))
check "meta.json says the run is complete" jq -e '.complete == true and .failed_points == 0' "$latest/meta.json"
check "meta.json records the machine and tools" \
    jq -e '.cpus_usable > 0 and (.openblas_config | length > 0) and (.hyperfine_version | length > 0)
           and (.gnuplot_version | length > 0) and (.loadavg_before | length == 3)' "$latest/meta.json"
check "meta.json records no OPENBLAS_* variable, and the usable CPUs ($cpus)" \
    jq -e --argjson cpus "$cpus" '.openblas_environment == {} and .cpus_usable == $cpus' "$latest/meta.json"
check "meta.json records the command line" jq -e '.command | test("make bench .*QUICK=1")' "$latest/meta.json"
check "runs.csv has one row per measured run" \
    test "$(tail -n +2 "$latest/runs.csv" | wc -l)" -eq $((9 * $(echo "$expected_workers" | wc -l)))
check "hyperfine's JSON is kept for every point" \
    test "$(ls "$latest/hyperfine" | wc -l)" -eq $((3 * $(echo "$expected_workers" | wc -l)))
check "process_median_s is filled" \
    test -z "$(tail -n +2 "$latest/summary.csv" | awk -F, '$14 == ""')"
for plot in cpu_loop overview efficiency gil_wait; do
    check "plot $plot.png is drawn" test -s "$latest/plots/$plot.png"
done
check "the terminal shows progress lines" grep -q '^\[ *1/[0-9]*\] cpu_loop' <<<"$OUT"
check "the terminal shows the speedup table" grep -q '^workload *mode *workers' <<<"$OUT"

done_testing
