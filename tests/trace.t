#!/bin/bash
# trace.t - `gilbench run --trace`: the file's format, what it records
# against the GIL's rules and the run's own totals, bad input, and the
# timelines drawn from it (python3 scripts/sweep timeline, make timeline).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

event_line='^[0-9]+\t[0-9]+\.[0-9]{3}\t(wait|acquire|drop_request|yield|release)$'
trace=$TEST_TMP/cpu.tsv
run_capture "$GILBENCH" run --workload cpu_loop --mode gil --workers 3 --units 3000 \
    --switch-interval-us 1000 --trace "$trace"
check "a traced cpu_loop run succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
check "the header names the run" \
    grep -qx '# gilbench trace: workload cpu_loop, mode gil, 3 workers, 3000 units, switch interval 1000 us, run [0-9.]* s' "$trace"
check "a column line follows the comments" \
    test "$(grep -v '^#' "$trace" | head -n1)" = "$(printf 'worker\ttime_us\tevent')"
check "every other line is worker, time, event" \
    test -z "$(grep -v '^#' "$trace" | tail -n +2 | grep -Pv "$event_line")"
check "the events are in time order" \
    awk -F'\t' '!/^#/ && NR > 1 && $1 != "worker" { if ($2 + 0 < last) exit 1; last = $2 + 0 }' "$trace"
check "no event was lost" grep -qx '# lost events: 0 (each worker keeps its first [0-9]*)' "$trace"

# Each worker's events follow the GIL's protocol: wait, any drop requests,
# acquire, then yield or release, then wait again; the last is a release.
check "each worker's events follow wait -> acquire -> yield|release" awk -F'\t' '
    /^#/ || $1 == "worker" { next }
    { w = $1; e = $3; s = (w in st) ? st[w] : "start"
      if (e == "wait" && (s == "start" || s == "dropped")) st[w] = "waiting"
      else if (e == "drop_request" && s == "waiting") st[w] = "waiting"
      else if (e == "acquire" && s == "waiting") st[w] = "holding"
      else if ((e == "yield" || e == "release") && s == "holding") st[w] = "dropped"
      else { print "worker " w ": " e " after " s > "/dev/stderr"; exit 1 } }
    END { for (w in st) if (st[w] != "dropped") exit 1; if (length(st) != 3) exit 1 }' "$trace"
# The heart of the model: never two holders at once.
check "at most one worker holds the GIL at any time" awk -F'\t' '
    /^#/ || $1 == "worker" { next }
    $3 == "acquire" { if (++holders > 1) exit 1 }
    $3 == "yield" || $3 == "release" { holders-- }' "$trace"
json=$OUT
count() { grep -cP "\t$1\$" "$trace"; }
switches=$(awk -F'\t' '$3 == "acquire" { if (!seen || $1 != last) n++; last = $1; seen = 1 }
    END { print n }' "$trace")
check "acquisitions by another worker than the last holder = gil_switches" \
    grep -q "\"gil_switches\":$switches," <<<"$json"
check "yields = drop requests honoured (gil_drop_requests)" \
    grep -q "\"gil_drop_requests\":$(count yield)," <<<"$json"
check "every acquisition has its wait" test "$(count acquire)" -eq "$(count wait)"
# The trace against the accounting (docs/gil-model.md): a worker holds from
# acquire to yield or release, and waits from wait to acquire and from a
# yield to its next wait (the forced-switch wait).  The forced-switch wait
# after a release has no event and is counted but not traced; cpu_loop
# releases only at the end, so the traced waits may fall short by at most that.
read -r traced_hold traced_wait < <(awk -F'\t' '/^#/ || $1 == "worker" { next }
    { w = $1; t = $2 / 1e6
      if ($3 == "wait") { if (last[w] == "yield") wait += t - since[w]; since[w] = t }
      else if ($3 == "acquire") { wait += t - since[w]; since[w] = t }
      else if ($3 == "yield" || $3 == "release") { hold += t - since[w]; since[w] = t }
      if ($3 != "drop_request") last[w] = $3 }
    END { printf "%.9f %.9f\n", hold, wait }' "$trace")
check "the traced holds add up to gil_hold_seconds" \
    jq -e --argjson h "$traced_hold" '(.gil_hold_seconds - $h) as $d | $d < 1e-5 and $d > -1e-5' <<<"$json"
check "the traced waits, yield -> wait included, add up to gil_wait_seconds" \
    jq -e --argjson w "$traced_wait" '$w < .gil_wait_seconds + 1e-5 and $w > 0.98 * .gil_wait_seconds - 1e-5' <<<"$json"
check "CPU-bound workers at a 1 ms interval are switched by drop requests" test "$(count yield)" -gt 10

# io_wait releases the GIL around every wait and once at the end.
io=$TEST_TMP/io.tsv
run_capture "$GILBENCH" run --workload io_wait --mode gil --workers 2 --units 6 \
    --param sleep_us=1000 --trace "$io"
check "a traced io_wait run succeeds" test "$STATUS" -eq 0
check "io_wait: one release per wait and one per worker at the end" \
    test "$(grep -cP '\trelease$' "$io")" -eq 8

run_capture "$GILBENCH" overhead
check "gilbench overhead reports the cost of a traced release + re-acquire pair" \
    jq -e '.release_reacquire_ns_traced > 0 and .release_reacquire_ns_uncontended > 0' <<<"$OUT"

# Bad input: one line, exit 2, nothing run, no file.
for mode in threads procs; do
    run_capture "$GILBENCH" run --workload cpu_loop --mode $mode --trace "$TEST_TMP/x.tsv"
    check "--trace with --mode $mode is refused with exit 2 and one line" \
        test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1 -a -z "$OUT"
done
run_capture "$GILBENCH" run --workload cpu_loop --mode gil --trace ''
check "--trace with an empty name is refused with exit 2" test "$STATUS" -eq 2
run_capture "$GILBENCH" run --workload cpu_loop --mode gil --trace
check "--trace without a value is refused with exit 2" test "$STATUS" -eq 2
check "no trace file was made by refused runs" test ! -e "$TEST_TMP/x.tsv"
run_capture "$GILBENCH" run --workload cpu_loop --mode gil --units 10 --trace "$TEST_TMP/no/such/dir/t.tsv"
check "an unwritable trace path fails before the run with one line naming it" \
    test "$STATUS" -eq 1 -a -z "$OUT" -a "$(wc -l <<<"$ERR")" -eq 1
check "... which names the path" grep -q "no/such/dir/t.tsv" <<<"$ERR"
run_capture "$GILBENCH" run --workload io_wait --mode gil --units 4 --param sleep_us=3000000 \
    --timeout 1 --trace "$TEST_TMP/slow.tsv"
check "a traced run that times out exits 124" test "$STATUS" -eq 124
check "... and leaves no trace and no temporary file" \
    test -z "$(ls "$TEST_TMP" | grep '^slow\.tsv')"
check "the holder's yield never comes before the drop request that asked for it" awk -F'\t' '
    $3 == "drop_request" { asked = 1 } $3 == "yield" { if (!asked) exit 1; asked = 0 }' "$trace"
if [ -n "${GILBENCH_TEST:-}" ]; then
    run_capture "$GILBENCH_TEST" run --workload fault --mode gil --workers 2 --param kind=5 \
        --trace "$TEST_TMP/fault.tsv"
    check "a failed run (wrong result) exits 1" test "$STATUS" -eq 1
    check "... and leaves neither a trace nor a temporary file" \
        test -z "$(ls "$TEST_TMP" | grep '^fault\.tsv')"
fi

# Drawing.  gnuplot is a bench dependency; the test needs it.
run_capture /usr/bin/python3 scripts/sweep timeline --draw "$trace"
check "sweep timeline --draw draws a trace" test "$STATUS" -eq 0
check "... as a complete PNG" bash -c "tail -c 12 '${trace%.tsv}.png' | grep -qa IEND"
check "... and a complete SVG" bash -c "tail -c 16 '${trace%.tsv}.svg' | grep -q '</svg>'"
printf 'not a trace\n' > "$TEST_TMP/bad.tsv"
run_capture /usr/bin/python3 scripts/sweep timeline --draw "$TEST_TMP/bad.tsv"
check "sweep timeline --draw refuses a file that is not a trace with exit 2" \
    test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1
check "... and draws nothing" test ! -e "$TEST_TMP/bad.png"
printf '# gilbench trace: workload \033[2J\033[31mred\r, x\n' > "$TEST_TMP/escapes.tsv"
run_capture /usr/bin/python3 scripts/sweep timeline --draw "$TEST_TMP/escapes.tsv"
check "a malformed header is refused in one line, exit 2" test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1
check "... its control characters (an escape sequence, a carriage return) not echoed" \
    test -z "$(LC_ALL=C tr -d '\n' <<<"$ERR" | LC_ALL=C tr -d '[:print:]')"
check "... shown as ?" grep -qF 'workload ?[2J?[31mred?, x' <<<"$ERR"
run_capture /usr/bin/python3 scripts/sweep timeline --draw "$TEST_TMP/missing.tsv"
check "sweep timeline --draw on a missing file: exit 2" test "$STATUS" -eq 2

run_capture make --no-print-directory timeline
check "make timeline without RUN or TRACE is refused with exit 2" test "$STATUS" -eq 2
run="$TEST_TMP/results/example"
mkdir -p "$run"
cp tests/fixtures/run/meta.json "$run/"
"$GILBENCH" summarize --runs tests/fixtures/run/runs.tsv \
    --processes tests/fixtures/run/processes.tsv --csv "$run/summary.csv"
run_capture env TIMELINE_WORKERS=0 GILBENCH="$GILBENCH" /usr/bin/python3 scripts/sweep timeline "$run"
check "TIMELINE_WORKERS=0 is refused with exit 2" test "$STATUS" -eq 2
run_capture env TIMELINE_WORKLOADS=nope GILBENCH="$GILBENCH" /usr/bin/python3 scripts/sweep timeline "$run"
check "an unknown TIMELINE_WORKLOADS is refused with exit 2" test "$STATUS" -eq 2
run_capture env TIMELINE_WORKLOADS=cpu_loop,io_wait TIMELINE_WORKERS=2 PLOTS_DIR="$TEST_TMP/plots" \
    GILBENCH="$GILBENCH" /usr/bin/python3 scripts/sweep timeline "$run"
check "sweep timeline RUN traces and draws into RUN/timeline" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
for wl in cpu_loop io_wait; do
    for ext in tsv json png svg; do
        check "timeline/$wl.$ext is written" test -s "$run/timeline/$wl.$ext"
    done
    check "timeline-$wl.png is copied to the plots folder" test -s "$TEST_TMP/plots/timeline-$wl.png"
done
check "the traced run uses the results folder's switch interval" \
    grep -q "switch interval $(jq -r .settings.switch_interval_us "$run/meta.json") us" "$run/timeline/cpu_loop.tsv"
python3 scripts/sweep report "$run" >/dev/null
check "the report shows the timelines" grep -q 'src="timeline/cpu_loop.svg"' "$run/index.html"

# interp: a trace per interpreter, each on a GIL of its own: every worker
# takes its GIL once and keeps it to the end; nobody asks for a drop.
run_capture "$GILBENCH" run --workload cpu_loop --mode interp --workers 3 --units 600 \
    --switch-interval-us 1000 --trace "$TEST_TMP/interp.tsv"
check "a traced interp run succeeds" test "$STATUS" -eq 0
check "... each of its 3 interpreters takes its GIL once and releases it at the end, with no drop request" \
    awk -F'\t' '!/^#/ && $1 != "worker" { n[$1 " " $3]++ } END {
        for (w = 0; w < 3; w++) if (n[w " acquire"] != 1 || n[w " release"] != 1) exit 1
        exit ((0 " drop_request") in n) || ((1 " drop_request") in n) || ((2 " drop_request") in n) }' "$TEST_TMP/interp.tsv"

done_testing
