#!/bin/bash
# calibrate.t - make calibrate's parts: the Python workloads
# (scripts/pyrun) against the engine's interface, a shrunk
# calibrate sweep with its rows, table and page, and the messages when
# Python is missing.  Needs Debian's python3 and python3-numpy (the CI
# installs them); runs with the plain build only.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the calibrate sweep"
python=/usr/bin/python3

# The differs flag, on hand-made speedups: |model / CPython - 1| > 15 %,
# the same either way (0.86 and 1.14 are within, 0.84 and 1.16 are not).
hand=$TEST_TMP/hand
mkdir -p "$hand"
cp tests/fixtures/run/meta.json "$hand/"
{
    echo workload,mode,workers,median_s,speedup,variant
    for pair in gil:0.86 threads:1.14 procs:0.84 mpi:1.16; do
        for source in model cpython-3.11.2; do
            speedup=1
            [ "$source" != model ] || speedup=${pair#*:}
            echo "cpu_loop,${pair%%:*},1,1.0,1.0000,source=$source"
            echo "cpu_loop,${pair%%:*},2,0.5,$speedup,source=$source"
        done
    done
} > "$hand/summary.csv"
run_capture /usr/bin/python3 scripts/sweep calibration "$hand"
check "the calibration table on hand-made speedups succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
flag() { awk -F, -v mode="$1" '$2 == mode && $3 == 2 { print $10 "," $11 }' "$hand/calibration.csv"; }
check "a speedup ratio of 0.86 is within 15 %" test "$(flag gil)" = "0.860,no"
check "a speedup ratio of 1.14 is within 15 %" test "$(flag threads)" = "1.140,no"
check "a speedup ratio of 0.84 differs" test "$(flag procs)" = "0.840,yes"
check "a speedup ratio of 1.16 differs" test "$(flag mpi)" = "1.160,yes"
check "a speedup ratio of 1 (one worker) does not differ" \
    test -z "$(awk -F, '$3 == 1 && $11 != "no"' "$hand/calibration.csv")"
check "each row names its interpreter" test "$(awk -F, 'NR > 1 { print $4 }' "$hand/calibration.csv" | sort -u)" = cpython-3.11.2

pyrun() { OPENBLAS_NUM_THREADS=1 "$python" scripts/pyrun run "$@"; }

# The JSON line has every field of the engine's, with the GIL counters null.
engine_keys=$("$GILBENCH" run --workload io_wait --mode gil --units 2 --param sleep_us=100 | jq -c 'keys')
for workload in cpu_loop io_wait blas_dgemm shared_objects own_objects; do
    case $workload in
        cpu_loop | shared_objects | own_objects) small=(--units 40) ;;
        io_wait) small=(--units 6 --param sleep_us=1000) ;;
        blas_dgemm) small=(--units 4 --param n=64) ;;
    esac
    sums=""
    for mode in gil procs; do
        for workers in 1 3; do
            run_capture pyrun --workload $workload --mode $mode --workers $workers "${small[@]}"
            check "pyrun $workload $mode $workers workers succeeds" test "$STATUS" -eq 0
            [ "$STATUS" -eq 0 ] || diag "$ERR"
            sums+="$(jq -r .checksum <<<"$OUT") "
        done
    done
    check "pyrun $workload: the JSON line has every field of the engine's" \
        jq -e --argjson want "$engine_keys" '(keys | contains($want)) and .gil_switches == null' <<<"$OUT"
    check "pyrun $workload: the same checksum in every mode and worker count" \
        test "$(tr ' ' '\n' <<<"$sums" | sort -u | grep -c .)" -eq 1
    [ "$workload" != cpu_loop ] || loop_sum=${sums%% *}
    case $workload in
        shared_objects | own_objects)
            check "pyrun $workload: its loop's values are cpu_loop's" test "${sums%% *}" = "$loop_sum" ;;
    esac
done
# work_per_append: more loop iterations before each append, in both.
for mode in gil procs; do
    run_capture pyrun --workload shared_objects --mode $mode --workers 2 --units 20 --param work_per_append=3
    py_sum=$(jq -r .checksum <<<"$OUT")
    check "pyrun shared_objects $mode, work_per_append=3: own_objects' checksum for it, not the default's" \
        test -n "$py_sum" -a "$py_sum" != "$loop_sum" -a "$py_sum" = "$(pyrun --workload own_objects --mode gil --units 20 --param work_per_append=3 | jq -r .checksum)"
done
# The shared list, through a pool of threads too: every append is counted
# (the run fails on a lost one).
run_capture pyrun --workload shared_objects --mode gil --workers 3 --units 30 --dispatch pool --chunksize 4
check "pyrun shared_objects through a thread pool succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"

# convoy's Python version (make calibrate's mechanism table): worker 0's
# round trips, every one timed, beside CPU-bound workers that stop when it
# is done; the threads of one process only.
run_capture pyrun --workload convoy --mode gil --workers 3 --units 20 --param server_us=500
check "pyrun convoy, 3 workers, succeeds, checked, with convoy.c's figures" \
    jq -e '.checked and .round_trips_per_s > 0 and .latency_p50_us >= 500 and .latency_p99_us >= .latency_p50_us' <<<"$OUT"
[ "$STATUS" -eq 0 ] || diag "$ERR"
run_capture pyrun --workload convoy --mode procs --workers 2 --units 4
check "pyrun convoy --mode procs is refused with exit 2 and one line" \
    test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1

# blas_dgemm through ctypes (what interpreters without NumPy use): the same
# exact checksum as NumPy's path, and the GIL released around the multiply.
for mode in gil procs; do
    run_capture env PYRUN_BLAS=ctypes OPENBLAS_NUM_THREADS=1 "$python" scripts/pyrun run \
        --workload blas_dgemm --mode $mode --workers 2 --units 4 --param n=64
    check "pyrun blas_dgemm $mode through ctypes succeeds and says so" \
        jq -e '.blas == "ctypes cblas_dgemm"' <<<"$OUT"
    ctypes_sum=$(jq -r .checksum <<<"$OUT")
    run_capture env PYRUN_BLAS=numpy OPENBLAS_NUM_THREADS=1 "$python" scripts/pyrun run \
        --workload blas_dgemm --mode $mode --workers 2 --units 4 --param n=64
    check "... with the checksum of NumPy's path" test -n "$ctypes_sum" -a "$ctypes_sum" = "$(jq -r .checksum <<<"$OUT")"
done
# With no forced switch (an interval of 1000 s), a thread counting in
# Python (and letting others in with time.sleep(0), which releases the GIL)
# moves while another is inside one ctypes multiply only if the call
# released the GIL.
run_capture env PYRUN_BLAS=ctypes "$python" - <<'EOF'
import sys, threading, time
sys.path.insert(0, "scripts")
from pyrun import workload_files
blas = workload_files.load("blas_dgemm").module
sys.setswitchinterval(1000)
state = blas.setup({"n": 700})
count, stop, moved = [0], [False], []
def counter():
    while not stop[0]:
        count[0] += 1
        time.sleep(0)
def multiply():
    before = count[0]
    value = blas.work(state, 0, 1)
    moved.append(count[0] - before)
    assert blas.check(state, 0, 1, value)
t = threading.Thread(target=counter)
t.start()
while count[0] == 0:
    time.sleep(0.001)
m = threading.Thread(target=multiply)
m.start(); m.join()
stop[0] = True; t.join()
print(moved[0])
EOF
check "a ctypes multiply releases the GIL: another thread ran during it (and its value is exact)" \
    test "$STATUS" -eq 0 -a "${OUT:-0}" -gt 0
[ "$STATUS" -eq 0 ] || diag "$ERR"

# Bad input: exit 2, one line, nothing on stdout.
bad() { # bad DESCRIPTION ARGS...
    local description=$1; shift
    run_capture pyrun "$@"
    check "pyrun refuses $description with exit 2 and one line" \
        test "$STATUS" -eq 2 -a -z "$OUT" -a "$(wc -l <<<"$ERR")" -eq 1
}
bad "an unknown workload" --workload nope --mode gil
bad "an unknown mode" --workload cpu_loop --mode fast
bad "0 workers" --workload cpu_loop --mode gil --workers 0
bad "an unknown setting" --workload cpu_loop --mode gil --param n=3
bad "a setting out of range" --workload blas_dgemm --mode gil --param n=2
bad "an unknown option" --workload cpu_loop --mode gil --fast
bad "the threads mode on a Python with a GIL" --workload cpu_loop --mode threads
run_capture pyrun --workload io_wait --mode gil --param sleep_us=5000000 --units 2 --timeout 1
check "pyrun --timeout ends a long run with exit 124 and one line" \
    test "$STATUS" -eq 124 -a "$(wc -l <<<"$ERR")" -eq 1
run_capture env "$TEST_TAG" OPENBLAS_NUM_THREADS=1 "$python" scripts/pyrun run \
    --workload io_wait --mode procs --workers 2 --param sleep_us=5000000 --units 4 --timeout 1
check "pyrun --timeout in the procs mode exits 124" test "$STATUS" -eq 124
check "... and leaves no worker process behind" wait_for 5 no_tagged_process
bad "an --error-log that cannot be opened" --workload cpu_loop --mode gil --error-log /nonexistent/log

# Subinterpreters (mode interp): on the 3.13 build of make pythons when it
# is there (CI builds it), refused with exit 2 by a Python that has none.
run_capture pyrun --workload cpu_loop --mode interp --workers 2 --units 10
check "pyrun --mode interp on a Python without subinterpreters: exit 2, one line" \
    test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1
check "... naming what it needs" grep -q "needs subinterpreters" <<<"$ERR"
python313="$(python3 tests/sweep_call.py interpreters pythons_dir)/gil/bin/python3.13"
if [ -x "$python313" ]; then
    py313() { env -u PYTHON_GIL OPENBLAS_NUM_THREADS=1 "$python313" scripts/pyrun run "$@"; }
    for workload in cpu_loop blas_dgemm shared_objects; do
        case $workload in blas_dgemm) small=(--units 4 --param n=64) ;; *) small=(--units 30) ;; esac
        want=$(py313 --workload $workload --mode gil --workers 2 "${small[@]}" | jq -r .checksum)
        run_capture py313 --workload $workload --mode interp --workers 3 "${small[@]}"
        check "pyrun $workload in 3 subinterpreters (3.13): the checksum of threading" \
            test "$STATUS" -eq 0 -a -n "$want" -a "$(jq -r .checksum <<<"$OUT")" = "$want"
        [ "$STATUS" -eq 0 ] || diag "$ERR"
    done
    run_capture py313 --workload blas_dgemm --mode interp --workers 2 --units 2 --param n=64
    check "pyrun blas_dgemm in subinterpreters calls cblas_dgemm through ctypes" \
        jq -e '.blas == "ctypes cblas_dgemm" and .mode == "interp"' <<<"$OUT"
    run_capture env PYRUN_TEST_FAULT=raise:1 "$python313" scripts/pyrun run \
        --workload cpu_loop --mode interp --workers 2 --units 10
    check "an exception in a subinterpreter fails the run with its last line, naming the interpreter" \
        test "$STATUS" -eq 1 -a "$ERR" = "gilbench: interpreter 1: RuntimeError: test fault: interpreter 1 raised"
    run_capture py313 --workload cpu_loop --mode interp --workers 2 --units 10 --dispatch pool
    check "pyrun --mode interp --dispatch pool is refused (InterpreterPoolExecutor is 3.14's)" \
        test "$STATUS" -eq 2
else
    diag "no CPython 3.13 build in $(dirname "$(dirname "$python313")"): make pythons builds it; subinterpreter checks left out"
fi

# The startup and memory studies' workloads, and the spawn mode: every
# way gives the threading checksum; the memory figures say what the
# processes hold while all of them are alive.
for workload in startup shared_input; do
    case $workload in shared_input) small=(--units 16 --param size_mib=32 --param write=1) ;; *) small=() ;; esac
    want=$(pyrun --workload $workload --mode gil --workers 2 "${small[@]}" | jq -r .checksum)
    for mode in procs spawn; do
        run_capture pyrun --workload $workload --mode $mode --workers 3 "${small[@]}"
        check "pyrun $workload --mode $mode: the checksum of threading" \
            test "$STATUS" -eq 0 -a -n "$want" -a "$(jq -r .checksum <<<"$OUT")" = "$want"
        [ "$STATUS" -eq 0 ] || diag "$ERR"
    done
done
memory() { pyrun --workload shared_input --mode "$1" --workers 2 --units 32 --param size_mib=32 --param write="$2" | jq -r .pss_total_kib; }
fork_shared=$(memory procs 0) fork_written=$(memory procs 1) spawned=$(memory spawn 0) threads=$(memory gil 0)
check "shared_input reports PSS in every mode" \
    test "$fork_shared" -gt 0 -a "$fork_written" -gt 0 -a "$spawned" -gt 0 -a "$threads" -gt 0
check "forked workers share a bytearray: within 16 MiB of one process's PSS" \
    test "$fork_shared" -lt $((threads + 16384))
check "reading float objects copies their pages into forked workers: 16 MiB more at least" \
    test "$fork_written" -gt $((fork_shared + 16384))
check "each spawned worker builds its own 32 MiB input" test "$spawned" -gt $((threads + 2 * 30000))
for fault in raise crash; do
    for mode in procs spawn; do
        run_capture env PYRUN_TEST_FAULT=$fault:1 OPENBLAS_NUM_THREADS=1 "$python" scripts/pyrun run \
            --workload shared_input --mode $mode --workers 3 --units 8 --param size_mib=8 --timeout 60
        check "a $mode worker that dies ($fault) fails the run, naming itself, the others stopped" \
            test "$STATUS" -eq 1 -a "$(tail -n 1 <<<"$ERR" | grep -c '^gilbench: worker 1 (pid [0-9]*) ')" -eq 1
    done
done
check "... and no worker is left" test -z "$(pgrep -f 'scripts/pyrun run --workload shared_input' || true)"
run_capture pyrun --workload shared_input --mode gil --units 9 --param size_mib=8
check "shared_input: more units than MiB of input is refused, exit 2, one line" \
    test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1
run_capture pyrun --workload startup --mode spawn --dispatch pool
check "pyrun --mode spawn --dispatch pool is refused, exit 2" test "$STATUS" -eq 2
run_capture pyrun --workload startup --mode spawn --workers 2 --dry-run
check "pyrun --dry-run checks and runs nothing" test "$STATUS" -eq 0 -a -z "$OUT"
run_capture pyrun --workload startup --mode spawn --param spawn=1 --dry-run
check "pyrun --dry-run refuses an unknown setting, exit 2" test "$STATUS" -eq 2

# A calibrate sweep, shrunk.
results=$TEST_TMP/results
run_capture env STUDIES=calibrate RUNS=1 WARMUP=0 QUICK=1 TIMELINE_WORKERS=2 MECHANISM_RUNS=1 \
    PARAMS="cpu_loop.units=60 io_wait.units=8 io_wait.sleep_us=2000 blas_dgemm.units=4 blas_dgemm.n=64 shared_objects.units=40 own_objects.units=40" \
    RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots" GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "a calibrate sweep succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR" "$(tail -n 20 <<<"$OUT")"
run=$results/latest
for workload in cpu_loop io_wait blas_dgemm shared_objects own_objects; do
    for mode in gil procs; do
        for source in model 'cpython-[0-9.]*'; do
            check "$workload $mode: the $source rows are in the summary" \
                grep -q "^$workload,$mode,.*,source=$source\$" "$run/summary.csv"
        done
        check "$workload $mode: the calibration table has its rows" \
            grep -q "^$workload,$mode," "$run/calibration.csv"
    done
done
check "CPython rows have no GIL counters of their own: theirs come from the one traced run (gil.csv) or are empty" \
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["variant"] ~ /^source=cpython-/ { n++
            if ($c["gil_source"] != "traced" && ($c["gil_switches"] != "" || $c["gil_wait_s"] != "")) exit 1 }
        END { exit !n }' "$run/summary.csv"
check "the calibration table's ratios are model / CPython" awk -F, 'NR > 1 {
        if ($7 == "" || ($7 - $5 / $6) ^ 2 > 0.001 ^ 2 * 4) exit 1 }' "$run/calibration.csv"
check "the run records the Pythons it used, Debian's with NumPy's matmul for blas_dgemm" \
    jq -e '(.python.interpreters | length > 0 and all(.version and .source and .executable)) and
        (.python.interpreters | any(.executable == "/usr/bin/python3" and .numpy and .blas == "numpy.matmul"))' "$run/meta.json"
if jq -e '.python.interpreters | any(.kind == "free") | not' "$run/meta.json" >/dev/null; then
    check "without a free-threaded Python the threads mode has no CPython points" \
        test -z "$(grep ',threads,.*source=cpython' "$run/summary.csv")"
    check "... and the run says so" jq -e '.warnings | any(test("free-threaded"))' "$run/meta.json"
else
    check "a free-threaded Python runs the threads mode's CPython points, with the GIL off" \
        jq -e '.python.interpreters | any(.kind == "free" and .gil_enabled == false and (.source | endswith("t")))' "$run/meta.json"
    check "... its rows are in the summary" grep -q ',threads,.*source=cpython-[0-9.]*t$' "$run/summary.csv"
    check "... and its single-thread cost against the same version's GIL build is in single_thread.csv" \
        awk -F, 'NR > 1 && $3 == $2 "t" && $6 > 0 { n++ } END { exit !n }' "$run/single_thread.csv"
fi
if [ -x "$python313" ]; then
    check "interp points ran as subinterpreters on 3.13" grep -q '^cpu_loop,interp,2,.*source=cpython-3.13.5$' "$run/summary.csv"
    check "... and the Python without subinterpreters was left out, saying so" \
        jq -e '.warnings | any(test("has no subinterpreters"))' "$run/meta.json"
fi
for ext in png svg; do
    check "the calibrate page calibrate.$ext is drawn" test -s "$run/plots/calibrate.$ext"
    check "the shared objects page objects.$ext is drawn" test -s "$run/plots/objects.$ext"
done
check "the table is printed" grep -q "speedup_ratio" <<<"$OUT"

# The mechanism table: per workload and worker count (2, 4, 8) every
# figure, model beside CPython 3.13 traced by gil-trace, or "unknown" with
# one line where this machine cannot trace it.
mechanism=$run/mechanism.csv
check "mechanism.csv has its columns" \
    test "$(head -n 1 "$mechanism")" = "workload,workers,interpreter,figure,model,cpython,ratio,differs,model_min,model_max,cpython_min,cpython_max"
for workload in cpu_loop io_wait blas_dgemm convoy; do
    for workers in 2 4 8; do
        check "mechanism.csv: $workload at $workers workers has the 9 figures" test "$(awk -F, -v w=$workload \
            -v n=$workers '$1 == w && $2 == n { print $4 }' "$mechanism" | sort -u | wc -l)" -eq 9
    done
done
check "... the model's side is measured: a number for every point's wait share" \
    test -z "$(awk -F, '$4 == "wait_share" && $5 !~ /^[0-9]/' "$mechanism")"
check "... and the table is printed" grep -q "handoff_p50_us" <<<"$OUT"
if [ -x "$python313" ] && "$GILBENCH" gil-trace --check --interpreter "$python313" 2>/dev/null; then
    check "CPython 3.13's side is measured: a number for every point's wait share" \
        test -z "$(awk -F, '$4 == "wait_share" && ($6 == "" || $6 == "unknown")' "$mechanism")"
    check "... with its interpreter named" test -z "$(awk -F, 'NR > 1 && $3 !~ /^cpython-3\.13/' "$mechanism")"
    check "... and the ratios are model / CPython" awk -F, 'NR > 1 && $7 != "" {
        d = $7 - $5 / $6; if ((d < 0 ? -d : d) > 0.001 + 1e-5 * $7) exit 1 }' "$mechanism"
else
    check "without a traceable CPython the cpython column is unknown" \
        test -z "$(awk -F, 'NR > 1 && $6 != "unknown"' "$mechanism")"
    check "... said in one line" test "$(grep -c "mechanism table: CPython's column is unknown" <<<"$ERR")" -eq 1
fi
# An interpreter the tracer cannot use (Debian's python3 is stripped): one
# line, the cpython column unknown, the model's measured, exit 0.
stripped=$TEST_TMP/stripped-run
cp -r "$(readlink -f "$run")" "$stripped"
jq '.python.interpreters = [{"source": "cpython-stripped", "kind": "gil", "executable": "/usr/bin/python3"}]' \
    "$run/meta.json" > "$stripped/meta.json"
run_capture env MECHANISM_WORKLOADS=cpu_loop MECHANISM_WORKERS=2 MECHANISM_RUNS=1 GILBENCH="$GILBENCH" \
    python3 scripts/sweep mechanism "$stripped"
check "the mechanism table with a stripped interpreter succeeds, saying why in one line" \
    test "$STATUS" -eq 0 -a "$(wc -l <<<"$ERR")" -eq 1 -a "$(grep -c "CPython's column is unknown: .*/usr/bin/python3" <<<"$ERR")" -eq 1
[ "$STATUS" -eq 0 ] || diag "$ERR"
check "... its cpython column is unknown, the model's measured, no ratio" \
    awk -F, 'NR > 1 { n++; if ($6 != "unknown" || $7 != "") exit 1; if ($4 == "wait_share" && $5 == "") exit 1 }
        END { exit n != 9 }' "$stripped/mechanism.csv"
run_capture python3 scripts/sweep mechanism
check "sweep mechanism without a results folder: exit 2, one line" test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1

# Missing Python: one line naming what to install, exit 2.
run_capture env STUDIES=calibrate PYTHON=/nonexistent/python3 RESULTS_DIR="$results" GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "a calibrate sweep with a missing PYTHON stops with exit 2 before running" \
    test "$STATUS" -eq 2 -a "$(ls "$results" | wc -l)" -eq 2
run_capture env STUDIES=calibrate FREE_THREADED_PYTHON="$python" RESULTS_DIR="$results" GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "FREE_THREADED_PYTHON naming a Python with a GIL is refused with exit 2" \
    test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1

done_testing
