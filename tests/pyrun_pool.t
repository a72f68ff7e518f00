#!/bin/bash
# pyrun_pool.t - the Python workloads (scripts/pyrun) under
# --dispatch pool: concurrent.futures executors created and warmed before
# the timed region, a task of --chunksize units per submitted item, payloads
# carried and checked, failures in one line with no process left behind.
# Needs Debian's python3 and python3-numpy; runs with the plain build only.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the Python pool tests"
python=/usr/bin/python3

pyrun() { OPENBLAS_NUM_THREADS=1 "$python" scripts/pyrun run "$@"; }
# tagged: a run whose processes carry TEST_TAG, with a PYRUN_TEST_FAULT.
tagged() { # tagged FAULT ARGS...
    local fault=$1; shift
    env "$TEST_TAG" PYRUN_TEST_FAULT="$fault" OPENBLAS_NUM_THREADS=1 "$python" scripts/pyrun run "$@"
}
one_line() { [ -n "$ERR" ] && [ "$(wc -l <<<"$ERR")" -eq 1 ]; }

small_of() {
    case $1 in
        cpu_loop) small=(--units 40) ;;
        io_wait) small=(--units 7 --param sleep_us=1000) ;;
        blas_dgemm) small=(--units 7 --param n=64) ;;
    esac
}

# The engine's keys, shares and (once the engine has it) pool.
engine_keys=$("$GILBENCH" run --workload io_wait --mode gil --units 2 --param sleep_us=100 | jq -c 'keys')
engine_pool_keys=$("$GILBENCH" run --workload io_wait --mode gil --units 2 --param sleep_us=100 \
    --dispatch pool --chunksize 1 2>/dev/null | jq -c 'keys' 2>/dev/null) || engine_pool_keys=""

# pool_runs MODE PYTHON...: pool runs of every workload at a few chunksizes,
# each against the shares checksum of the same units.
pool_runs() {
    local mode=$1; shift
    local workload chunksize units tasks shares_sum
    for workload in cpu_loop io_wait blas_dgemm; do
        small_of "$workload"
        units=${small[1]}
        run_capture "$@" --workload "$workload" --mode "$mode" --workers 3 "${small[@]}"
        check "pyrun $workload $mode shares succeeds" test "$STATUS" -eq 0
        [ "$STATUS" -eq 0 ] || diag "$ERR"
        shares_sum=$(jq -r .checksum <<<"$OUT")
        check "pyrun $workload $mode shares: dispatch shares, chunksize 0, tasks 0, no payload fields" \
            jq -e '.dispatch == "shares" and .chunksize == 0 and .tasks == 0 and
                   (has("task_arg_bytes") or has("task_result_bytes") | not)' <<<"$OUT"
        for chunksize in 1 3 1000; do
            tasks=$(( (units + chunksize - 1) / chunksize ))
            # chunksize 1000: one task for 3 workers, on purpose
            run_capture "$@" --workload "$workload" --mode "$mode" --workers 3 "${small[@]}" \
                --dispatch pool --chunksize "$chunksize" --allow-idle-workers
            check "pyrun $workload $mode pool chunksize $chunksize succeeds" test "$STATUS" -eq 0
            [ "$STATUS" -eq 0 ] || diag "$ERR"
            check "... with the shares' checksum" test "$(jq -r .checksum <<<"$OUT")" = "$shares_sum"
            check "... and its fields: dispatch pool, chunksize $chunksize, $tasks tasks, no payload" \
                jq -e --argjson c "$chunksize" --argjson t "$tasks" '.dispatch == "pool" and
                    .chunksize == $c and .tasks == $t and .task_arg_bytes == 0 and .task_result_bytes == 0' <<<"$OUT"
        done
        check "pyrun $workload $mode pool: the JSON line has every field of the engine's" \
            jq -e --argjson want "$engine_keys" 'keys | contains($want)' <<<"$OUT"
        if [ -n "$engine_pool_keys" ]; then
            check "pyrun $workload $mode pool: ... and of the engine's pool line" \
                jq -e --argjson want "$engine_pool_keys" 'keys | contains($want)' <<<"$OUT"
        fi
    done
}
pool_runs gil pyrun
pool_runs procs pyrun

# threads: a free-threaded Python with the GIL off, when there is one.
free_threaded=""
for candidate in ${FREE_THREADED_PYTHON:-} python3.14t python3.13t; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if PYTHON_GIL=0 "$path" -c 'import sys; sys.exit(sys._is_gil_enabled())' 2>/dev/null; then
        free_threaded=$path
        break
    fi
done
if [ -n "$free_threaded" ]; then
    pyrun_ft() { PYTHON_GIL=0 OPENBLAS_NUM_THREADS=1 "$free_threaded" scripts/pyrun run "$@"; }
    if PYTHON_GIL=0 "$free_threaded" -c 'import numpy' 2>/dev/null; then
        pool_runs threads pyrun_ft
    else
        run_capture pyrun_ft --workload cpu_loop --mode threads --workers 3 --units 40 --dispatch pool --chunksize 3
        check "pyrun cpu_loop threads pool on $free_threaded succeeds" test "$STATUS" -eq 0
        check "... as 14 tasks" jq -e '.dispatch == "pool" and .tasks == 14 and .gil_enabled == false' <<<"$OUT"
        echo "ok $((TEST_COUNT += 1)) # skip io_wait and blas_dgemm in the threads mode: $free_threaded has no NumPy"
    fi
else
    echo "ok $((TEST_COUNT += 1)) # skip the threads mode's pool: no free-threaded Python (python3.14t, python3.13t, FREE_THREADED_PYTHON)"
fi

# Payloads: built, carried, checked, in the JSON line.
for mode in gil procs; do
    run_capture pyrun --workload cpu_loop --mode "$mode" --workers 2 --units 20 --dispatch pool --chunksize 3 \
        --task-arg-kib 64 --task-result-kib 3
    check "pyrun $mode pool with 64 KiB arguments and 3 KiB results succeeds" test "$STATUS" -eq 0
    [ "$STATUS" -eq 0 ] || diag "$ERR"
    check "... and says so" jq -e '.task_arg_bytes == 65536 and .task_result_bytes == 3072 and .tasks == 7' <<<"$OUT"
    for what in arg result; do
        run_capture tagged "corrupt-$what:4" --workload cpu_loop --mode "$mode" --workers 2 --units 20 \
            --dispatch pool --chunksize 3 --task-arg-kib 64 --task-result-kib 3
        name=$what
        [ "$what" = result ] || name=argument
        check "pyrun $mode pool: one byte changed in task 4's $name fails the run in one line" \
            test "$STATUS" -eq 1 -a -z "$OUT"
        one_line || diag "$ERR"
        check "... saying which task, which payload, which byte" \
            grep -q "task 4's [0-9]*-byte $name arrived changed: byte [0-9]* differs" <<<"$ERR"
        check "... and leaves no process behind" wait_for 5 no_tagged_process
    done
done

run_capture tagged wrong-index:3 --workload cpu_loop --mode procs --workers 2 --units 10 --dispatch pool
check "pyrun pool: a result that reports another task's index fails the run" test "$STATUS" -eq 1
check "... in one line, naming both" test "$ERR" = "gilbench: the pool's result 3 is task 4's"

# A task that raises, a worker process that dies: one line, no process left.
for mode in gil procs; do
    run_capture tagged raise:2 --workload io_wait --mode "$mode" --workers 3 --units 12 --param sleep_us=20000 \
        --dispatch pool --chunksize 2
    check "pyrun $mode pool: an exception in a task fails the run with exit 1" test "$STATUS" -eq 1 -a -z "$OUT"
    check "... in one line, the exception's last line" \
        test "$ERR" = "gilbench: a task failed: RuntimeError: test fault: task 2 raised"
    check "... and leaves no process behind" wait_for 5 no_tagged_process
done
run_capture tagged crash:1 --workload io_wait --mode procs --workers 3 --units 12 --param sleep_us=20000 \
    --dispatch pool
check "pyrun procs pool: a worker process killed fails the run with exit 1" test "$STATUS" -eq 1 -a -z "$OUT"
check "... in one line naming BrokenProcessPool" eval 'one_line && grep -q "a task failed: .*BrokenProcessPool: " <<<"$ERR"'
check "... and leaves no process behind" wait_for 5 no_tagged_process
run_capture tagged "" --workload io_wait --mode procs --workers 2 --units 4 --param sleep_us=5000000 \
    --dispatch pool --timeout 1
check "pyrun procs pool: --timeout ends a long run with exit 124 and one line" \
    eval '[ "$STATUS" -eq 124 ] && one_line'
check "... and leaves no pool process behind" wait_for 5 no_tagged_process

run_capture pyrun --workload cpu_loop --mode gil --dispatch pool --units 100000 --chunksize 1 --task-result-kib 1048576
check "pyrun pool: payloads that cannot fit in memory at once fail the run at once, in one line" \
    eval '[ "$STATUS" -eq 1 ] && [ -z "$OUT" ] && one_line && grep -q "MiB available" <<<"$ERR"'

# Bad input: exit 2, one line, nothing on stdout.
bad() { # bad DESCRIPTION ARGS...
    local description=$1; shift
    run_capture "$@"
    check "pyrun refuses $description with exit 2 and one line" \
        test "$STATUS" -eq 2 -a -z "$OUT" -a "$(wc -l <<<"$ERR")" -eq 1
    [ "$STATUS" -eq 2 ] || diag "$ERR"
}
bad "--chunksize without --dispatch pool" pyrun --workload cpu_loop --mode gil --chunksize 4
bad "--chunksize with --dispatch shares" pyrun --workload cpu_loop --mode gil --dispatch shares --chunksize 4
bad "--chunksize 0" pyrun --workload cpu_loop --mode gil --dispatch pool --chunksize 0
bad "--chunksize x" pyrun --workload cpu_loop --mode gil --dispatch pool --chunksize x
bad "a --chunksize of more than 10^9" pyrun --workload cpu_loop --mode gil --dispatch pool --chunksize 1000000001
bad "more than 2^24 tasks" pyrun --workload cpu_loop --mode gil --dispatch pool --units 16777217
bad "--chunksize with no value" pyrun --workload cpu_loop --mode gil --dispatch pool --chunksize
bad "an unknown --dispatch" pyrun --workload cpu_loop --mode gil --dispatch fast
bad "--task-arg-kib without a pool" pyrun --workload cpu_loop --mode gil --task-arg-kib 1
bad "--task-result-kib without a pool" pyrun --workload cpu_loop --mode procs --task-result-kib 1
bad "--task-arg-kib 1048577 (1 GiB and 1 KiB)" pyrun --workload cpu_loop --mode gil --dispatch pool --task-arg-kib 1048577
bad "--task-result-kib -1" pyrun --workload cpu_loop --mode gil --dispatch pool --task-result-kib -1
bad "a PYRUN_TEST_FAULT it does not know" tagged bogus:1 --workload cpu_loop --mode gil --dispatch pool
bad "the threads mode's pool on a Python with a GIL" pyrun --workload cpu_loop --mode threads --dispatch pool

done_testing
