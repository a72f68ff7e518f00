#!/bin/bash
# mpi.t - the mpi mode: build/gilbench-mpi under Open MPI's mpirun gives the
# checksum of the other modes on 1, 2 and 4 local ranks (tasks too, whose
# ranks each calibrate their own iterations per task), says what it is,
# fails the run when a rank crashes (leaving no rank behind), and a sweep
# with MODES=...,mpi treats mpi like any other mode.  Without Open MPI (no
# mpicc when the tree was built) it checks only that the mode is refused
# with a clear message.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the mpi mode"
mpi=build/gilbench-mpi
mpi_test=build/gilbench-mpi-test

run_capture "$GILBENCH" run --workload cpu_loop --mode mpi
check "build/gilbench refuses --mode mpi with exit 2 and one line" \
    test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1 -a -z "$OUT"
check "... which names the packages to install" grep -q "openmpi-bin libopenmpi-dev" <<<"$ERR"

if [ ! -x "$mpi" ] || ! command -v mpirun >/dev/null; then
    echo "ok $((TEST_COUNT + 1)) # skip Open MPI is not installed (apt-get install -y openmpi-bin libopenmpi-dev)"
    TEST_COUNT=$((TEST_COUNT + 1))
    done_testing
    exit
fi
root=()
[ "$(id -u)" -ne 0 ] || root=(--allow-run-as-root)
mpirun_n() { # mpirun_n N PROGRAM ARGS...
    local n=$1; shift
    env "$TEST_TAG" OPENBLAS_NUM_THREADS=1 timeout 120 mpirun -n "$n" --oversubscribe --bind-to none \
        "${root[@]}" "$@"
}

for workload in cpu_loop io_wait blas_dgemm tasks; do
    case $workload in
        cpu_loop) small=(--units 400) ;;
        io_wait) small=(--units 8 --param sleep_us=1000) ;;
        blas_dgemm) small=(--units 8 --param n=64) ;;
        tasks) small=(--units 40 --param task_us=10) ;;
    esac
    reference=$("$GILBENCH" run --workload $workload --mode procs --workers 3 "${small[@]}" | jq -r .checksum)
    for ranks in 1 2 4; do
        run_capture mpirun_n $ranks "$mpi" run --workload $workload --mode mpi --workers $ranks "${small[@]}"
        check "$workload on $ranks ranks succeeds" test "$STATUS" -eq 0
        [ "$STATUS" -eq 0 ] || diag "$ERR"
        check "$workload on $ranks ranks prints one JSON line (rank 0's)" test "$(grep -c . <<<"$OUT")" -eq 1
        check "$workload on $ranks ranks: the checksum of the procs mode" \
            test "$(jq -r .checksum <<<"$OUT")" = "$reference"
        check "$workload on $ranks ranks: mode, ranks, hosts and MPI's own times in the line" \
            jq -e --argjson n $ranks '.mode == "mpi" and .workers == $n and .ranks == $n
                and (.hosts | length) == 1 and .mpi_init_seconds > 0 and .mpi_collect_seconds >= 0' <<<"$OUT"
    done
done

run_capture mpirun_n 2 "$mpi" run --workload cpu_loop --mode mpi --workers 3 --units 10
check "a rank count other than --workers is refused (exit status of mpirun not 0)" test "$STATUS" -ne 0
check "... saying so" grep -q "mpirun started 2 ranks" <<<"$ERR"
run_capture "$mpi" run --workload convoy --mode mpi --workers 2 --dry-run
check "a workload whose workers share one process is refused for mpi with exit 2" \
    test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1
run_capture mpirun_n 2 "$mpi" run --workload tasks --mode mpi --workers 2 --units 40 --param task_us=10
check "tasks on 2 ranks reports every rank's calibration as rank 0's figures" \
    jq -e '.iterations_per_task >= 1 and .ns_per_iteration > 0' <<<"$OUT"
run_capture mpirun_n 2 "$mpi" run --workload ipc --mode mpi --workers 2 --units 4
check "ipc on ranks (shares: no payload moves) fails the run" test "$STATUS" -ne 0 -a -z "$OUT"
check "... saying to use --dispatch pool" grep -q "^gilbench: workload ipc .*run it with --dispatch pool$" <<<"$ERR"

# A crashing rank: mpirun fails, the rank says how, no rank is left.
run_capture mpirun_n 2 "$mpi_test" run --workload fault --mode mpi --workers 2 --param kind=1 --param worker=1
check "a rank that crashes fails the run" test "$STATUS" -ne 0 -a -z "$OUT"
check "... with a message naming the rank and the signal" grep -q "rank 1 of 2 on .* crashed: killed by signal 11" <<<"$ERR"
check "... and leaves no rank behind" wait_for 10 no_tagged_process
run_capture mpirun_n 2 "$mpi_test" run --workload fault --mode mpi --workers 2 --param kind=5
check "a wrong result on a rank fails the run" test "$STATUS" -ne 0
check "... naming the checksum" grep -q "wrong result" <<<"$ERR"

# The sweep: MODES with mpi.
results=$TEST_TMP/results
run_capture env WORKLOADS=cpu_loop,io_wait MODES=procs,mpi WORKERS=1,2,4 RUNS=1 WARMUP=0 \
    PARAMS="cpu_loop.units=400 io_wait.units=8 io_wait.sleep_us=1000" RESULTS_DIR="$results" \
    PLOTS_DIR="$TEST_TMP/plots" GILBENCH="$GILBENCH" "$TEST_TAG" python3 scripts/sweep bench
check "a sweep with MODES=procs,mpi succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR" "$(tail -n 20 <<<"$OUT")"
for workers in 1 2 4; do
    check "the summary has the mpi row at $workers workers" \
        grep -q "^cpu_loop,mpi,$workers," "$results/latest/summary.csv"
done
check "mpi's own times are figures" grep -q "^cpu_loop,-,mpi,2,mpi_init_seconds," "$results/latest/figures.csv"
check "the run records Open MPI" jq -e '.mpi.version | test("Open MPI")' "$results/latest/meta.json"
check "the speedup plot is drawn" test -s "$results/latest/plots/cpu_loop.png"
check "no rank is left after the sweep" no_tagged_process
first=$(readlink -f "$results/latest")
run_capture env RERUN="$first" RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots" \
    GILBENCH="$GILBENCH" "$TEST_TAG" python3 scripts/sweep bench
check "RERUN of a sweep with mpi points succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR" "$(tail -n 20 <<<"$OUT")"
check "... keeps the modes of the first run" \
    jq -e '.settings.modes == ["procs", "mpi"] and (.mpi.version | test("Open MPI"))' "$results/latest/meta.json"
check "... and has every point again" \
    test "$(tail -n +2 "$results/latest/summary.csv" | wc -l)" -eq "$(tail -n +2 "$first/summary.csv" | wc -l)"

# A rank that crashes in a sweep fails that point alone, named in failures.tsv.
run_capture env WORKLOADS=fault MODES=mpi WORKERS=1,2 RUNS=1 WARMUP=0 \
    PARAMS="fault.kind=1 fault.at_workers=2 fault.worker=1" RESULTS_DIR="$TEST_TMP/faults" \
    PLOTS_DIR="$TEST_TMP/plots" GILBENCH="$GILBENCH_TEST" "$TEST_TAG" python3 scripts/sweep bench
check "a sweep with a crashing rank exits 1" test "$STATUS" -eq 1
check "... its failures.tsv names the point, the rank and the signal" \
    grep -qP '^fault\t-\tmpi\t2\trank 1 of 2 on .* crashed: killed by signal 11' "$TEST_TMP"/faults/*/failures.tsv
check "... the 1-rank point is measured" grep -q '^fault,mpi,1,' "$TEST_TMP"/faults/*/summary.csv
check "... and no rank is left" wait_for 10 no_tagged_process

run_capture env WORKLOADS=cpu_loop MODES=mpi HOSTFILE="$TEST_TMP/missing" RESULTS_DIR="$results" \
    GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "a HOSTFILE that cannot be read is refused with exit 2" test "$STATUS" -eq 2
run_capture env WORKLOADS=convoy MODES=mpi RESULTS_DIR="$results" GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "a sweep of a one-process workload in the mpi mode is refused with exit 2" test "$STATUS" -eq 2

done_testing
