#!/bin/bash
# storage.t - no lost or torn data: a full disk (simulated with a file size
# limit) or an unwritable results folder is an error with a message, never a
# silent empty or half-written file; two sweeps in the same second get two
# folders; the noise and busy-machine warnings are computed as documented.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
trap '' XFSZ # a write past the size limit then fails with EFBIG instead of killing

# ---- the engine's appended line ----
printf '%02000d\n' 0 > "$TEST_TMP/runs.jsonl"
run_capture bash -c "ulimit -f 2; exec \"\$0\" run --workload cpu_loop --mode gil --units 10 --append-json \"\$1\"" \
    "$GILBENCH" "$TEST_TMP/runs.jsonl"
check "a full disk under --append-json fails the run" test "$STATUS" -eq 1
check "  with a message" grep -q "cannot append to .*runs.jsonl" <<<"$ERR"
check "  printing no result" test -z "$OUT"
check "  and leaving no half line in the file" test "$(wc -c < "$TEST_TMP/runs.jsonl")" -eq 2001

# ---- summary.csv ----
for i in $(seq 1 40); do printf 'w%d\t-\tgil\t1\t1.0\t100\t1\t0\t0.001\n' "$i"; done > "$TEST_TMP/many.tsv"
run_capture bash -c "ulimit -f 1; exec \"\$0\" summarize --runs \"\$1\" --csv \"\$2\"" \
    "$GILBENCH" "$TEST_TMP/many.tsv" "$TEST_TMP/summary.csv"
check "a full disk while writing summary.csv fails with a message" \
    test "$STATUS" -eq 1 -a -n "$ERR"
check "  and leaves neither summary.csv nor its temporary file" \
    test ! -e "$TEST_TMP/summary.csv" -a ! -e "$TEST_TMP/summary.csv.tmp"

# ---- a whole sweep on a disk that fills up ----
results="$TEST_TMP/results"
run_capture bash -c 'ulimit -f 24; exec "$@"' limited \
    env WORKLOADS=cpu_loop MODES=threads WORKERS=1,2 RUNS=2 WARMUP=0 RESULTS_DIR="$results" \
    PLOTS_DIR="$TEST_TMP/plots" GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "a sweep whose disk fills up exits non-zero" test "$STATUS" -ne 0
check "  saying what it could not write" grep -q '^gilbench: .*\(cannot\|could not\)' <<<"$ERR"
check "  without pointing results/latest at the broken run" test ! -e "$results/latest"
check "  and without leaving temporary files" test -z "$(find "$results" -name '*.tmp')"
[ "$STATUS" -ne 0 ] || diag "$OUT"

# ---- results folders that cannot be written ----
touch "$TEST_TMP/a-file"
run_capture env RESULTS_DIR="$TEST_TMP/a-file" WORKLOADS=cpu_loop GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "RESULTS_DIR naming a file fails with a message" \
    test "$STATUS" -eq 1 -a "$ERR" = "gilbench: cannot create the results folder $TEST_TMP/a-file"
run_capture env RESULTS_DIR=/proc/gilbench-results WORKLOADS=cpu_loop GILBENCH="$GILBENCH" python3 scripts/sweep bench
check "RESULTS_DIR where nothing can be created fails with a message" \
    grep -q "^gilbench: cannot create the results folder /proc/gilbench-results" <<<"$ERR"

# ---- run folders ----
# call MODULE FUNCTION ARG...: a function of scripts/sweep (tests/sweep_call.py).
call() { python3 tests/sweep_call.py "$@"; }
mkdir -p "$TEST_TMP/folders"
first=$(call meta new_run_folder "$TEST_TMP/folders")
second=$(call meta new_run_folder "$TEST_TMP/folders")
third=$(call meta new_run_folder "$TEST_TMP/folders")
check "three sweeps started together get three folders" \
    test -d "$first" -a -d "$second" -a -d "$third" -a "$first" != "$second" -a "$second" != "$third"
if [ "${first##*/}" = "$(basename "$second" -2)" ]; then
    ok 0 "a second folder in the same second gets the suffix -2"
else
    ok 0 "# skip the two folders were made in different seconds"
fi
check "folder names are <UTC date-time>-<host>" \
    grep -qE '/[0-9]{8}T[0-9]{6}Z-[^/]+$' <<<"$first"

# ---- warnings ----
csv="$TEST_TMP/fixture-summary.csv"
"$GILBENCH" summarize --runs tests/fixtures/run/runs.tsv --csv "$csv" --cpus 2
mkdir -p "$TEST_TMP/run" && cp "$csv" "$TEST_TMP/run/summary.csv"
: > "$TEST_TMP/run/failures.tsv"
# The fixture's 3 runs a point cannot give a 95 % interval: every point
# with a speedup is wide; the 1-worker points and those without one are not.
check "points short of 95 % or wider than PRECISION are wide, with their half-width" \
    test "$(call rounds wide_points "$TEST_TMP/run" 50 | paste -sd' ' -)" = "cpu_loop.gil.2 (±13.9 %) cpu_loop.threads.2 (±12.0 %)"
check "RERUN keeps the points of series with no wide or failed point" \
    test "$(call rounds steady_series_points "$TEST_TMP/run" 50 | paste -sd' ' -)" = "io_wait.procs.2 io_wait.procs.4"

# ---- the rounds: order and noise ----
shuffle_lines() { call rounds shuffled - "$1"; }
order_a=$(seq 1 20 | shuffle_lines 7 | paste -sd' ' -)
check "a seed gives the same order every time" test "$order_a" = "$(seq 1 20 | shuffle_lines 7 | paste -sd' ' -)"
check "  another seed another order, of the same lines" \
    test "$order_a" != "$(seq 1 20 | shuffle_lines 8 | paste -sd' ' -)" -a \
        "$(seq 1 20 | shuffle_lines 8 | sort -n | paste -sd' ' -)" = "$(seq 1 20 | paste -sd' ' -)"
# cpu_ticks, call_noise: sweep.rounds's, its tuples as "a b c d" here ("- - - -": none).
cpu_ticks() { call rounds cpu_ticks | grep . || echo "- - - -"; }
call_noise() { # call_noise BEFORE AFTER
    local x y
    x=$([ "$1" = "- - - -" ] && echo null || echo "[${1// /,}]")
    y=$([ "$2" = "- - - -" ] && echo null || echo "[${2// /,}]")
    call rounds call_noise "$x" "$y"
}
cpu_mhz() { call rounds cpu_mhz; }
before=$(cpu_ticks)
sleep 0.3 &
wait $!
bash -c 'i=0; while [ $i -lt 100000 ]; do i=$((i + 1)); done' # CPU time of another process
after=$(cpu_ticks)
read -r other steal ticks <<<"$(call_noise "$before" "$after")"
check "cpu_ticks gives four numbers" grep -qE '^[0-9]+ [0-9]+ [0-9]+ [0-9]+$' <<<"$before"
check "call_noise: the ticks in between, and own CPU not counted as other ($other of $ticks)" \
    test "$ticks" -gt 0 -a "$other" -le "$ticks"
check "call_noise without /proc readings is 0 0 0" test "$(call_noise "- - - -" "- - - -")" = "0 0 0"
mhz=$(cpu_mhz)
check "cpu_mhz is a number or - ($mhz)" grep -qE '^([0-9]+|-)$' <<<"$mhz"

done_testing
