#!/bin/bash
# summary.t - `gilbench summarize` on hand-made runs (tests/fixtures/run):
# the CSV header and column types, the arithmetic of every derived column,
# the order of rows, and refusal of malformed input.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
fixture=tests/fixtures/run
csv=$TEST_TMP/summary.csv

run_capture "$GILBENCH" summarize --runs $fixture/runs.tsv --processes $fixture/processes.tsv \
    --csv "$csv" --table
check "summarize succeeds on the fixture" test "$STATUS" -eq 0
check "no temporary file is left behind" test ! -e "$csv.tmp"

expected_header=workload,mode,workers,runs,median_s,min_s,max_s,stddev_s,speedup,speedup_lo,speedup_hi,efficiency,karp_flatt,process_median_s,max_rss_kib,gil_switches,gil_wait_s,spread,startup_median_s,gil_wait_share,variant
check "the CSV header names every column, in order" test "$(head -n1 "$csv")" = "$expected_header"
check "one row per point" test "$(tail -n +2 "$csv" | wc -l)" -eq 6
bad_types=$(tail -n +2 "$csv" | awk -F, '
    NF != 21 { print "row " NR ": " NF " fields"; next }
    $1 !~ /^[a-z_0-9]+$/ || $2 !~ /^(gil|threads|procs)$/ { print "row " NR ": names" }
    $3 !~ /^[0-9]+$/ || $4 !~ /^[0-9]+$/ { print "row " NR ": workers or runs not whole" }
    { for (i = 5; i <= 20; i++) if ($i !~ /^([0-9]+(\.[0-9]+)?)?$/) print "row " NR " column " i ": " $i }
    $21 !~ /^([a-z_0-9]+=[0-9]+|-)$/ { print "row " NR ": variant " $21 }')
ok $([ -z "$bad_types" ]; echo $?) "every column has its type (names, whole numbers, decimals, variant or empty)"
[ -z "$bad_types" ] || diag "$bad_types"

# field ROW COLUMN-NAME: a value of the CSV (ROW counts data rows from 1).
field() {
    awk -F, -v row="$1" -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        NR == row + 1 { print $col[name] }' "$csv"
}
# is ROW COLUMN EXPECTED: numeric equality to 4 decimals, or both empty.
is() {
    local got
    got=$(field "$1" "$2")
    if [ -z "$3" ]; then
        ok $([ -z "$got" ]; echo $?) "row $1 $2 is empty (got '$got')"
    else
        ok $(awk -v a="$got" -v b="$3" 'BEGIN { exit !(a != "" && (a - b) < 5e-5 && (b - a) < 5e-5) }'; echo $?) \
            "row $1 $2 = $3 (got '$got')"
    fi
}
check "rows keep workload and mode order, workers ascending" \
    test "$(tail -n +2 "$csv" | cut -d, -f1-3 | paste -sd' ' -)" = \
    "cpu_loop,gil,1 cpu_loop,gil,2 cpu_loop,threads,1 cpu_loop,threads,2 io_wait,procs,2 io_wait,procs,4"
is 1 median_s 1.1
is 1 min_s 1.0
is 1 max_s 1.2
is 1 stddev_s 0.1
is 1 speedup 1
is 1 speedup_lo 0.8333
is 1 speedup_hi 1.2
is 1 efficiency 1
is 1 karp_flatt ""
is 1 process_median_s 1.105
is 2 speedup 1.0476
is 2 speedup_lo 0.9091
is 2 speedup_hi 1.2
is 2 efficiency 0.5238
is 2 karp_flatt 0.9091
is 2 max_rss_kib 1300
is 2 gil_switches 42
is 2 gil_wait_s 1.0
is 2 gil_wait_share 0.4762
is 2 spread 0.1
is 4 speedup 1.6667
is 4 speedup_lo 1.6
is 4 speedup_hi 2
is 4 karp_flatt 0.2
is 5 speedup ""
is 5 process_median_s ""
is 6 startup_median_s 0.006
check "the table has a line per point and a header" test "$(printf '%s\n' "$OUT" | wc -l)" -eq 7

# ---- malformed input ----
printf 'cpu_loop\t-\tgil\t1\tfast\t1\t1\t0\t0\n' > "$TEST_TMP/bad.tsv"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/bad.tsv" --csv "$TEST_TMP/out.csv"
check "a non-numeric time is refused with exit 2" test "$STATUS" -eq 2
check "  naming the file and line" grep -q 'bad.tsv line 1' <<<"$ERR"
check "  and no CSV is written" test ! -e "$TEST_TMP/out.csv"
printf 'cpu_loop\t-\tgil\t1\t1.0\n' > "$TEST_TMP/short.tsv"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/short.tsv" --table
check "a line with missing fields is refused with exit 2" test "$STATUS" -eq 2
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/nonexistent.tsv" --table
check "a missing runs file is refused with exit 2" test "$STATUS" -eq 2 -a -n "$ERR"
: > "$TEST_TMP/empty.tsv"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/empty.tsv" --table
check "an empty runs file is refused with exit 2" test "$STATUS" -eq 2
run_capture "$GILBENCH" summarize --runs $fixture/runs.tsv --csv /nonexistent/dir/summary.csv
check "an unwritable CSV path fails with a message" test "$STATUS" -eq 1 -a -n "$ERR"

done_testing
