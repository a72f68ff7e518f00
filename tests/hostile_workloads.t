#!/bin/bash
# hostile_workloads.t - a Python workload file cannot break the sweep: each
# file of tests/fixtures/hostile (it loops forever, reads stdin, leaves a
# thread or a process, waits on a child, is malformed, returns no verdict,
# is killed, segfaults, exits, raises in its check, lacks an import, has a
# name that is not a workload's or that a C workload shadows, ...) costs
# one line about that file, never a hang, another workload, a leftover
# process or a temporary file; the good files beside them are measured.
# Needs Debian's python3; the 3.13 ways where make pythons built them.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the hostile files' sweep"
python=/usr/bin/python3

copy_tree
cp tests/fixtures/hostile/*.py "$tree/workloads/"
for name in my-work "my work" café; do cp tests/fixtures/hostile/good.py "$tree/workloads/$name.py"; done
run_capture make -s -C "$tree"
check "the tree builds" test "$STATUS" -eq 0
# A standard input that stays open and never says a word, as a pipe from a
# program still running (sleep 120 | make bench ...) is.
exec {open_stdin}< <(exec sleep 1000)
stdin_pid=$!
# Every temporary file of the runs below goes here, to be looked at after.
tmp="$TEST_TMP/tmp"
mkdir -p "$tmp"
export TMPDIR=$tmp

# ---- make list: one line per file, C workloads included ----
run_capture make --no-print-directory -s -C "$tree" list
check "make list succeeds beside malformed files" test "$STATUS" -eq 0 -a -z "$ERR"
[ "$STATUS" -eq 0 ] || diag "$ERR"
check "  and lists the C workloads" grep -q '^cpu_loop ' <<<"$OUT"
check "  and the good file" grep -q '^good .*\[Python: workloads/good.py' <<<"$OUT"
cannot() { # cannot NAME PATTERN: make list's one line for NAME says PATTERN
    check "make list: $1 cannot be run: $2" grep -q "^$1 *\[Python\] cannot be run: .*$2" <<<"$OUT"
}
cannot malformed "SETTINGS must be a literal.*unhashable type"
cannot surrogate "UNIT must be a one-line string"
cannot tab_unit "UNIT must be a one-line string without tabs"
cannot my-work "workloads/my-work.py: a workload's name is a lower-case letter.*my_work.py"
cannot 'my?work' "workloads/my work.py: a workload's name"
cannot 'caf?' "workloads/café.py: a workload's name.*cafe.py"
cannot zlib_crc "zlib_crc is the C workload workloads/zlib_crc.c; rename"
cannot startup "startup is the name of a workload built into the runner"
check "a shadowing file is not called the C workload's twin" \
    grep -q '^zlib_crc .*\[extra: not in the default sweep\]$' <<<"$OUT"
check "the real twins still are" grep -q '^cpu_loop .*\[Python twin: workloads/cpu_loop.py\]' <<<"$OUT"
check "a tab in UNIT does not shift the listing's columns" \
    test "$(cd "$tree" && "$python" scripts/pyrun list | awk -F'\t' 'NF != 5' | wc -l)" -eq 0

# ---- pyrun check: one line each, in bounded time, stdin closed ----
pyrun() { (cd "$tree" && OPENBLAS_NUM_THREADS=1 env "$TEST_TAG" "$python" scripts/pyrun "$@"); }
checked() { # checked NAME STATUS PATTERN: pyrun check of NAME exits STATUS with one line saying PATTERN
    run_capture timeout 60 bash -c "cd '$tree' && env '$TEST_TAG' '$python' scripts/pyrun check --workload '$1' --timeout 3" <&"$open_stdin"
    check "pyrun check $1: exit $2, one line: $3" \
        test "$STATUS" -eq "$2" -a "$(grep -c . <<<"$ERR")" -eq 1 -a -z "$OUT"
    check "  saying it" grep -q "$3" <<<"$ERR"
    [ "$STATUS" -eq "$2" ] && grep -q "$3" <<<"$ERR" || diag "status $STATUS: $ERR"
}
checked loop 124 "workloads/loop.py: its check .* did not end within 3 s (--timeout) and was stopped"
checked child_wait 124 "did not end within 3 s"
checked thread_left 1 "1 thread that work() or setup() started is still running"
checked no_return 2 "check() returned None, not True or False: does it end with return?"
checked sigkill 1 "was killed by signal 9 (SIGKILL)"
checked segv 1 "was killed by signal 11 (SIGSEGV)"
checked exit0 1 "exited with status 0 before it ended: does the file call os._exit()?"
checked raising_check 1 "check(state, 0, 1, value) raised ValueError: no good"
checked my-work 2 "a workload's name is a lower-case letter"
run_capture timeout 60 bash -c "cd '$tree' && '$python' scripts/pyrun check --workload stdin_reader --timeout 10" <&"$open_stdin"
check "a file that reads stdin reads nothing: its check ends at once" test "$STATUS" -eq 0
check "nothing the checks started is left" wait_for 5 no_tagged_process

# ---- pyrun run: what a failed run leaves, values past 4300 digits ----
run_capture pyrun run --workload temp_left --mode gil --workers 2
check "a run that fails says why in one line" test "$STATUS" -eq 1 -a "$(grep -c . <<<"$ERR")" -eq 1
check "  and still runs the workload's teardown (no file of its setup is left)" \
    test -z "$(find "$tmp" -name 'hostile-setup-*')"
gil_python=$(dir=$(python3 tests/sweep_call.py interpreters pythons_dir) && [ -f "$dir/gil/.gilbench-verified" ] && echo "$dir/gil/bin/python3.13")
if [ -n "$gil_python" ]; then
    run_capture bash -c "cd '$tree' && '$gil_python' scripts/pyrun run --workload temp_left --mode forkserver --workers 2"
    check "a failed forkserver run fails in one line" test "$STATUS" -eq 1 -a "$(grep -c . <<<"$ERR")" -eq 1
    check "  and leaves no pymp-* folder in TMPDIR" test -z "$(find "$tmp" -maxdepth 1 -name 'pymp-*')"
    run_capture bash -c "cd '$tree' && '$gil_python' scripts/pyrun run --workload bigint --mode interp --workers 2"
    check "an int result of 5000 digits passes under subinterpreters too" jq -e '.checked == true' <<<"$OUT"
    [ "$STATUS" -eq 0 ] || diag "$ERR"
else
    echo "ok $((TEST_COUNT += 1)) # skip forkserver and subinterpreters: no Python 3.13 built here (make pythons)"
fi

# ---- one sweep of every file: the good ones measured, each bad one a line ----
hostile=loop,stdin_reader,thread_left,child_wait,malformed,surrogate,no_return,leaves_sleep,sigkill,segv
hostile+=,exit0,raising_check,missing_import,my-work,tab_unit,bigint,newer_syntax,temp_left,exit_later,segv_later
hostile+=,flaky_check
results="$TEST_TMP/results"
started=$(date +%s)
run_capture timeout 900 env "$TEST_TAG" FLAKY_CHECKS="$TEST_TMP/flaky.count" RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots" \
    WORKLOADS="good,cpu_loop,zlib_crc,$hostile" MODES=gil,procs WORKERS=1,2 QUICK=1 RUNS=2 MAX_RUNS=2 TIMEOUT=3 \
    python3 "$tree/scripts/sweep" bench <&"$open_stdin"
diag "the sweep took $(( $(date +%s) - started )) s"
run=$(sed -n 's/^gilbench: results in //p' <<<"$OUT")
check "the sweep ends, exit 1 (workloads were left out, points failed)" test "$STATUS" -eq 1 -a -d "$run"
[ "$STATUS" -eq 1 ] || diag "$(tail -n 5 <<<"$ERR")"
measured() { awk -F, -v w="$1" 'NR > 1 && $1 == w { print $2 "." $3 }' "$run/summary.csv" 2>/dev/null | sort | paste -sd' ' -; }
check "the good file is measured in both ways" test "$(measured good)" = "gil.1 gil.2 procs.1 procs.2"
check "  and the C workload" test "$(measured cpu_loop)" = "gil.1 gil.2 procs.1 procs.2"
check "  and the C workload a file shadows, saying so in one line" \
    test "$(measured zlib_crc)" = "gil.1 gil.2 procs.1 procs.2" -a "$(grep -c 'workloads/zlib_crc.py is not run' <<<"$ERR")" -eq 1
# newer_syntax.py uses 3.12's `type` statement: run where the Python that
# reads the files (PYTHON, else make pythons' 3.13, else Debian's) is 3.12
# or later, else left out with its syntax line naming that Python.
lister=$(python3 tests/sweep_call.py interpreters workload_lister)
left_count=13 measured_names="stdin_reader leaves_sleep bigint newer_syntax"
if ! "$lister" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    left_count=14 measured_names="stdin_reader leaves_sleep bigint"
    check "newer_syntax: left out, its line naming the Python that read it" \
        grep -q "workloads/newer_syntax.py: line 4: invalid syntax (as Python 3\.[0-9.]* reads it); newer_syntax is left out" <<<"$ERR"
fi
for name in $measured_names; do
    check "$name is measured" test "$(measured "$name")" = "gil.1 gil.2 procs.1 procs.2"
done
for name in loop thread_left child_wait malformed surrogate no_return sigkill segv exit0 raising_check \
    missing_import my-work tab_unit; do
    check "$name: one line about workloads/$name.py, and left out" \
        test "$(grep -c "workloads/$name\.py.*; $name is left out$" <<<"$ERR")" -eq 1 -a -z "$(measured "$name")"
done
check "missing_import: the line names the Python with a GIL that lacks it" \
    grep -q "no Python here with a GIL can run missing_import: .*No module named 'not_a_module_here'" <<<"$ERR"
check "the end names the left-out workloads in one line" \
    grep -q "^gilbench: $left_count of the workloads asked for were left out (why: above.*): child_wait exit0 loop" <<<"$ERR"
check "meta.json's warnings say each" \
    test "$(jq '[.warnings[] | select(startswith("left out: "))] | length' "$run/meta.json")" -eq "$left_count"
failure() { # failure NAME MODE PATTERN: failures.tsv's line of NAME's 2-worker point says PATTERN
    check "$1 $2 2 workers fails: $3" grep -q "^$1	-	$2	2	.*$3" "$run/failures.tsv"
}
failure temp_left gil "worker 1 raised RuntimeError: fails past unit 0"
failure exit_later gil "ended with status 0 but wrote 0 of its 1 result line: did the workload end the process"
failure exit_later procs "worker 1 (pid [0-9]*) exited without sending its result"
failure segv_later gil "crashed: Segmentation fault (Fatal Python error)"
failure segv_later procs "worker 1 (pid [0-9]*) killed by signal 11 (SIGSEGV)"
check "a point whose check fails in its second round fails" \
    test "$(grep -c "^flaky_check	-	[a-z]*	1	wrong result: flaky_check's units \[0, 2) gave 2" "$run/failures.tsv")" -eq 2
check "  its first run kept in runs.csv, marked point_failed" \
    test "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["workload"] == "\"flaky_check\"" && $c["workers"] == 1 { print $c["point_failed"] }' "$run/runs.csv" |
        sort | uniq -c | awk '{ print $1, $2 }')" = "2 true"
check "  and no summary row comes from it" test -z "$(awk -F, '$1 == "flaky_check" && $3 == 1' "$run/summary.csv")"
check "  the points that passed are measured" test "$(measured flaky_check)" = "gil.2 procs.2"
check "no shell error on the way" test -z "$(grep -E '[.]sh: line [0-9]+:|No such file' <<<"$ERR")"
diag "$(grep -E '[.]sh: line [0-9]+:|No such file' <<<"$ERR")"
check "schedule.tsv's status column says ok or failed, nothing else" \
    test "$(awk -F'\t' 'NR > 1 { print $9 }' "$run/schedule.tsv" | sort -u | paste -sd' ' -)" = "failed ok"
check "no process of the sweep is left (the sleeps its points started included)" wait_for 10 no_tagged_process
check "  none of the files' sleep 301" no_process_left 'sleep 301'
check "no temporary file or folder is left" test -z "$(ls -A "$tmp")"
[ -z "$(ls -A "$tmp")" ] || diag "$(ls -A "$tmp")"

# ---- a sweep of which every point fails leaves latest where it was ----
latest=$(readlink "$results/latest")
run_capture env "$TEST_TAG" RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots" WORKLOADS=all_fail MODES=gil \
    WORKERS=1,2 RUNS=1 WARMUP=0 python3 "$tree/scripts/sweep" bench
check "a sweep whose every point failed exits 1" test "$STATUS" -eq 1
check "  and leaves latest at the run before it" test "$(readlink "$results/latest")" = "$latest"
check "  saying so" grep -q "no point succeeded; no summary and no plots, and .*latest is unchanged" <<<"$ERR"
kill "$stdin_pid" 2>/dev/null
done_testing
