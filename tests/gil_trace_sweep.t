#!/bin/bash
# gil_trace_sweep.t - the sweep traces CPython's own GIL beside its timed
# runs (scripts/sweep/gil_traces.py, summarize --gil-traces): a Python
# workload that holds the GIL (cpu_loop.py's loop) and one that releases it
# (io_wait.py's sleeps), swept on make pythons' 3.13, get one traced run a
# point: gil.csv with the figures and the tracer's cost, summary.csv's GIL
# columns filled, and answer lines that say how much of its time one worker
# held the GIL.  GIL_TRACE=0 traces nothing; an interpreter that cannot be
# traced (a stripped copy of 3.13) costs one line, its figures unknown, and
# the sweep still passes.  Needs make pythons' GIL build; where this machine
# cannot trace at all (not root, no uprobes), the traced figures' checks
# give way to the one line's.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the traced sweep"
pythons=$(python3 -c 'import sys; sys.path.insert(0, "scripts"); from sweep.interpreters import pythons_dir; print(pythons_dir())')
python313=$pythons/gil/bin/python3.13
if ! [ -x "$python313" ] || ! [ -e "$pythons/gil/.gilbench-verified" ]; then
    echo "ok 1 # skip needs make pythons' CPython 3.13 ($python313)"
    echo "1..1"
    exit 0
fi

# The two workloads under names of their own (cpu_loop and io_wait are
# the C workloads' twins).
workloads=$TEST_TMP/workloads
mkdir -p "$workloads"
cp workloads/cpu_loop.py "$workloads/spin.py"
cp workloads/io_wait.py "$workloads/naps.py"
sweep() { # sweep RESULTS_DIR SETTING=VALUE...: a small sweep of spin and naps
    local results=$1
    shift
    run_capture env GILBENCH_WORKLOADS_DIR="$workloads" WORKLOADS=spin,naps WORKERS=1,2 QUICK=1 RUNS=2 \
        MAX_RUNS=2 RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots" GILBENCH="$GILBENCH" "$@" \
        python3 scripts/sweep bench
}
# csv_field FILE MODE WORKERS COLUMN [WORKLOAD]: one value of a CSV, by name.
csv_field() {
    awk -F, -v m="$2" -v w="$3" -v name="$4" -v wl="${5:-spin}" '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["workload"] == wl && $c["mode"] == m && $c["workers"] == w { print $c[name] }' "$1"
}
between() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x + 0 >= lo && x + 0 <= hi) }'; }

"$GILBENCH" gil-trace --check --interpreter "$python313" 2>"$TEST_TMP/check.err"
traceable=$?
modes=gil points=4
if [ -x "$pythons/nogil/bin/python3.13t" ] && [ -e "$pythons/nogil/.gilbench-verified" ]; then
    modes=gil,threads points=8
fi

# ---- the traced sweep ----
sweep "$TEST_TMP/results" MODES=$modes
check "the sweep succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$(tail -n 20 <<<"$ERR")"
run=$(readlink -f "$TEST_TMP/results/latest")
gil=$run/gil.csv
check "gil.csv has a row for every traced point (threading and free-threaded at 1 and 2 workers)" \
    test "$(tail -n +2 "$gil" | wc -l)" -eq $points
check "... with the figures' columns and the tracer's cost" \
    grep -q '^workload,variant,mode,workers,interpreter,locks,status,why,.*gil_hold_share,gil_wait_share,.*,parked_share,.*,traced_seconds,untraced_median_s,tracer_overhead$' "$gil"
if [ "$traceable" -eq 0 ]; then
    hold=$(csv_field "$gil" gil 1 gil_hold_share)
    check "spin, one worker: held the GIL most of its time ($hold)" between "$hold" 0.8 1
    release=$(csv_field "$gil" gil 1 gil_hold_share naps)
    check "naps, one worker: held it for almost none of its time ($release)" between "$release" 0 0.2
    wait2=$(csv_field "$gil" gil 2 gil_wait_share)
    check "spin at 2 threads: each waits for the other a good part of its time ($wait2)" between "$wait2" 0.25 1
    check "the traced points' interpreter is 3.13's, its GIL traced" \
        test "$(csv_field "$gil" gil 1 interpreter)|$(csv_field "$gil" gil 1 locks)|$(csv_field "$gil" gil 1 status)" = \
        "$(readlink -f "$python313")|gil|traced"
    overhead=$(csv_field "$gil" gil 1 tracer_overhead)
    traced=$(csv_field "$gil" gil 1 traced_seconds) untraced=$(csv_field "$gil" gil 1 untraced_median_s)
    check "the tracer's cost is traced / untraced - 1 ($traced / $untraced - 1 = $overhead)" \
        awk -v o="$overhead" -v t="$traced" -v u="$untraced" 'BEGIN { exit !(o != "" && u > 0 && (o - (t / u - 1)) ^ 2 < 1e-6) }'
    check "... and the terminal says what it cost" grep -q "^gilbench: the GIL traced in $points of $points points .*: the tracer's cost, traced run / untraced median - 1: [-+][0-9]* % (median; " <<<"$OUT"
    check "each traced point keeps its figures and its trace" \
        test -s "$run/gil/spin.gil.2.json" -a -s "$run/gil/spin.gil.2.tsv"
    check "summary.csv's GIL columns of a Python point come from its traced run" \
        test "$(csv_field "$run/summary.csv" gil 1 gil_hold_share)|$(csv_field "$run/summary.csv" gil 1 gil_source)" = \
        "$(printf '%.4f' "$hold")|traced"
    check "... its switches too" test "$(csv_field "$run/summary.csv" gil 2 gil_switches)" = "$(csv_field "$gil" gil 2 gil_switches)"
    check "spin's answer line: one worker held the GIL most of its time, threads cannot help" \
        grep -Eq '^spin at 2 workers .*; one worker held the GIL (8[0-9]|9[0-9]|100) % of its time under threading \(traced\): (threads cannot help|the GIL caps threads at 1\.[0-2]×)' "$run/answer.txt"
    check "naps's: it released it, threads scale" \
        grep -Eq '^naps at 2 workers .*; one worker released the GIL (8[0-9]|9[0-9]|100) % of its time under threading \(traced\): threads scale' "$run/answer.txt"
    check "the sweep ends with those lines" grep -qF "$(grep '^spin at' "$run/answer.txt")" <<<"$OUT"
    if [ "$modes" = gil,threads ]; then
        parked=$(csv_field "$gil" threads 2 parked_share)
        check "free-threaded, its locks are traced: the workers' parked share ($parked)" between "$parked" 0 1
        check "... in the summary and the answer" grep -q "; free-threaded, its 2 workers parked on locks [0-9]* % of their time (traced)" "$run/answer.txt"
    fi
    check "CPython's timeline of spin is drawn from its traced 2-thread run" \
        test -s "$run/timeline/cpython-spin.png" -a -s "$run/timeline/cpython-spin.svg"
    check "... titled as CPython's, not the model's" grep -q "spin under CPython's GIL (python3.13): 2 workers" "$run/timeline/cpython-spin.svg"
    check "the report shows the traced figures, the tracer's cost and the timeline" \
        grep -q '<table id="gil-traces">' "$run/index.html"
    check "... the tracer's cost" grep -q "The tracer's cost, the traced run's time over the point's untraced median minus 1, was [-+][0-9]* % at the median of $points points" "$run/index.html"
    check "... and CPython's timeline" grep -q 'src="timeline/cpython-spin.svg"' "$run/index.html"
    check "the traced runs are not timed runs: runs.csv has the rounds' runs only (2 a point)" \
        test "$(grep -c '^"spin","-","gil",1,' "$run/runs.csv")" -eq 2
else
    diag "this machine cannot trace: $(cat "$TEST_TMP/check.err")"
    check "the sweep says so in one line, and the figures are unknown" \
        test "$(grep -c 'cannot be traced here' <<<"$ERR")" -ge 1 -a -z "$(csv_field "$gil" gil 1 gil_hold_share)"
fi

# ---- DRY_RUN=1 counts the traced runs; GIL_TRACE=0: nothing traced ----
sweep "$TEST_TMP/dry" MODES=gil DRY_RUN=1
check "DRY_RUN=1 counts the traced runs" grep -q '^gilbench: then one traced run of each of the 4 points whose GIL' <<<"$OUT"
sweep "$TEST_TMP/dry" MODES=gil DRY_RUN=1 GIL_TRACE=0
check "... none with GIL_TRACE=0" test "$STATUS" -eq 0 -a -z "$(grep 'traced run' <<<"$OUT")"

sweep "$TEST_TMP/off" MODES=gil GIL_TRACE=0
check "GIL_TRACE=0: the sweep succeeds" test "$STATUS" -eq 0
off=$(readlink -f "$TEST_TMP/off/latest")
check "... with no gil.csv, no gil/ and no line about it" \
    test ! -e "$off/gil.csv" -a ! -e "$off/gil" -a -z "$(grep -e 'GIL traced' -e 'tracing the GIL' <<<"$OUT$ERR")"
check "... and its answer lines say nothing of it" test -z "$(grep -e 'held the GIL' -e 'GIL share' "$off/answer.txt")"
check "... and meta.json records the setting" jq -e '.settings.gil_trace == false' "$off/meta.json"
sweep "$TEST_TMP/bad" GIL_TRACE=yes
check "GIL_TRACE=yes is refused: exit 2, one line" test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1

# ---- an interpreter that cannot be traced: a stripped copy of 3.13 ----
stripped=$TEST_TMP/pythons
mkdir -p "$stripped/gil/bin"
strip -o "$stripped/gil/bin/python3.13" "$python313"
ln -s "$pythons/gil/lib" "$stripped/gil/lib"
touch "$stripped/gil/.gilbench-verified"
sweep "$TEST_TMP/stripped" MODES=gil PYTHONS_DIR="$stripped" WORKLOADS=spin
check "a stripped interpreter: the sweep still succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$(tail -n 20 <<<"$ERR")"
said=$(grep 'cannot be traced here' <<<"$ERR")
check "... and says why in one line" test "$(grep -c . <<<"$said")" -eq 1
diag "$said"
if [ "$traceable" -eq 0 ]; then
    check "... that it is stripped" grep -q "^gilbench: the GIL of $stripped/gil/bin/python3.13 cannot be traced here: .*stripped" <<<"$said"
fi
run=$(readlink -f "$TEST_TMP/stripped/latest")
check "its points' figures are unknown in gil.csv, their status says why" \
    test "$(csv_field "$run/gil.csv" gil 1 gil_hold_share)|$(csv_field "$run/gil.csv" gil 1 status)" = "|untraceable"
check "... and in summary.csv" test -z "$(csv_field "$run/summary.csv" gil 1 gil_hold_share)$(csv_field "$run/summary.csv" gil 1 gil_switches)"
check "the answer line says the GIL share is unknown, once, and why" \
    test "$(grep -o 'GIL share unknown: cannot trace the GIL of [^;]*' "$run/answer.txt" | wc -l)" -eq 1
check "meta.json's warnings keep the line" jq -e '.warnings | any(test("cannot be traced here"))' "$run/meta.json"

done_testing
