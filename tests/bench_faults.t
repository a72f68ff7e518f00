#!/bin/bash
# bench_faults.t - a bad run never passes for a good one.  With the
# test-only `fault` workload (tests/workloads/fault.c) a sweep meets crashing,
# aborting and failing workers, wrong results and hangs: each failed point is
# recorded with its cause, the others are measured, no row or plot point comes
# from a failed run, and the sweep exits non-zero.  Interrupting a sweep
# leaves no process behind and the partial folder marked incomplete.
# Runs with the plain build only (sanitizers report crashes their own way).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "fault injection"
results="$TEST_TMP/results"
export GILBENCH=$GILBENCH_TEST RESULTS_DIR=$results PLOTS_DIR=$TEST_TMP/plots WORKLOADS=fault

# sweep VAR=VALUE...: a short sweep of the fault workload; leaves $OUT,
# $ERR, $STATUS and $RUN (the folder it wrote).
sweep() {
    run_capture env RUNS=2 WARMUP=0 WORKERS=1,2 "$@" python3 scripts/sweep bench
    RUN=$(sed -n 's/^gilbench: results in //p' <<<"$OUT")
}

# ---- crashes: every mode, only at 2 workers ----
sweep PARAMS="fault.kind=1 fault.at_workers=2"
check "a sweep with crashing points exits 1" test "$STATUS" -eq 1
check "it records the 3 crashed points in failures.tsv" test "$(wc -l < "$RUN/failures.tsv")" -eq 3
check "gil and threads: the crash is named with its signal" \
    test "$(grep -c 'crashed: killed by signal 11 (Segmentation fault)' "$RUN/failures.tsv")" -eq 2
check "procs: the worker is named with its signal" \
    grep -q $'^fault\t-\tprocs\t2\tworker 0 (pid [0-9]*) was killed by signal 11' "$RUN/failures.tsv"
check "the other points are measured and summarised" \
    test "$(tail -n +2 "$RUN/summary.csv" | cut -d, -f2,3 | paste -sd' ' -)" = "gil,1 threads,1 procs,1"
check "no runs.csv line comes from a failed point" test -z "$(awk -F, '$3 == 2' "$RUN/runs.csv")"
check "the plots are still drawn" test -s "$RUN/plots/overview.png"
check "meta.json counts the failed points and is complete" \
    jq -e '.complete == true and .failed_points == 3' "$RUN/meta.json"
check "the failure summary at the end names each point" \
    test "$(grep -c '^  fault .* 2 workers: ' <<<"$ERR")" -eq 3
check "  after a line that counts them" grep -q '3 of 6 points FAILED' <<<"$ERR"
check "the progress line says FAILED" grep -q 'procs 2 workers FAILED: worker 0' <<<"$OUT"
complete_run=$RUN

# ---- abort and exit status ----
sweep MODES=procs,threads PARAMS="fault.kind=2 fault.at_workers=2 fault.worker=1"
check "procs: an aborting worker is named with SIGABRT" \
    grep -q 'worker 1 (pid [0-9]*) was killed by signal 6 (Aborted)' "$RUN/failures.tsv"
check "threads: an abort is named with SIGABRT" grep -q 'crashed: killed by signal 6 (Aborted)' "$RUN/failures.tsv"
sweep MODES=procs,gil PARAMS="fault.kind=3 fault.at_workers=2"
check "procs: a worker exiting with status 3 is named with it" \
    grep -q 'worker 0 (pid [0-9]*) exited with status 3' "$RUN/failures.tsv"
check "gil: a process exiting with status 3 is named with it" \
    grep -q $'^fault\t-\tgil\t2\texited with status 3' "$RUN/failures.tsv"

# ---- wrong answers fail the point exactly like a crash ----
sweep PARAMS="fault.kind=5 fault.at_workers=2"
check "a wrong checksum fails the point in every mode" \
    test "$(grep -c 'wrong result: fault computed checksum' "$RUN/failures.tsv")" -eq 3 -a "$STATUS" -eq 1
check "  and leaves no summary row" test -z "$(awk -F, '$3 == 2' "$RUN/summary.csv")"

# ---- hangs: the watchdog ends them ----
sweep MODES=gil,procs TIMEOUT=1 PARAMS="fault.kind=4 fault.at_workers=2"
check "a hang (a deadlock holding the GIL; a hung worker process) times out" \
    test "$(grep -c 'timed out: the run took longer than 1 s' "$RUN/failures.tsv")" -eq 2 -a "$STATUS" -eq 1
check "no process of the timed-out points is left" no_process_left "$RUN"
latest_before=$(readlink -f "$results/latest")

# ---- interrupts ----
# interrupt SIGNAL TARGET: starts a sweep that hangs at its second point,
# waits until that point runs, sends SIGNAL to TARGET ("group": the sweep's
# process group, as Ctrl-C does; "script": the sweep alone, as kill does).
interrupt() {
    set -m # the sweep gets its own process group, with SIGINT not ignored
    env RUNS=1 WARMUP=0 WORKERS=1,2 MODES=procs TIMEOUT=100 \
        PARAMS="fault.kind=4 fault.at_workers=2" python3 scripts/sweep bench >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
    local pid=$!
    set +m
    wait_for_running "$TEST_TMP/out" fault.procs.2 100
    signal_sweep "$1" "$2" "$pid"
    wait "$pid"
    STATUS=$?
}
interrupt INT group
check "Ctrl-C (SIGINT to the group) ends the sweep with status 130" test "$STATUS" -eq 130
check "  no process of the run survives" no_process_left "$RUN"
check "  the partial folder is kept, marked incomplete with the signal" \
    jq -e '.complete == false and .interrupted.signal == "SIGINT"' "$RUN/meta.json"
done_calls=$(awk -F'\t' 'NR > 1 && $9 == "ok" { print $3 "." $5 "." $6 }' "$RUN/schedule.tsv")
kept_all=1
for id in $done_calls; do [ -s "$RUN/raw/$id.jsonl" ] || kept_all=0; done
check "  the calls done so far are kept, each in schedule.tsv with its raw result" test "$kept_all" -eq 1
check "  results/latest still points at the last complete run" \
    test "$(readlink -f "$results/latest")" = "$latest_before"
check "  it says so" grep -q 'interrupted by SIGINT: the partial results .* are kept' "$TEST_TMP/err"
interrupt TERM script
check "SIGTERM to the sweep ends the sweep with status 143" test "$STATUS" -eq 143
check "  no process of the run survives" no_process_left "$RUN"
check "  the folder is marked incomplete" \
    jq -e '.complete == false and .interrupted.signal == "SIGTERM"' "$RUN/meta.json"
check "  results/latest is unchanged" test "$(readlink -f "$results/latest")" = "$latest_before"

# SIGTERM to make (as a service manager or `timeout make bench` sends it):
# make passes it to the recipe, which is the sweep itself (exec), so the
# sweep stops its point instead of finishing as an orphan.
env -u GILBENCH -u WORKLOADS make --no-print-directory bench WORKLOADS=io_wait MODES=procs WORKERS=1 RUNS=1 \
    WARMUP=0 PARAMS="io_wait.sleep_us=1000000 io_wait.units=100" "$TEST_TAG" \
    >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
make_pid=$!
wait_for_running "$TEST_TMP/out" io_wait 600
kill -TERM "$make_pid"
wait "$make_pid"
STATUS=$?
check "SIGTERM to make ends make bench with an error" test "$STATUS" -ne 0 -a -n "$RUN"
check "  no process of the sweep survives (no orphan sweep)" wait_for 10 no_tagged_process
check "  the folder is marked incomplete with the signal" \
    jq -e '.complete == false and .interrupted.signal == "SIGTERM"' "$RUN/meta.json"
check "  results/latest is unchanged" test "$(readlink -f "$results/latest")" = "$latest_before"

# ---- re-measuring the failed and imprecise series ----
run_capture env -u WORKLOADS RERUN="$complete_run" python3 scripts/sweep bench
RUN=$(sed -n 's/^gilbench: results in //p' <<<"$OUT")
check "RERUN writes a new folder" test -n "$RUN" -a "$RUN" != "$complete_run" -a -d "$RUN"
check "  that records what it re-measured" jq -e --arg from "$complete_run" '.rerun_of == $from' "$RUN/meta.json"
check "  re-running the failed points with the same settings (they fail again)" \
    test "$(wc -l < "$RUN/failures.tsv")" -eq 3
# A clean folder with one failed point: only that point's series (gil) is
# re-measured, whole, so that no speedup divides one session's time by
# another's; the other series are kept as they were.
# (The fault workload's runs last a millisecond, too short to be precise:
# the test marks every interval narrow, so that the failure alone decides.)
sweep PARAMS="fault.kind=0" RUNS=4
mixed="$results/mixed"
cp -r "$RUN" "$mixed"
printf 'fault\t-\tgil\t2\tinjected by the test\n' > "$mixed/failures.tsv"
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print; next }
    { if ($col["precision"] != "") { $col["precision"] = 0.01; $col["ci_level"] = 0.97 }; print }' \
    "$RUN/summary.csv" > "$mixed/summary.csv"
run_capture env -u WORKLOADS RERUN="$mixed" python3 scripts/sweep bench
RUN=$(sed -n 's/^gilbench: results in //p' <<<"$OUT")
check "RERUN of a folder with one failed point keeps the 4 points of the steady series" \
    grep -q "^gilbench: 4 points kept from mixed" <<<"$OUT"
same=1
for id in threads.1 threads.2 procs.1 procs.2; do
    cmp -s "$RUN/raw/fault.$id.jsonl" "$mixed/raw/fault.$id.jsonl" || same=0
done
check "  with their raw results copied unchanged" test "$same" -eq 1
check "  and re-measures the gil series whole, its 1-worker point too" \
    test -n "$(grep -P '\tfault\t-\tgil\t1\t' "$RUN/schedule.tsv")" -a -n "$(grep -P '\tfault\t-\tgil\t2\t' "$RUN/schedule.tsv")" \
        -a -z "$(grep -P '\t(threads|procs)\t' "$RUN/schedule.tsv")"
check "  and has every point in its summary" test "$(tail -n +2 "$RUN/summary.csv" | wc -l)" -eq 6

done_testing
