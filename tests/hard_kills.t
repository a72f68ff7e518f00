#!/bin/bash
# hard_kills.t - SIGKILL, which no handler sees, at randomised moments (a
# fixed seed; HARD_KILL_ROUNDS, default 20, rounds of each): the sweep
# itself, the engine, one of its worker processes, the convoy's echo peer,
# the Python runner with its process pool, and mpirun.  After each kill no
# process of the run survives (workers die with their parent), the killed
# sweep's folder lacks "complete": true, results/latest still names a
# complete run, no temporary file is left; and the next sweep works.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the hard kills"
RANDOM=20261203 # the seed: the same moments in every run of the test
rounds=${HARD_KILL_ROUNDS:-20}
export OPENBLAS_NUM_THREADS=1 # no re-execution: the engine's pid is the one started

# random_delay MIN_MS MAX_MS: a delay in seconds between the two.
random_delay() {
    awk -v ms=$(( $1 + RANDOM % ($2 - $1 + 1) )) 'BEGIN { printf "%.3f", ms / 1000 }'
}
# tally NAME: counts one violation of NAME (reported once, with the count, at the end).
declare -A violations=()
tally() { violations[$1]=$(( ${violations[$1]:-0} + 1 )); }
report() { # report NAME DESCRIPTION
    check "$2 (in $rounds rounds; violations: ${violations[$1]:-0})" test "${violations[$1]:-0}" -eq 0
}

# ---- the sweep ----
results="$TEST_TMP/results" sweep_tmp="$TEST_TMP/tmp"
mkdir -p "$sweep_tmp"
sweep() { # in a subshell of its own, which it becomes (exec): $! is the sweep
    exec env "$TEST_TAG" TMPDIR="$sweep_tmp" WORKLOADS=io_wait,cpu_loop MODES=gil,procs WORKERS=1,2 RUNS=2 \
        PARAMS="io_wait.units=6 io_wait.sleep_us=30000 cpu_loop.units=1500" RESULTS_DIR="$results" \
        PLOTS_DIR="$TEST_TMP/plots" TIMELINE_MS=20 python3 scripts/sweep bench
}
(sweep) > "$TEST_TMP/first.out" 2>&1
check "a first sweep completes" test "$?" -eq 0
complete=$(readlink "$results/latest")
for round in $(seq "$rounds"); do
    before=$(ls "$results" | grep -c '^2')
    (sweep) > "$TEST_TMP/killed.out" 2>&1 &
    pid=$!
    sleep "$(random_delay 50 3500)"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    wait_for 5 no_tagged_process || tally sweep-processes
    wait_for 5 test -z "$(ls -A "$sweep_tmp")" || tally sweep-temporary
    latest=$(readlink "$results/latest")
    [ "$(jq -r .complete "$results/$latest/meta.json")" = true ] || tally sweep-latest
    newest=$(ls "$results" | grep '^2' | sort | tail -n1)
    if [ "$(ls "$results" | grep -c '^2')" -gt "$before" ] && [ "$newest" != "$latest" ]; then
        [ "$(jq -r .complete "$results/$newest/meta.json" 2>/dev/null)" != true ] || tally sweep-marked
    fi
done
report sweep-processes "a killed sweep leaves no process: its point is stopped by the sweep's keeper"
report sweep-temporary "... and no temporary file"
report sweep-latest "results/latest names a complete run after every kill"
report sweep-marked "the killed sweep's folder is not marked complete"
diag "first complete run $complete; latest now $(readlink "$results/latest")"
# The whole process group at once (a CI job's timeout, kill -9 -PGID): the
# keeper dies with the sweep, so its temporary folder stays, until the next
# sweep finds its owner gone and removes it.
mpi_modes=""
[ ! -x "$(dirname "$GILBENCH")/gilbench-mpi" ] || ! command -v mpirun >/dev/null || mpi_modes=,mpi
shm_before=$(ls -d /dev/shm/gilbench-mpi.* 2>/dev/null | paste -sd' ' -)
setsid env "$TEST_TAG" TMPDIR="$sweep_tmp" WORKLOADS=io_wait MODES=gil$mpi_modes WORKERS=1,2 RUNS=3 \
    PARAMS="io_wait.sleep_us=30000" RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots" python3 scripts/sweep bench \
    > "$TEST_TMP/group.out" 2>&1 &
group=$!
wait_for 30 grep -q '^\[round 1\]' "$TEST_TMP/group.out"
kill -KILL -- "-$group"
wait "$group" 2>/dev/null
wait_for 60 no_tagged_process
left=$(ls -d "$sweep_tmp"/gilbench-live.* 2>/dev/null)
check "a sweep killed with its whole process group leaves its temporary folder" test -n "$left"
(sweep) > "$TEST_TMP/next.out" 2>&1
check "the next sweep works" test "$?" -eq 0
check "  and removes the folder the killed one left (its owner is gone)" test ! -e "$left"
check "  leaving nothing in the temporary folder" test -z "$(ls -A "$sweep_tmp")"
if [ -n "$mpi_modes" ]; then
    check "  nor the MPI ranks' shared-memory folder in /dev/shm" \
        test "$(ls -d /dev/shm/gilbench-mpi.* 2>/dev/null | paste -sd' ' -)" = "$shm_before"
    check "  and no Open MPI shared-memory file of its own in /dev/shm" test -z "$(ls /dev/shm | grep '^vader_segment')"
fi
check "... and becomes latest" test "$(readlink "$results/latest")" = "$(ls "$results" | grep '^2' | sort | tail -n1)"

# ---- the engine and what it starts ----
# started_engine ARGS...: gilbench run ARGS in the background, its pid in engine.
started_engine() {
    env "$TEST_TAG" "$GILBENCH" run "$@" > /dev/null 2> "$TEST_TMP/engine.err" &
    engine=$!
}
for round in $(seq "$rounds"); do
    if [ $((round % 2)) -eq 0 ]; then
        started_engine --workload io_wait --mode procs --workers 3 --units 30 --param sleep_us=20000 --timeout 60
    else
        started_engine --workload cpu_loop --mode procs --workers 3 --units 3000 --dispatch pool --timeout 60
    fi
    sleep "$(random_delay 0 300)"
    kill -KILL "$engine" 2>/dev/null
    wait "$engine" 2>/dev/null
    wait_for 5 no_tagged_process || tally engine
done
report engine "a killed engine's worker processes (shares and pool) die with it"

for round in $(seq "$rounds"); do
    # Odd rounds: a share's worker; even rounds: a pool's, fed by its feeder.
    dispatch=shares
    [ $((round % 2)) -eq 1 ] || dispatch=pool
    started_engine --workload io_wait --mode procs --workers 3 --units 30 --param sleep_us=100000 \
        --dispatch "$dispatch" --timeout 60
    sleep "$(random_delay 150 700)"
    victims=($(pgrep -P "$engine"))
    if [ ${#victims[@]} -eq 0 ]; then tally worker-found; kill -KILL "$engine"; wait "$engine"; continue; fi
    victim=${victims[$((RANDOM % ${#victims[@]}))]}
    kill -KILL "$victim"
    wait "$engine"
    status=$?
    { [ "$status" -eq 1 ] && grep -q "(pid $victim) was killed by signal 9" "$TEST_TMP/engine.err" &&
      [ "$(grep -c . "$TEST_TMP/engine.err")" -eq 1 ]; } || tally worker-line
    wait_for 5 no_tagged_process || tally worker-processes
done
report worker-found "the worker processes could be found"
report worker-line "a killed worker (shares or pool) fails the run (exit 1) with one line naming its pid and signal"
report worker-processes "... and leaves no process"

for round in $(seq "$rounds"); do
    started_engine --workload convoy --mode gil --workers 2 --units 400 --timeout 60
    sleep "$(random_delay 100 600)"
    peer=$(pgrep -P "$engine" | head -n1)
    if [ -z "$peer" ]; then tally peer-found; kill -KILL "$engine"; wait "$engine"; continue; fi
    kill -KILL "$peer"
    wait "$engine"
    status=$?
    { [ "$status" -ne 0 ] && [ "$(grep -c . "$TEST_TMP/engine.err")" -eq 1 ] &&
      grep -q '^gilbench: ' "$TEST_TMP/engine.err"; } || tally peer-line
    wait_for 5 no_tagged_process || tally peer-processes
done
report peer-found "the convoy's echo peer could be found"
report peer-line "a killed echo peer fails the run with one line"
report peer-processes "... and leaves no process"

# ---- the Python runner's process pool ----
if [ -x /usr/bin/python3 ]; then
    for round in $(seq "$rounds"); do
        env "$TEST_TAG" /usr/bin/python3 scripts/pyrun run --workload io_wait --mode procs --workers 3 \
            --units 60 --param sleep_us=20000 --dispatch pool --timeout 60 > /dev/null 2>&1 &
        runner=$!
        sleep "$(random_delay 100 800)"
        kill -KILL "$runner" 2>/dev/null
        wait "$runner" 2>/dev/null
        wait_for 5 no_tagged_process || tally python-pool
    done
    report python-pool "a killed Python runner's ProcessPoolExecutor workers die with it"
else
    ok 1 "# skip no /usr/bin/python3: the Python runner's pool is not killed"
fi

# ---- mpirun ----
mpi=$(dirname "$GILBENCH")/gilbench-mpi
if command -v mpirun >/dev/null && [ -x "$mpi" ]; then
    for round in $(seq "$rounds"); do
        mapfile -t options < <(python3 tests/sweep_call.py hosts mpirun_options "")
        # The killed ranks' shared-memory files in a folder of the test's own.
        mkdir -p "$TEST_TMP/shm"
        env "$TEST_TAG" OMPI_MCA_btl_vader_backing_directory="$TEST_TMP/shm" mpirun -n 2 "${options[@]}" "$mpi" run --workload io_wait --mode mpi --workers 2 \
            --units 40 --param sleep_us=50000 --timeout 60 > /dev/null 2>&1 &
        launcher=$!
        sleep "$(random_delay 200 1200)"
        kill -KILL "$launcher" 2>/dev/null
        wait "$launcher" 2>/dev/null
        wait_for 10 no_tagged_process || tally mpirun
    done
    report mpirun "a killed mpirun's ranks end within 10 s"
else
    ok 1 "# skip no Open MPI build: mpirun is not killed"
fi

done_testing
