#!/bin/bash
# summary.t - `gilbench summarize` on hand-made runs (tests/fixtures/run):
# the CSV header and column types, the arithmetic of every derived column,
# the order of rows, and refusal of malformed input.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
fixture=tests/fixtures/run
csv=$TEST_TMP/summary.csv

run_capture "$GILBENCH" summarize --runs $fixture/runs.tsv --processes $fixture/processes.tsv \
    --csv "$csv" --table --cpus 2
check "summarize succeeds on the fixture" test "$STATUS" -eq 0
check "no temporary file is left behind" test ! -e "$csv.tmp"

expected_header=workload,mode,workers,runs,median_s,min_s,max_s,stddev_s,speedup,speedup_ci_lo,speedup_ci_hi,efficiency,karp_flatt,process_median_s,max_rss_kib,gil_switches,gil_wait_s,spread,startup_median_s,gil_wait_share,ci_level,precision,speedup_vs_fastest,speedup_vs_fastest_lo,speedup_vs_fastest_hi,fastest_mode,cpu_delivered,other_cpu_share,steal_share,involuntary_switches,cpu_mhz,disturbed,dispatch,gil_hold_share,gil_parked_share,gil_source,variant
check "the CSV header names every column, in order" test "$(head -n1 "$csv")" = "$expected_header"
check "one row per point" test "$(tail -n +2 "$csv" | wc -l)" -eq 6
bad_types=$(tail -n +2 "$csv" | awk -F, '
    NF != 37 { print "row " NR ": " NF " fields"; next }
    $1 !~ /^[a-z_0-9]+$/ || $2 !~ /^(gil|threads|procs)$/ { print "row " NR ": names" }
    $3 !~ /^[0-9]+$/ || $4 !~ /^[0-9]+$/ { print "row " NR ": workers or runs not whole" }
    { for (i = 5; i <= 31; i++) if (i != 26 && $i !~ /^([0-9]+(\.[0-9]+)?)?$/) print "row " NR " column " i ": " $i }
    $26 !~ /^(gil|threads|procs|)$/ { print "row " NR ": fastest_mode " $26 }
    $32 !~ /^(yes|no)$/ { print "row " NR ": disturbed " $32 }
    $33 !~ /^(shares|pool)$/ { print "row " NR ": dispatch " $33 }
    $34 !~ /^([0-9]+(\.[0-9]+)?)?$/ || $35 != "" { print "row " NR ": gil_hold_share " $34 ", gil_parked_share " $35 }
    $36 !~ /^(runs|)$/ { print "row " NR ": gil_source " $36 }
    $37 !~ /^([a-z_0-9]+=[0-9]+|-)$/ { print "row " NR ": variant " $37 }')
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
is 1 speedup_ci_lo 1
is 1 speedup_ci_hi 1
is 1 efficiency 1
is 1 karp_flatt ""
is 1 process_median_s 1.105
# 3 runs against 3: 9 ratios, median 1.0476; 95 % is out of reach, so the
# interval is the widest one, min to max ratio, at 90 %.
is 2 speedup 1.0476
is 2 speedup_ci_lo 0.9091
is 2 speedup_ci_hi 1.2
is 2 ci_level 0.9
is 2 precision 0.1388
is 2 efficiency 0.5238
is 2 karp_flatt 0.9091
is 2 max_rss_kib 1300
is 2 gil_switches 42
is 2 gil_wait_s 1.0
is 2 gil_wait_share 0.4762
is 2 spread 0.1
is 4 speedup 1.6667
is 4 speedup_ci_lo 1.6
is 4 speedup_ci_hi 2
is 4 karp_flatt 0.2
# threads has the fastest 1-worker time of cpu_loop (1.0 s against 1.1 s):
# gil's speedups against it show what gil's own 1-worker time costs.
is 1 speedup_vs_fastest 0.9091
is 2 speedup_vs_fastest 0.9524
is 3 speedup_vs_fastest 1
check "fastest_mode names threads for cpu_loop, nothing without 1 worker" \
    test "$(field 1 fastest_mode) $(field 2 fastest_mode) $(field 5 fastest_mode)x" = "threads threads x"
check "a point without the optional figures is not disturbed" test "$(field 2 disturbed)" = no
is 5 speedup ""
is 5 process_median_s ""
is 6 startup_median_s 0.006
check "the table has a line per point and a header" test "$(printf '%s\n' "$OUT" | wc -l)" -eq 7
check "  with the interval and its half-width" grep -q '^cpu_loop  *threads  *2  *0.600 s  *1.7  *(1.6-2.0)  *12.0 %' <<<"$OUT"
check "  figures rounded to what the interval supports (1.7, not 1.6667)" test -z "$(grep 1.66 <<<"$OUT")"

# ---- the optional figures: worker lifetimes, CPU and the machine's noise ----
# worker_seconds_total cpu_seconds other_cpu_ticks steal_ticks all_cpu_ticks
# involuntary_switches cpu_mhz; other processes took 30 of every 100 ticks
# while cpu_loop threads ran at 2 workers, 1 elsewhere; io_wait's windows
# are too short (5 ticks) to judge.
awk -v OFS='\t' '{ other = ($3 == "threads" && $4 == 2) ? 30 : 1; all = ($1 == "io_wait") ? 5 : 100
    print $0, $4 * $5 * 0.8, $5 * ($3 == "gil" ? 1 : $4), other, 0, all, 7, ($3 == "gil" ? "-" : 2400) }' \
    $fixture/runs.tsv > "$TEST_TMP/full.tsv"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/full.tsv" --csv "$csv" --cpus 2 --table --precision 3
check "summarize reads the optional columns" test "$STATUS" -eq 0
# gil at 2 workers: wait median 1.0 s over worker lifetimes 2 x 1.05 x 0.8
is 2 gil_wait_share 0.5952
is 4 cpu_delivered 1
is 2 cpu_delivered 0.5
is 4 other_cpu_share 0.3
is 4 involuntary_switches 7
is 4 cpu_mhz 2400
is 2 cpu_mhz ""
check "a point during which other processes took 30 % of the CPUs is disturbed" \
    test "$(field 4 disturbed) $(field 3 disturbed)" = "yes no"
is 3 other_cpu_share 0.01
is 5 other_cpu_share ""
check "  and the table says so" grep -q '^cpu_loop  *threads  *2 .*disturbed' <<<"$OUT"
check "  points wider than --precision are flagged wide" grep -q '^cpu_loop  *gil  *2 .*wide' <<<"$OUT"
# The answer: every way's time at the usable CPU count against the fastest
# 1-worker way (threads' here: gil's single worker is slower, 1.1 s), the
# fastest first; 3 runs a point cannot decide anything at 95 %.
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/full.tsv" --answer --cpus 2
check "--answer: one line per workload at the usable CPU count, against the fastest 1-worker way" \
    test "$OUT" = "cpu_loop at 2 workers (2 usable CPUs): threads 1.7× (1.6–2.0); gil 0.95× (0.91–1.00) [undecided: about 2 more runs (2 s) would decide it]"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/full.tsv" --answer --cpus 4
check "  at the largest worker count up to the CPUs (io_wait procs at 4 has no 1-worker point: none)" \
    grep -q "^cpu_loop at 2 workers (4 usable CPUs): threads 1.7× (1.6–2.0); gil 0.95× " <<<"$OUT"

# Deciding it: 8 runs a point, 0-1.5 % apart.  threads and procs take the
# same time at 2 workers; procs' single worker takes 1.5 s (its start-up),
# so its own speedup (3x) is not what a user gets over threads (2x).
awk 'BEGIN { OFS = "\t"; n = split("threads 1 1.0|threads 2 0.5|gil 1 1.0|gil 2 1.05|procs 1 1.5|procs 2 0.5", point, "|")
    for (i = 1; i <= 8; i++) for (k = 1; k <= n; k++) { split(point[k], p, " ")
        print "cpu_loop", "-", p[1], p[2], p[3] * (1 + 0.005 * ((p[1] == "procs" ? i + 2 : i) % 4)), 1000, 0, 0, 0 } }' \
    > "$TEST_TMP/decide.tsv"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --answer --cpus 2 --looks 16
check "ways that take the same time are a tie within ±5 %; the GIL threads are told apart" \
    test "$OUT" = "cpu_loop at 2 workers (2 usable CPUs): threads 2.000× (1.990–2.010) ≈ procs 2.000× (1.990–2.010); gil 0.952× (0.948–0.957) — the GIL serialises it; one worker takes 1.50× as long under procs as under threads [a tie within ±5 %]"
awk -v OFS='\t' '$3 == "procs" { $9 = $5 * 0.3 } { print }' "$TEST_TMP/decide.tsv" > "$TEST_TMP/startup.tsv"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/startup.tsv" --answer --cpus 2 --looks 16
check "a way whose workers take a tenth of its time or more to start has it named" \
    grep -q '; starting the workers is 30 % of the time under procs \[a tie within ±5 %\]$' <<<"$OUT"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --decision --cpus 2 --looks 16
check "--decision: the answer in words" \
    test "$OUT" = "cpu_loop on this machine at 2 workers: use threads or procs, 2.000× the speed of one worker of threads (a tie within ±5 %); the GIL serialises it."
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --deciding --cpus 2 --looks 16
check "--deciding: nothing when every comparison is settled" test "$STATUS" -eq 0 -a -z "$OUT"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --answer --cpus 2 --looks 16 --resolution 0.1
check "--resolution 0.1: the same times are no longer known to be within it, so it is undecided" \
    grep -qE "≈ procs .*\[undecided: about [0-9]+ more runs \([0-9]+ (s|min)\) would decide it\]$" <<<"$OUT"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --deciding --cpus 2 --looks 16 --resolution 0.1
check "  --deciding names the leader, the way not told apart from it, and the baseline" \
    test "$(sort <<<"$OUT" | paste -sd' ' -)" = "$(printf 'cpu_loop\t-\tprocs\t2 cpu_loop\t-\tthreads\t1 cpu_loop\t-\tthreads\t2')"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --deciding --cpus 2 --looks 16 --resolution 0.1 --max-runs 20
check "  but not when it would take far more runs than MAX_RUNS allows (--max-runs)" test "$STATUS" -eq 0 -a -z "$OUT"
# The sweep's live runs come in its rounds' shuffled order: a workload's
# points must still make one answer, not one per stretch of lines.
awk -v OFS='\t' '{ print; $1 = "io_wait"; print }' "$TEST_TMP/decide.tsv" |
    awk 'NR % 3 == 0 { print > "/dev/stderr"; next } { print }' 2> "$TEST_TMP/tail.tsv" > "$TEST_TMP/mixed.tsv"
cat "$TEST_TMP/tail.tsv" >> "$TEST_TMP/mixed.tsv"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/mixed.tsv" --answer --cpus 2 --looks 16
check "runs of two workloads in any order: one answer line each" \
    test "$(cut -d' ' -f1 <<<"$OUT" | sort | paste -sd' ' -)" = "cpu_loop io_wait"
awk -v OFS='\t' '!($3 == "procs" && $4 == 2)' "$TEST_TMP/decide.tsv" > "$TEST_TMP/decided.tsv"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decided.tsv" --answer --cpus 2 --looks 16
check "a leader told apart from every other way is decided" grep -q '^cpu_loop at 2 .*\[decided\]$' <<<"$OUT"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --answer --cpus 2 --looks 16 \
    --python-workload "cpu_loop=CPython 3.13.5" --way-name gil=threading --way-name "procs=multiprocessing(fork)"
check "a Python workload's line names its interpreters and Python's ways" \
    grep -q '^cpu_loop at 2 workers (2 usable CPUs; CPython 3.13.5): threads 2.000× .* ≈ multiprocessing(fork) 2.000× .*; threading 0.952× .* as long under multiprocessing(fork) as under threads ' <<<"$OUT"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --answer --cpus 2 --way-name gil=threading
check "  ways keep their mode's name in a workload that is not a Python one" grep -q '; gil 0.952×' <<<"$OUT"
# A way whose one worker is slower, which scales on its own but not past the
# fastest single worker: "gives nothing here" (free-threaded Python's case).
awk -v OFS='\t' '$3 == "procs" { $5 = ($4 == 1 ? 1.8 : 1.0) * $5 / ($4 == 1 ? 1.5 : 0.5) } { print }' \
    "$TEST_TMP/decide.tsv" > "$TEST_TMP/slow_single.tsv"
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/slow_single.tsv" --decision --cpus 2 --looks 16
check "a way that scales but whose one worker is slower gives nothing, said with its single-thread cost" \
    grep -q '; procs gives nothing here: its one worker is 1.80× slower\.$' <<<"$OUT"
# ---- --gil-traces: the traced runs of CPython points (the sweep's gil.csv) ----
# Their figures replace the runs' own (CPython keeps no counters); a point
# whose trace is unknown says why in the answer, once; a free-threaded way
# says how long its workers parked.  Columns are found by name, fields may
# be quoted, rows of points not in the runs are ignored.
traces="$TEST_TMP/gil.csv"
write_traces() { # write_traces HOLD_SHARE_OF_GIL_1 STATUS WHY
    { echo 'workload,variant,mode,workers,interpreter,locks,status,why,gil_switches,gil_wait_seconds,gil_hold_share,gil_wait_share,parked_share,tracer_overhead'
      echo "cpu_loop,-,gil,1,/p/python3.13,gil,$2,$3,2,0.001,$1,0.01,,0.02"
      echo 'cpu_loop,-,gil,2,/p/python3.13,gil,traced,,310,1.2,0.48,0.51,,0.05'
      echo 'cpu_loop,-,threads,2,/p/python3.13t,parking,traced,,,,,,0.31,0.01'
      echo 'other,-,gil,1,/p/python3.13,gil,traced,,1,1,1,1,,' ; } > "$traces"
}
write_traces 0.97 traced ""
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --gil-traces "$traces" --csv "$csv" --answer --cpus 2 \
    --looks 16
check "--gil-traces: summarize reads gil.csv" test "$STATUS" -eq 0
row_of() { awk -F, -v m="$1" -v w="$2" '$2 == m && $3 == w { print NR - 1 }' "$csv"; }
is "$(row_of gil 2)" gil_switches 310
is "$(row_of gil 2)" gil_wait_s 1.2
is "$(row_of gil 2)" gil_wait_share 0.51
is "$(row_of gil 2)" gil_hold_share 0.48
is "$(row_of threads 2)" gil_parked_share 0.31
is "$(row_of procs 2)" gil_hold_share ""
check "  gil_source says where the GIL columns came from" \
    test "$(field "$(row_of gil 1)" gil_source) $(field "$(row_of procs 1)" gil_source)" = "traced runs"
check "  the answer says how much of its time one worker held the GIL, and what that means" \
    grep -q ' — the GIL serialises it; one worker held the GIL 97 % of its time under threading (traced): threads cannot help; free-threaded, its 2 workers parked on locks 31 % of their time (traced); one worker takes' <<<"$OUT"
write_traces 0.45 traced ""
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --gil-traces "$traces" --decision --cpus 2 --looks 16
check "  held part of the time: the GIL caps threads at 1 / that share (--decision too)" \
    grep -q '; one worker held the GIL 45 % of its time under threading (traced): the GIL caps threads at 2.2×;' <<<"$OUT"
write_traces 0.18 traced ""
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --gil-traces "$traces" --answer --cpus 2 --looks 16
check "  released most of the time: threads scale, up to 1 / the share" \
    grep -q '; one worker released the GIL 82 % of its time under threading (traced): threads scale, up to 5× under the GIL;' <<<"$OUT"
write_traces "" untraceable '"cannot trace the GIL of /p/python3.11: it is stripped, no take_gil"'
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --gil-traces "$traces" --answer --csv "$csv" --cpus 2 --looks 16
check "  unknown: the answer says why, once (a quoted field with a comma)" \
    test "$(grep -o 'GIL share unknown: cannot trace the GIL of /p/python3.11: it is stripped, no take_gil;' <<<"$OUT" | wc -l)" -eq 1
is "$(row_of gil 1)" gil_hold_share ""
check "  and its row keeps no figure" test "$(field "$(row_of gil 1)" gil_switches)x$(field "$(row_of gil 1)" gil_source)" = x
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --answer --cpus 2 --looks 16
check "  without --gil-traces the answer says nothing of it" test -z "$(grep -e 'GIL share' -e 'held the GIL' <<<"$OUT")"
for bad in 'workload,variant,mode\ncpu_loop,-,gil' \
    'workload,variant,mode,workers,status,why,gil_switches,gil_wait_seconds,gil_hold_share,gil_wait_share,parked_share\ncpu_loop,-,gil,1,traced,,many,,,,' \
    'workload,variant,mode,workers,status,why,gil_switches,gil_wait_seconds,gil_hold_share,gil_wait_share,parked_share\ncpu_loop,-,gil,1,traced,"open,,,,,' \
    'workload,variant,mode,workers,status,why,gil_switches,gil_wait_seconds,gil_hold_share,gil_wait_share,parked_share\ncpu_loop,-,gil,0,traced,,,,,,'; do
    printf "$bad\n" > "$TEST_TMP/bad.csv"
    run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --gil-traces "$TEST_TMP/bad.csv" --csv "$TEST_TMP/out.csv"
    check "a malformed gil.csv is refused with one line, exit 2, no CSV ($(tail -n 1 "$TEST_TMP/bad.csv" | cut -c1-24))" \
        test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1 -a ! -e "$TEST_TMP/out.csv"
done
run_capture "$GILBENCH" summarize --runs "$TEST_TMP/decide.tsv" --gil-traces "$TEST_TMP/none.csv" --answer
check "a missing gil.csv is refused with exit 2" test "$STATUS" -eq 2 -a -n "$ERR"

for bad in "--confidence 40" "--confidence x" "--precision 0" "--cpus 0" "--resolution 0" "--looks 0" \
    "--way-name gil" "--way-name =threading" "--python-workload x="; do
    # shellcheck disable=SC2086
    run_capture "$GILBENCH" summarize --runs $fixture/runs.tsv --table $bad
    check "summarize refuses $bad with exit 2" test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1
done

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
