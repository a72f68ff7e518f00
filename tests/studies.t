#!/bin/bash
# studies.t - every study of scripts/studies/ runs (but calibrate, which
# needs Python and is tested by calibrate.t), shrunk to a few seconds
# with PARAMS: each puts its points in the summary, its workloads' figures in
# figures.csv and its page among the plots.  Runs with the plain build only
# (the sweep runs build/gilbench).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the sweep"
results="$TEST_TMP/results"
small="amdahl.units=200 convoy.units=20 startup.units=1 shared_input.size_mib=8
shared_input.units=8 ipc.units=1 blas_threads.units=2 blas_threads.n=64 tasks.units=100"
run_capture env STUDIES=all RUNS=1 WARMUP=0 PARAMS="$small" RESULTS_DIR="$results" \
    PLOTS_DIR="$TEST_TMP/plots" GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "every study runs" test "$STATUS" -eq 0
check "... and no shell error on the way" test -z "$(grep -E 'bad array subscript|unbound variable|syntax error|command not found' <<<"$ERR")"
[ "$STATUS" -eq 0 ] || diag "$ERR" "$(tail -n 20 <<<"$OUT")"
run="$results/latest"
check "the run records its studies" \
    jq -e --argjson n "$(ls scripts/studies/*.plan | grep -vc /calibrate.plan)" '.settings.studies | length == $n' "$run/meta.json"
check "STUDIES=all leaves out calibrate" jq -e '.settings.studies | index("calibrate") == null' "$run/meta.json"
check "the plan has every study's points" \
    test "$(wc -l < "$run/plan.tsv")" -eq "$(tail -n +2 "$run/summary.csv" | wc -l)"
for study in $(ls scripts/studies | sed 's/\.plan$//' | grep -vx calibrate); do
    workload=$(awk '!/^#/ && NF { print $1; exit }' "scripts/studies/$study.plan")
    check "$study: its points are in the summary" grep -q "^$workload," "$run/summary.csv"
    for ext in png svg; do
        check "$study: its page $study.$ext is drawn" test -s "$run/plots/$study.$ext"
    done
done
check "no default-sweep plot is drawn for a studies-only run" test ! -e "$run/plots/overview.png"
for figure in round_trips_per_s latency_p50_us latency_p99_us spawn_startup_seconds \
    pss_total_kib rss_peak_total_kib us_per_task mb_per_s gflops worker_us_per_task \
    ns_per_iteration iterations_per_task; do
    check "figures.csv has $figure" grep -q ",$figure," "$run/figures.csv"
done
# The startup and memory studies' CPython points, where a Python is: the
# newest with a GIL only, its spawn points, and memory figures from pyrun.
if /usr/bin/python3 -c pass 2>/dev/null; then
    check "startup: CPython's spawn points are measured" \
        grep -q '^startup,spawn,2,.*,source=cpython-[0-9.]*$' "$run/summary.csv"
    check "startup: one CPython only (the newest with a GIL)" \
        test "$(grep '^startup,procs,1,.*,source=cpython-' "$run/summary.csv" | wc -l)" -eq 1
    check "memory: CPython's PSS, read only and writing" \
        grep -q '^shared_input,source=cpython-[0-9.]*+write=1,procs,2,pss_total_kib,' "$run/figures.csv"
    check "memory: a spawned worker's input is its own" \
        grep -q '^shared_input,source=cpython-[0-9.]*+write=0,spawn,4,rss_peak_total_kib,' "$run/figures.csv"
fi
check "variants are named in the summary" \
    grep -q '^convoy,gil,2,.*,switch_interval_us=20000$' "$run/summary.csv"
check "the terminal table names points with their variant" \
    grep -q '^amdahl@released_pct=99 ' <<<"$OUT"

run_capture env STUDIES=nope RESULTS_DIR="$results" GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "an unknown study is refused with exit 2" \
    test "$STATUS" -eq 2 -a -n "$(grep "STUDIES: unknown 'nope'; accepted: " <<<"$ERR")"
run_capture env STUDIES=amdahl WORKERS=2 RESULTS_DIR="$results" GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "STUDIES with WORKERS is refused with exit 2" test "$STATUS" -eq 2

done_testing
