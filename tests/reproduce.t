#!/bin/bash
# reproduce.t - python3 scripts/sweep reproduce (make reproduce): a tiny sweep run twice
# and compared, with its per-point lines, its overall lines and
# reproduce.json; a bad setting stops it before anything runs; SIGTERM to
# the script and SIGINT to its process group (Ctrl-C) stop the running sweep
# and leave no process behind.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the reproduce sweeps"

results=$TEST_TMP/results
tiny=(QUICK=1 WORKLOADS=io_wait MODES=threads PARAMS="io_wait.units=8 io_wait.sleep_us=2000")
run_capture env "${tiny[@]}" "$TEST_TAG" RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots" \
    GILBENCH="$GILBENCH" python3 scripts/sweep reproduce
check "reproduce on a tiny sweep succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR" "$(tail -n 20 <<<"$OUT")"
check "it says which sweep runs" grep -q '^gilbench: reproduce: sweep 2 of 2$' <<<"$OUT"
json=$(ls "$results"/compare-*/reproduce.json 2>/dev/null | head -n1)
check "it writes reproduce.json in the comparison's folder" test -s "$json"
dir=$(dirname "$json")
for file in compare.csv compare.json compare.png compare.svg; do
    check "  beside $file" test -s "$dir/$file"
done
check "reproduce.json names two complete sweeps, each a folder of its own" \
    jq -e '.sweeps | length == 2 and .[0].folder != .[1].folder and all(.status == 0)' "$json"
first=$(jq -r '.sweeps[0].folder' "$json") second=$(jq -r '.sweeps[1].folder' "$json")
check "  both sweeps ran with the same settings" \
    jq -e -n --slurpfile a "$first/meta.json" --slurpfile b "$second/meta.json" \
        '($a[0].settings | del(.seed)) == ($b[0].settings | del(.seed)) and $a[0].complete and $b[0].complete'
check "  the comparison is the second against the first" \
    jq -e --arg a "$first" --arg b "$second" '.a == $a and .b == $b' "$dir/compare.json"
check "  with the overall figures" \
    jq -e '.speedups.points == 2 and (.speedups.median_abs_speedup_diff_pct | type) == "number"
        and (.speedups.b_in_a.share | type) == "number" and .times.points == 3' "$json"
for n in 2 4; do
    check "a line for io_wait threads $n: both speedups, how far apart, inside or not" \
        grep -Eq "^  io_wait threads $n +[0-9.]+ \(.*\) +[0-9.]+ \(.*\) +[-+][0-9.]+ % +[-+][0-9.]+ % +(each inside|2nd inside|1st inside|neither inside|no interval)" <<<"$OUT"
done
check "no line for the 1-worker point (its speedup is 1 by definition)" \
    test -z "$(grep '^  io_wait threads 1 ' <<<"$OUT")"
check "the overall lines: how far the speedups differ" \
    grep -q '^gilbench: reproduce: the speedups of 2 points differ by [0-9.]* % in the median, [0-9.]* % at worst' <<<"$OUT"
check "  and how often each lies inside the other's interval" \
    grep -q "^gilbench: reproduce: the 2nd speedup lies inside the 1st's interval at [0-2] of 2 points" <<<"$OUT"
check "  and where everything is" grep -qF "comparison in $dir (" <<<"$OUT"
check "nothing of it is left running" wait_for 5 no_tagged_process

# A bad setting: the first sweep refuses it, nothing runs.
run_capture env WORKLOADS=nope RESULTS_DIR="$TEST_TMP/bad" GILBENCH="$GILBENCH" python3 scripts/sweep reproduce
check "a bad setting stops it with exit 2 before anything runs" \
    test "$STATUS" -eq 2 -a -z "$(ls "$TEST_TMP/bad" 2>/dev/null)"
check "  naming the setting" grep -q "WORKLOADS: unknown 'nope'" <<<"$ERR"
run_capture env RERUN="$first" RESULTS_DIR="$results" GILBENCH="$GILBENCH" python3 scripts/sweep reproduce
check "RERUN is refused with exit 2" test "$STATUS" -eq 2 -a -n "$ERR"

# interrupt SIGNAL TARGET: starts reproduce on a sweep whose point takes
# 100 s, waits until it runs, sends SIGNAL to TARGET ("group": reproduce's
# process group, as Ctrl-C does; "script": reproduce alone, as kill does).
interrupt() {
    local out=$TEST_TMP/interrupt.out pid
    rm -rf "$TEST_TMP/stopped"
    : > "$out"
    set -m # a process group of its own, with SIGINT not ignored
    env WORKLOADS=io_wait MODES=procs WORKERS=1 RUNS=1 WARMUP=0 "$TEST_TAG" \
        PARAMS="io_wait.sleep_us=1000000 io_wait.units=100" RESULTS_DIR="$TEST_TMP/stopped" \
        PLOTS_DIR="$TEST_TMP/plots" GILBENCH="$GILBENCH" python3 scripts/sweep reproduce >"$out" 2>"$TEST_TMP/interrupt.err" &
    pid=$!
    set +m
    wait_for_running "$out" io_wait 200
    signal_sweep "$1" "$2" "$pid"
    wait "$pid"
    STATUS=$?
}
interrupt TERM script
check "SIGTERM to reproduce ends it with status 143" test "$STATUS" -eq 143 -a -n "$RUN"
check "  the running sweep is stopped, its folder marked interrupted" \
    jq -e '.complete == false and .interrupted.signal == "SIGTERM"' "$RUN/meta.json"
folders=("$TEST_TMP"/stopped/*/)
check "  no second sweep is started" test "${#folders[@]}" -eq 1
check "  no process is left" wait_for 5 no_tagged_process
check "  it says so" grep -q 'reproduce: interrupted by SIGTERM during sweep 1 of 2' "$TEST_TMP/interrupt.err"
interrupt INT group
check "Ctrl-C (SIGINT to the group) ends it with status 130" test "$STATUS" -eq 130 -a -n "$RUN"
check "  the running sweep is stopped, its folder marked interrupted" \
    jq -e '.complete == false and .interrupted.signal == "SIGINT"' "$RUN/meta.json"
check "  no process is left" wait_for 5 no_tagged_process

done_testing
