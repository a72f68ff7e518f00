#!/bin/bash
# python_workload.t - docs/adding-a-python-workload.md works as written:
# its example file, copied into a copy of the tree, is listed as Python,
# checked, run in every way with one checksum, and swept by
# `make bench WORKLOADS=<it>` into a plot, an answer line and the report.
# Bad files are one line and exit 2, from the runner and from the sweep; a
# worker that raises fails its point with the exception's last line and
# leaves nothing behind.  Needs Debian's python3 (the CI installs it); the
# free-threaded and subinterpreter ways where make pythons built 3.13.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the documented steps"
python=/usr/bin/python3

copy_tree
awk '/^<!-- example: workloads\/log_lines.py -->$/ { found = 1; next }
     found && /^```python$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' docs/adding-a-python-workload.md > "$tree/workloads/log_lines.py"
check "the page has the example file" test -s "$tree/workloads/log_lines.py"
run_capture make -s -C "$tree"
check "the tree builds" test "$STATUS" -eq 0

run_capture make --no-print-directory -s -C "$tree" list
check "make list shows it, marked Python" grep -q '^log_lines .*\[Python: workloads/log_lines.py, 1500 units of 200 log lines\]' <<<"$OUT"
check "make list marks the C workloads' twins" grep -q '^cpu_loop .*\[Python twin: workloads/cpu_loop.py\]' <<<"$OUT"

pyrun() { (cd "$tree" && OPENBLAS_NUM_THREADS=1 env "$TEST_TAG" "$python" scripts/pyrun "$@"); }
run_capture pyrun check --workload log_lines
check "pyrun check passes it, silently" test "$STATUS" -eq 0 -a -z "$OUT$ERR"
sums=""
for mode in gil procs forkserver spawn; do
    run_capture pyrun run --workload log_lines --mode "$mode" --workers 3 --units 30
    check "it runs under $mode with its check" jq -e '.checked == true and .units == 30' <<<"$OUT"
    [ "$STATUS" -eq 0 ] || diag "$ERR"
    sums+="$(jq -r .checksum <<<"$OUT" 2>/dev/null) "
done
for way in gil procs; do
    run_capture pyrun run --workload log_lines --mode "$way" --workers 2 --units 30 --dispatch pool
    check "it runs under $way through a pool, $(jq -r '.chunksize' <<<"$OUT" 2>/dev/null) unit a task" \
        jq -e '.tasks == 30' <<<"$OUT"
    sums+="$(jq -r .checksum <<<"$OUT" 2>/dev/null) "
done
check "every way gives the same checksum" test "$(tr ' ' '\n' <<<"$sums" | grep -c .)" -eq 6 -a \
    "$(tr ' ' '\n' <<<"$sums" | grep . | sort -u | wc -l)" -eq 1

# The sweep: every way this machine's Python has, a plot, an answer line.
results="$TEST_TMP/results" plots="$TEST_TMP/plots"
run_capture make --no-print-directory -C "$tree" bench WORKLOADS=log_lines QUICK=1 \
    PARAMS=log_lines.units=60 RESULTS_DIR="$results" PLOTS_DIR="$plots"
check "make bench WORKLOADS=log_lines succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$(tail -n 5 <<<"$ERR")"
run=$(readlink -f "$results/latest")
ways=$(awk -F, 'NR > 1 && $1 == "log_lines" { print $2 }' "$run/summary.csv" 2>/dev/null | sort -u | paste -sd, -)
check "it ran under threading, fork, forkserver, spawn and both executors" \
    test "$(tr , '\n' <<<"$ways" | grep -cxE 'gil|procs|forkserver|spawn|gil\+pool|procs\+pool')" -eq 6
diag "ways measured: $ways"
check "and draws plots/log_lines.png" test -s "$plots/log_lines.png"
answer=$(grep '^log_lines at ' "$run/answer.txt" 2>/dev/null)
check "its answer line names Python's ways" grep -q 'multiprocessing(spawn) [0-9.]*× (' <<<"$answer"
check "... threading among them, and the interpreter" grep -q 'CPython [0-9.]*.*threading [0-9.]*×' <<<"$answer"
check "the sweep ends with it" grep -qF "$answer" <<<"$OUT"
check "the report shows it" grep -qF "log_lines at " "$run/index.html"
check "meta.json records the file, its check and its Python" \
    jq -e '.python_workloads[0] | .name == "log_lines" and .checked and (.python | startswith("cpython-"))' "$run/meta.json"

# Bad files: one line, exit 2, from the runner and from the sweep.
bad_file() { # bad_file DESCRIPTION WHAT-THE-LINE-SAYS FILE-TEXT
    printf '%s\n' "$3" > "$tree/workloads/broken.py"
    run_capture pyrun run --workload broken --mode gil
    check "pyrun refuses a file with $1: exit 2, one line" \
        test "$STATUS" -eq 2 -a -z "$OUT" -a "$(wc -l <<<"$ERR")" -eq 1
    check "... saying so" grep -q "$2" <<<"$ERR"
    run_capture make --no-print-directory -C "$tree" bench WORKLOADS=broken QUICK=1 \
        RESULTS_DIR="$TEST_TMP/bad-results" PLOTS_DIR="$TEST_TMP/bad-plots"
    check "make bench refuses it too, exit 2, one line" test "$STATUS" -eq 2 -a "$(grep -c '^gilbench: ' <<<"$ERR")" -eq 1
    [ "$STATUS" -eq 2 ] || diag "$ERR"
}
head='"""broken on purpose"""
UNIT = "one"
UNITS = 4'
bad_file "a syntax error" "broken.py: line 4:" "$head
def work(state, first, count)
    return count"
bad_file "no work function" "no work function" "$head"
bad_file "a work that returns no int" "returned None, not an int" "$head
def work(state, first, count):
    pass"
bad_file "a work that returns a float" "returned a float, not an int" "$head
def work(state, first, count):
    return 1.5"
bad_file "settings that are not a literal" "SETTINGS must be a literal" "$head
SETTINGS = dict(n=(1, 0, 2))
def work(state, first, count):
    return count"
bad_file "no UNITS" "UNITS must be" '"""broken on purpose"""
UNIT = "one"
def work(state, first, count):
    return count'
run_capture pyrun run --workload log_lines --mode gil --param nope=1
check "an unknown setting: exit 2, one line naming the accepted ones" \
    test "$STATUS" -eq 2 -a "$ERR" = "gilbench: workload log_lines has no setting 'nope'; accepted: lines_per_unit"
run_capture make --no-print-directory -C "$tree" bench WORKLOADS=log_lines PARAMS=log_lines.nope=1 \
    RESULTS_DIR="$TEST_TMP/bad-results" PLOTS_DIR="$TEST_TMP/bad-plots"
check "... and from the sweep" test "$STATUS" -eq 2 -a "$(grep -c '^gilbench: ' <<<"$ERR")" -eq 1

# A worker that raises: its point fails with the exception's last line,
# the sweep goes on, and no process is left.
cat > "$tree/workloads/raises.py" <<'EOF'
"""raises in a worker that does not start at unit 0 but has unit 3: never alone"""
UNIT = "one"
UNITS = 8


def work(state, first, count):
    if 0 < first <= 3 < first + count:
        raise ValueError("bad record %d" % 3)
    return count
EOF
run_capture env "$TEST_TAG" make --no-print-directory -C "$tree" bench WORKLOADS=raises QUICK=1 MODES=gil,procs \
    WORKERS=1,2 RESULTS_DIR="$TEST_TMP/raise-results" PLOTS_DIR="$TEST_TMP/raise-plots"
check "a worker that raises fails the sweep (make bench fails)" test "$STATUS" -ne 0
check "... saying which points failed and why" grep -q 'raises gil 2 workers: worker 1 raised ValueError: bad record 3' <<<"$ERR"
failures=$(ls -d "$TEST_TMP"/raise-results/2*/ 2>/dev/null | head -n1)failures.tsv
check "failures.tsv has the exception's last line, for threads" \
    grep -qP '^raises\t-\tgil\t2\tworker 1 raised ValueError: bad record 3$' "$failures"
check "... and for a forked worker, naming its pid" \
    grep -qP '^raises\t-\tprocs\t2\tworker 1 \(pid [0-9]+\) raised ValueError: bad record 3$' "$failures"
check "the 1-worker points were measured" test "$(grep -c . "$failures")" -eq 2
check "no process of the sweep is left" wait_for 5 no_tagged_process

# A worker that hangs: the run's timeout stops it (exit 124) in every
# process way, and nothing it started is left, a fork server included.
cat > "$tree/workloads/hangs.py" <<'EOF'
"""sleeps for ever in every worker but the first"""
import time
UNIT = "one"
UNITS = 4


def work(state, first, count):
    if first > 0:
        time.sleep(3600)
    return count
EOF
for mode in gil procs forkserver spawn; do
    run_capture pyrun run --workload hangs --mode "$mode" --workers 2 --timeout 1
    check "a hung $mode worker is stopped by the timeout: exit 124, one line" \
        test "$STATUS" -eq 124 -a "$(wc -l <<<"$ERR")" -eq 1
    check "... and no process of it is left" wait_for 5 no_tagged_process
done

done_testing
