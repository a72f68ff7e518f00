#!/bin/bash
# amdahl_startup.t - the amdahl and startup workloads compute what they
# claim in every mode (the engine checks each checksum; a wrong one exits 1),
# and report their figures; startup's fresh processes (spawn=1) are counted
# alike in every mode (spawn_* figures), and one that cannot be started fails
# the run with a line saying so (gb_fail), also where the right checksum is 0.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

for mode in gil threads procs; do
    for released in 0 50 100; do
        run_capture "$GILBENCH" run --workload amdahl --mode "$mode" --workers 3 --units 60 \
            --param released_pct=$released
        check "amdahl, $mode, $released % released: the right result" test "$STATUS" -eq 0
    done
    run_capture "$GILBENCH" run --workload startup --mode "$mode" --workers 4
    check "startup, $mode: runs and reports when the workers started" \
        jq -e '.startup_seconds > 0 and .startup_seconds <= .seconds and (has("spawn_startup_seconds") | not)' <<<"$OUT"
    run_capture "$GILBENCH" run --workload startup --mode "$mode" --workers 3 --param spawn=1
    check "startup, $mode, spawn=1: every worker's fresh process ran, and when is reported" \
        jq -e '.spawn_startup_seconds > 0 and .spawn_startup_seconds <= .seconds' <<<"$OUT"
    # A fresh process is a gilbench that has loaded its libraries: some CPU
    # time and megabytes, whichever mode started it.
    check "startup, $mode, spawn=1: what the fresh processes used is reported (CPU time, peak RSS)" \
        jq -e '.spawn_cpu_user_seconds + .spawn_cpu_sys_seconds > 0 and .spawn_max_rss_kib > 1024' \
        <<<"$OUT"
    # No fd for a pipe to the fresh process (3 are stdin, stdout, stderr):
    # the run fails through gb_fail(), with the first failing worker's line (one) and no checksum
    # line.  One unit: the right checksum is 0, as that of workers that did
    # nothing, so a checksum could not tell.
    for workers in 1 3; do
        run_capture bash -c 'ulimit -n 4 && exec "$@"' - "$GILBENCH" run --workload startup \
            --mode "$mode" --workers "$workers" --param spawn=1
        if [ "$STATUS" -eq 1 ] && [ -z "$OUT" ] && ! grep -q 'wrong result' <<<"$ERR" &&
            grep -qx 'gilbench: startup: worker [0-9]*: cannot make a pipe for its fresh process: .*' <<<"$ERR"; then
            ok 0 "startup, $mode, spawn=1, $workers worker(s): a fresh process that cannot start fails the run, saying why"
        else
            ok 1 "startup, $mode, spawn=1, $workers worker(s): a fresh process that cannot start fails the run, saying why"
            diag "status $STATUS, stdout '$OUT', stderr '$ERR'"
        fi
    done
done
run_capture "$GILBENCH" run --workload amdahl --mode gil --workers 2 --units 200 --param released_pct=0
check "amdahl with nothing released under the gil mode switches the GIL like cpu_loop" \
    jq -e '.gil_switches >= 1 and .gil_wait_seconds > 0' <<<"$OUT"
run_capture "$GILBENCH" run --workload amdahl --mode gil --param released_pct=101
check "a released share above 100 % is refused with exit 2" test "$STATUS" -eq 2
run_capture "$GILBENCH" clock
check "clock prints a CLOCK_MONOTONIC time" grep -qE '^[0-9]+\.[0-9]{9}$' <<<"$OUT"

done_testing
