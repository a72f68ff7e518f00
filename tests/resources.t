#!/bin/bash
# resources.t - running out of what the machine gives: file descriptors
# (ulimit -n), processes and threads (RLIMIT_NPROC of an unprivileged user;
# ulimit -v for thread stacks), memory (ulimit -v), and a results folder
# that becomes unwritable mid-sweep.  Each ends in one clear line and a
# non-zero exit, with no process and no half-written file left; in a sweep,
# a failure that belongs to one point fails that point and the sweep goes on.
# The cases that need a user without root's exemptions run as nobody
# (setpriv), and are skipped with a line where that cannot be done.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the resource limits"

engine() { env "$TEST_TAG" OPENBLAS_NUM_THREADS=1 "$GILBENCH" run "$@"; }
one_line() { test "$(grep -c . <<<"$ERR")" -eq 1 -a "${ERR#gilbench: }" != "$ERR"; }

# ---- file descriptors ----
run_capture bash -c 'ulimit -n 9; exec "$@"' - env "$TEST_TAG" "$GILBENCH" run --workload cpu_loop --mode procs \
    --workers 4 --units 40 --dispatch pool
check "a process pool without descriptors for its pipes: exit 1, one line" test "$STATUS" -eq 1 && one_line
check "... naming the pipe and the cause" grep -q 'pool: cannot make the .* pipe of worker [0-9]*: Too many open files' <<<"$ERR"
check "... and no worker is left" wait_for 5 no_tagged_process
run_capture bash -c 'ulimit -n 5; exec "$@"' - env "$TEST_TAG" "$GILBENCH" run --workload convoy --mode gil \
    --workers 2 --units 20
check "the convoy's echo peer without descriptors: exit 1, one line" test "$STATUS" -eq 1 && one_line
check "... naming the socket pair" grep -q 'convoy: cannot create a socket pair: Too many open files' <<<"$ERR"
check "... and no echo peer is left" wait_for 5 no_tagged_process

run_capture bash -c 'ulimit -S -n 200; exec "$@"' - env "$TEST_TAG" "$GILBENCH" run --workload cpu_loop --mode procs \
    --workers 256 --units 256 --dispatch pool
check "a process pool of 256 workers under a soft descriptor limit of 200 (hard: more) raises it and runs" \
    jq -e '.workers == 256' <<<"$OUT"
[ "$STATUS" -eq 0 ] || diag "$ERR"

# ---- memory ----
available_mib=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
if [ -n "$available_mib" ]; then
    workers=$((available_mib / 1024 + 2)) # at most size_mib units: below 1 TiB available
    run_capture env "$TEST_TAG" "$GILBENCH" run --workload shared_input --mode interp --workers "$workers" \
        --units "$workers" --param size_mib=1024
    check "interpreters whose copies of the input cannot fit in MemAvailable: refused at once, exit 1, one line" \
        test "$STATUS" -eq 1 && one_line
    check "... saying what they need" grep -q "shared_input: $workers interpreters' copies of the 1024 MiB input" <<<"$ERR"
fi
run_capture bash -c 'ulimit -v 300000; exec "$@"' - env "$TEST_TAG" "$GILBENCH" run --workload shared_input \
    --mode gil --workers 2 --param size_mib=512 --units 4
check "an input larger than the address space allowed: exit 1, one line" test "$STATUS" -eq 1 && one_line
check "... naming the input" grep -q 'shared_input: cannot map the 512 MiB input' <<<"$ERR"
trace_dir="$TEST_TMP/trace"
mkdir -p "$trace_dir"
run_capture bash -c 'ulimit -v 200000; exec "$@"' - "$GILBENCH" run --workload cpu_loop --mode gil \
    --workers 64 --units 64 --trace "$trace_dir/t.tsv"
check "trace buffers that do not fit: exit 1, one line" test "$STATUS" -eq 1 && one_line
check "... saying so" grep -q 'out of memory for the trace of 64 workers' <<<"$ERR"
check "... and no trace file, whole or half" test -z "$(ls -A "$trace_dir")"
run_capture bash -c 'ulimit -v 200000; exec "$@"' - env "$TEST_TAG" "$GILBENCH" run --workload cpu_loop \
    --mode threads --workers 512 --units 512
check "thread stacks that do not fit: exit 1, one line" test "$STATUS" -eq 1 && one_line
check "... naming the thread" grep -q 'could not create worker thread [0-9]* of 512' <<<"$ERR"

# A sweep in which one point cannot get its threads: that point fails with
# the line, the others are measured and summarised.
results="$TEST_TMP/results"
run_capture bash -c 'ulimit -v 250000; exec "$@"' - env WORKLOADS=cpu_loop MODES=threads WORKERS=1,512 RUNS=1 \
    PARAMS=cpu_loop.units=512 RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots" python3 scripts/sweep bench
check "the sweep goes on past a point without threads, and fails (exit 1)" test "$STATUS" -eq 1
run=$(ls -d "$results"/2*/ 2>/dev/null | head -n1)
check "failures.tsv names the point and the thread" \
    grep -qP '^cpu_loop\t-\tthreads\t512\tcould not create worker thread [0-9]+ of 512' "$run/failures.tsv"
check "the other point is in summary.csv" grep -q '^cpu_loop,threads,1,' "$run/summary.csv"

# ---- processes and threads of an unprivileged user ----
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
    ok 1 "# skip the RLIMIT_NPROC and unwritable-folder cases need root, setpriv and the user nobody"
    done_testing
    exit
fi
# A folder nobody can use, with the engine and the scripts in it.
shared=$(mktemp -d /tmp/gilbench-resources.XXXXXX)
trap 'rm -rf "$shared"' EXIT
mkdir -p "$shared/tree/build"
cp -r scripts "$shared/tree/" && cp "$GILBENCH" "$shared/tree/build/gilbench"
chown -R nobody "$shared" && chmod 755 "$shared"
as_nobody() { # as_nobody LIMITS COMMAND...: COMMAND as nobody under the ulimit options LIMITS
    local limits=$1
    shift
    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
        env -i PATH="$PATH" HOME="$shared" "$TEST_TAG" OPENBLAS_NUM_THREADS=1 \
        bash -c "ulimit $limits; cd '$shared/tree' && exec \"\$@\"" - "$@"
}
# The same in a bare environment: nothing tells OpenBLAS how many threads
# to start when the engine loads it, as on most machines.
as_nobody_bare() {
    local limits=$1
    shift
    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups env -i PATH="$PATH" HOME="$shared" "$TEST_TAG" \
        bash -c "ulimit $limits; cd '$shared/tree' && exec \"\$@\"" - "$@"
}
run_capture as_nobody_bare "-u 1" build/gilbench run --workload blas_dgemm --mode threads --workers 2 --units 4
check "no OPENBLAS_NUM_THREADS and a process limit OpenBLAS's own threads would exceed: exit 1, one line" \
    test "$STATUS" -eq 1 && one_line
check "... the engine's, not OpenBLAS's" grep -q '^gilbench: could not create worker thread' <<<"$ERR"
[ "$STATUS" -eq 1 ] || diag "$ERR"
run_capture as_nobody "-u 3" build/gilbench run --workload cpu_loop --mode procs --workers 8 --units 80
check "fork refused by RLIMIT_NPROC: exit 1, one line" test "$STATUS" -eq 1 && one_line
check "... naming the worker that could not be forked" grep -q 'could not fork worker [0-9]* of 8' <<<"$ERR"
check "... and no worker is left" wait_for 5 no_tagged_process
run_capture as_nobody "-u 2" build/gilbench run --workload cpu_loop --mode threads --workers 8 --units 80
check "thread creation refused by RLIMIT_NPROC: exit 1, one line" test "$STATUS" -eq 1 && one_line
check "... naming the thread" grep -q 'could not create worker thread [0-9]* of 8' <<<"$ERR"

# ---- a results folder that becomes unwritable mid-sweep ----
unwritable="$shared/results"
# Long enough (3 rounds of 6 points, about 10 s) that the folder changes mid-sweep on a loaded machine.
as_nobody "-n 1024" env WORKLOADS=io_wait MODES=gil,procs WORKERS=1,2,4 RUNS=3 \
    PARAMS="io_wait.units=8 io_wait.sleep_us=100000" RESULTS_DIR="$unwritable" PLOTS_DIR="$shared/plots" \
    python3 scripts/sweep bench > "$TEST_TMP/sweep.out" 2> "$TEST_TMP/sweep.err" &
sweep=$!
folder_with_points() {
    folder=$(ls -d "$unwritable"/2*/ 2>/dev/null | head -n1)
    [ -n "$folder" ] && [ "$(wc -l < "$folder/schedule.tsv")" -ge 3 ]
}
wait_for 60 folder_with_points && chmod -R a-w "$folder"
wait "$sweep"
STATUS=$? ERR=$(cat "$TEST_TMP/sweep.err")
check "the sweep stops with exit 1" test "$STATUS" -eq 1
[ "$STATUS" -eq 1 ] || diag "status $STATUS: $(tail -n 3 <<<"$ERR")"
check "... and one line saying the folder can no longer be written" \
    test "$(grep -c 'can no longer be written' <<<"$ERR")" -eq 1 -a "$(tail -n1 <<<"$ERR" | grep -c '^gilbench: ')" -eq 1
check "... no shell error" bash -c "! grep -q 'Permission denied\|line [0-9]*:' <<<'$ERR'"
grep -q 'Permission denied\|line [0-9]*:' <<<"$ERR" && diag "$ERR"
check "the folder is not marked complete" test "$(jq -r '.complete' "$folder/meta.json")" != true
check "no latest points at it" test ! -e "$unwritable/latest"
check "no process of the sweep is left" wait_for 5 no_tagged_process

done_testing
