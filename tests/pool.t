#!/bin/bash
# pool.t - the pool dispatch (--dispatch pool) from the command line:
# cpu_loop and io_wait compute every unit exactly once through a pool of 1 to
# 9 workers in every mode, with chunksizes 1, 3 and 64 (97 units: never a
# multiple), giving the checksum of the shares dispatch; tasks carry real
# payloads (a workload's own default, overridden by the options); a worker
# that crashes in a task is named (procs: index, pid, signal; gil and
# threads: the worker thread), nothing hangs and no process is left; the
# watchdog ends a hung pool; gb_fail() fails a run with its line and no
# checksum line in every mode and dispatch, and across MPI ranks.  No time is
# asserted.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

tag=$TEST_TAG
# --timeout: a hang is a failed check (exit 124), not a hung test.
engine() { run_capture env "$tag" "$GILBENCH" run --timeout 60 "$@"; }
engine_test() { run_capture env "$tag" "$GILBENCH_TEST" run --timeout 60 "$@"; }
plain=$([ "$GILBENCH" = build/gilbench ] && echo 1 || echo 0) # sanitizers report crashes their own way

# ---- exactly once: workloads x modes x workers x chunksizes ----
for workload in cpu_loop io_wait; do
    settings=(--units 97)
    [ "$workload" = cpu_loop ] || settings+=(--param sleep_us=100)
    reference=$("$GILBENCH" run --workload $workload --mode threads --workers 3 "${settings[@]}" | jq -r .checksum)
    for mode in gil threads procs; do
        failed=""
        for workers in 1 2 3 4 5 6 7 8 9; do
            for chunksize in 1 3 64; do
                # More workers than tasks too: what the dispatch does with idle workers.
                engine --workload $workload --mode $mode --workers $workers "${settings[@]}" \
                    --dispatch pool --chunksize $chunksize --allow-idle-workers
                tasks=$(( (97 + chunksize - 1) / chunksize ))
                if [ "$STATUS" -ne 0 ] || ! jq -e --arg sum "$reference" --argjson tasks $tasks \
                    '.checksum == $sum and .tasks == $tasks and .dispatch == "pool"' <<<"$OUT" >/dev/null; then
                    failed="$failed $workers/$chunksize"
                    diag "$workers workers, chunksize $chunksize: status $STATUS, stderr '$ERR'"
                fi
            done
        done
        ok $([ -z "$failed" ]; echo $?) "$workload, $mode, 1 to 9 workers x chunksizes 1, 3, 64: every run has the shares checksum${failed:+ (failed:$failed)}"
    done
done
check "no process of those runs is left" wait_for 5 no_tagged_process

# ---- payloads ----
for mode in gil threads procs; do
    engine --workload cpu_loop --mode $mode --workers 2 --units 200 --dispatch pool --chunksize 4 \
        --task-arg-kib 64 --task-result-kib 64
    check "$mode: 50 tasks of 64 KiB out and 64 KiB back, every byte checked" \
        jq -e '.tasks == 50 and .task_arg_bytes == 65536 and .task_result_bytes == 65536' <<<"$OUT"
done
engine_test --workload fault --mode procs --workers 2 --units 20 --dispatch pool \
    --param arg_bytes=1001 --param result_bytes=13
check "a workload's own payloads (task_payload), odd sizes" \
    jq -e '.task_arg_bytes == 1001 and .task_result_bytes == 13' <<<"$OUT"
engine_test --workload fault --mode threads --workers 2 --units 20 --dispatch pool \
    --param arg_bytes=1001 --task-arg-kib 3
check "--task-arg-kib overrides the workload's" \
    jq -e '.task_arg_bytes == 3072 and .task_result_bytes == 0' <<<"$OUT"

# ---- a worker that crashes in a task: whichever worker takes unit 50 ----
crash=(--workload fault --workers 3 --units 100 --dispatch pool --param kind=1 --param worker=4096 --param unit=50)
engine_test --mode procs "${crash[@]}"
check "procs: a crash in a task fails the run (exit 1, no result line)" test "$STATUS" -eq 1 -a -z "$OUT"
if [ "$plain" = 1 ]; then
    check "procs: the worker is named with its pid and signal, in one line" \
        test "$(grep -c . <<<"$ERR")" -eq 1 -a -n "$(grep -E '^gilbench: worker [0-2] \(pid [0-9]+\) was killed by signal 11 \(Segmentation fault\)$' <<<"$ERR")"
fi
check "procs: no process is left" wait_for 5 no_tagged_process
for mode in gil threads; do
    engine_test --mode $mode "${crash[@]}"
    check "$mode: a crash in a task ends the process by its signal" test "$STATUS" -ne 0 -a "$STATUS" -ne 124 -a -z "$OUT"
    if [ "$plain" = 1 ]; then
        check "$mode: the crashed worker thread is named" \
            grep -qE '^gilbench: worker [0-2] crashed: killed by signal 11 \(Segmentation fault\)$' <<<"$ERR"
    fi
    check "$mode: no process is left" wait_for 5 no_tagged_process
done
engine_test --mode procs --workload fault --workers 3 --units 100 --dispatch pool --param kind=3 \
    --param worker=4096 --param unit=7
check "procs: a worker exiting with status 3 in a task is named with it" \
    grep -qE '^gilbench: worker [0-2] \(pid [0-9]+\) exited with status 3$' <<<"$ERR"

# ---- a hung pool: the watchdog ends it ----
for mode in gil procs; do
    run_capture env "$tag" "$GILBENCH_TEST" run --timeout 1 --mode $mode --workload fault --workers 2 \
        --units 50 --dispatch pool --param kind=4 --param worker=4096 --param unit=10
    check "$mode: a task that hangs is ended by --timeout (exit 124)" test "$STATUS" -eq 124
    check "$mode: no process of the hung run is left" wait_for 5 no_tagged_process
done

# ---- gb_fail: its line, exit 1, no checksum line, in every mode and dispatch ----
for mode in gil threads procs; do
    for dispatch in shares pool; do
        engine_test --mode $mode --workload fault --workers 3 --units 30 --dispatch $dispatch \
            --param kind=6 --param worker=4096 --param unit=12
        if [ "$STATUS" -eq 1 ] && [ -z "$OUT" ] && [ "$(grep -c . <<<"$ERR")" -eq 1 ] &&
            grep -qE '^gilbench: fault: worker [0-2]: injected failure \(kind=6\) in units \[' <<<"$ERR"; then
            ok 0 "$mode, $dispatch: gb_fail() fails the run with its one line and no checksum line"
        else
            ok 1 "$mode, $dispatch: gb_fail() fails the run with its one line and no checksum line"
            diag "status $STATUS, stdout '$OUT', stderr '$ERR'"
        fi
    done
done
run_capture env "$tag" "$GILBENCH_TEST" run --mode procs --workload fault --workers 2 --units 10 \
    --param kind=6 --param worker=1 --error-log "$TEST_TMP/errors.log"
check "gb_fail() writes its line to the --error-log" \
    grep -qx 'gilbench: fault: worker 1: injected failure (kind=6) in units \[5, +5)' "$TEST_TMP/errors.log"

mpi_test=${GILBENCH_TEST%-test}-mpi-test
if [ "$plain" = 1 ] && [ -x "$mpi_test" ] && command -v mpirun >/dev/null; then
    root=()
    [ "$(id -u)" -ne 0 ] || root=(--allow-run-as-root)
    run_capture env "$tag" OPENBLAS_NUM_THREADS=1 timeout 120 mpirun -n 2 --oversubscribe --bind-to none \
        "${root[@]}" "$mpi_test" run --workload fault --mode mpi --workers 2 --units 10 --param kind=6 --param worker=1
    check "mpi: gb_fail() on rank 1 fails the run (mpirun not 0, no result line)" test "$STATUS" -ne 0 -a -z "$OUT"
    check "mpi: with the rank's line" grep -q '^gilbench: fault: worker 1: injected failure' <<<"$ERR"
    check "mpi: and no checksum line" test -z "$(grep 'wrong result' <<<"$ERR")"
    check "mpi: no rank is left" wait_for 10 no_tagged_process
else
    echo "ok $((TEST_COUNT + 1)) # skip the mpi mode: not built, or a sanitizer build"
    TEST_COUNT=$((TEST_COUNT + 1))
fi

done_testing
