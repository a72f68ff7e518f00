#!/bin/bash
# compare.t - `make compare A=... B=...` on two fixture folders: the ratios
# point by point, the table, the plots; the verdicts and the closing line on
# hand-made speedups and intervals; a warning per setting in which the runs
# differ; a panel per workload@variant for study points; folders with no
# point in common, the same folder twice or a missing one are refused with
# exit 2.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

# fixture NAME SCALE [FILTER]: a results folder from tests/fixtures/run with
# every time multiplied by SCALE, keeping the runs whose line matches FILTER.
fixture() {
    local dir="$TEST_TMP/$1"
    mkdir -p "$dir"
    cp tests/fixtures/run/meta.json tests/fixtures/run/plan.tsv "$dir/"
    awk -F'\t' -v OFS='\t' -v scale="$2" -v keep="${3:-.}" '$0 ~ keep { $5 = $5 * scale; print }' \
        tests/fixtures/run/runs.tsv > "$dir/runs.tsv"
    "$GILBENCH" summarize --runs "$dir/runs.tsv" --csv "$dir/summary.csv"
    echo "$dir"
}
a=$(fixture a 1)
b=$(fixture b 2 '^cpu_loop')
results="$TEST_TMP/results"

run_capture make --no-print-directory compare A="$a" B="$b" RESULTS_DIR="$results"
check "make compare succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
out="$results/compare-a-vs-b"
check "it writes compare.csv" test -s "$out/compare.csv"
check "one row per point in common (cpu_loop only)" test "$(tail -n +2 "$out/compare.csv" | wc -l)" -eq 4
check "twice the time is a time ratio of 2" \
    test -z "$(tail -n +2 "$out/compare.csv" | awk -F, '$7 != "2.0000"')"
check "the same speedups are a speedup ratio of 1" \
    test -z "$(tail -n +2 "$out/compare.csv" | awk -F, '$10 != "1.0000"')"
check "compare.csv keeps its first ten columns and appends the intervals and the verdict" \
    test "$(head -n1 "$out/compare.csv")" = "workload,variant,mode,workers,median_s_a,median_s_b,time_ratio,speedup_a,speedup_b,speedup_ratio,speedup_ci_lo_a,speedup_ci_hi_a,speedup_ci_lo_b,speedup_ci_hi_b,ci_level_a,ci_level_b,b_in_a,a_in_b,verdict"
check "the same speedups and intervals are the same, each inside the other" \
    test -z "$(tail -n +2 "$out/compare.csv" | awk -F, '$17 != "yes" || $18 != "yes" || $19 != "same"')"
for ext in png svg; do
    check "compare.$ext is drawn" test -s "$out/compare.$ext"
done
check "the table is printed, with the verdicts" grep -q 'time_ratio .* verdict' <<<"$OUT"
check "the closing line counts the points with N > 1 workers" \
    grep -q '^gilbench: 2 points with N > 1 workers: 0 differ; |speedup B / A - 1|: median 0 %, worst 0 %' <<<"$OUT"
check "runs of the same settings give no warning" test -z "$(grep warning <<<"$ERR")"
check "compare.json has the closing figures" \
    jq -e '.summary.points == 2 and .summary.differ == 0 and .summary.b_in_a.share == 1 and .differences == []' \
    "$out/compare.json"
check "A and B are left untouched" test ! -e "$a/compare.csv" -a ! -e "$b/compare.csv"

# ---- verdicts, on hand-made speedups and intervals ----
# hand DIR ROWS...: a results folder whose summary.csv has the ROWS
# "workload,variant,mode,workers,median_s,speedup,lo,hi" (columns in an
# order of their own: they are read by name).
hand() {
    local dir=$TEST_TMP/$1 row; shift
    mkdir -p "$dir"
    cp tests/fixtures/run/meta.json "$dir/"
    {
        echo variant,workload,mode,workers,runs,median_s,speedup,speedup_ci_lo,speedup_ci_hi,ci_level
        for row in "$@"; do
            IFS=, read -r w v m n t s lo hi <<<"$row"
            echo "$v,$w,$m,$n,5,$t,$s,$lo,$hi,$([ -n "$lo" ] && echo 0.96)"
        done
    } > "$dir/summary.csv"
    echo "$dir"
}
ones=("cpu_loop,-,gil,1,1.0,1.0000,1.0000,1.0000" "cpu_loop,-,threads,1,1.0,1.0000,1.0000,1.0000"
      "cpu_loop,-,procs,1,1.0,1.0000,1.0000,1.0000")
# gil 2: each inside the other's interval; threads 2: neither inside, the
# intervals overlap; procs 2: the intervals apart; gil 4: no interval in B.
va=$(hand va "${ones[@]}" cpu_loop,-,gil,2,0.52,1.9000,1.8000,2.0000 cpu_loop,-,threads,2,0.52,1.9000,1.8000,2.0000 \
    cpu_loop,-,procs,2,0.52,1.9000,1.8000,2.0000 cpu_loop,-,gil,4,0.33,3.0000,2.8000,3.2000)
vb=$(hand vb "${ones[@]}" cpu_loop,-,gil,2,0.51,1.9500,1.8500,2.0500 cpu_loop,-,threads,2,0.49,2.0500,1.9500,2.1500 \
    cpu_loop,-,procs,2,0.42,2.4000,2.3000,2.5000 cpu_loop,-,gil,4,0.33,3.0000,,)
run_capture env RESULTS_DIR="$results" python3 scripts/sweep compare "$va" "$vb"
check "compare on hand-made summaries succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
csv=$results/compare-va-vs-vb/compare.csv
row() { awk -F, -v m="$1" -v n="$2" '$3 == m && $4 == n { print $17 "," $18 "," $19 }' "$csv"; }
check "B's speedup inside A's interval and A's inside B's: same" test "$(row gil 2)" = "yes,yes,same"
check "neither inside the other's interval, the intervals overlapping: same" test "$(row threads 2)" = "no,no,same"
check "the intervals apart: differs" test "$(row procs 2)" = "no,no,differs"
check "an interval missing: unknown" test "$(row gil 4)" = "yes,,unknown"
check "1-worker points are the same" test "$(row procs 1)" = "yes,yes,same"
check "the intervals are carried into compare.csv" \
    grep -q '^cpu_loop,-,procs,2,0.52,0.42,0.8077,1.9000,2.4000,1.2632,1.8000,2.0000,2.3000,2.5000,0.96,0.96,no,no,differs$' "$csv"
check "the table shows the verdict" grep -q '^cpu_loop *procs *2 .* no *no *differs$' <<<"$OUT"
check "the closing line: points, how many differ, the median and worst difference, the shares inside" \
    grep -qF "gilbench: 4 points with N > 1 workers: 1 differs (1 without an interval); |speedup B / A - 1|: median 5.3 %, worst 26.3 % (cpu_loop procs 2); B inside A's interval: 1 of 3 (33 %), A inside B's: 1 of 3 (33 %)" <<<"$OUT"
check "compare.json has the same figures" \
    jq -e '.summary | .points == 4 and .with_intervals == 3 and .differ == 1 and .unknown == 1
        and .b_in_a.count == 1 and .a_in_b.count == 1 and .differing_points == ["cpu_loop procs 2"]
        and (.worst_abs_speedup_diff_pct * 100 | round) == 2632' "$results/compare-va-vs-vb/compare.json"
# Rings (point type 6, gpPt5 in SVG): the legend's, and one per differing point.
rings() { grep -o "xlink:href='#gpPt5' transform='translate" "$1" | wc -l; }
check "the differing point is ringed in the plot (one ring more than without one)" \
    test "$(( $(rings "$results/compare-va-vs-vb/compare.svg") - $(rings "$out/compare.svg") ))" -eq 1

# ---- settings in which the runs differ: one warning line each ----
sa=$(hand sa "${ones[@]}" cpu_loop,-,gil,2,0.52,1.9000,1.8000,2.0000)
sb=$(hand sb "${ones[@]}" cpu_loop,-,gil,2,0.52,1.9000,1.8000,2.0000)
jq '.settings += {runs: 5, max_runs: 20, precision_pct: 3, params: ""} | .cpu_model = "CPU A"' \
    tests/fixtures/run/meta.json > "$sa/meta.json"
jq '.settings += {runs: 7, max_runs: 30, precision_pct: 5, warmup: 2, switch_interval_us: 100,
                  params: "cpu_loop.units=500 io_wait.units=3"} | .cpu_model = "CPU B" | .cpus_usable = 4' \
    tests/fixtures/run/meta.json > "$sb/meta.json"
run_capture env RESULTS_DIR="$results" python3 scripts/sweep compare "$sa" "$sb"
check "runs of different settings are still compared" test "$STATUS" -eq 0
for line in "RUNS: 5 in A, 7 in B" "MAX_RUNS: 20 in A, 30 in B" "PRECISION: 3 in A, 5 in B" \
    "WARMUP: 0 in A, 2 in B" "SWITCH_INTERVAL_US: 5000 in A, 100 in B" \
    "PARAMS cpu_loop.units: default in A, 500 in B" "CPU model: CPU A in A, CPU B in B" \
    "usable CPUs: 2 in A, 4 in B"; do
    check "a warning: A and B differ in $line" grep -qxF "gilbench: warning: A and B differ in $line" <<<"$ERR"
done
check "one warning line per difference (none for a workload they do not share)" \
    test "$(grep -c 'warning: A and B differ' <<<"$ERR")" -eq 8
check "compare.json records them" \
    jq -e '(.differences | length) == 8 and (.warnings | length) == 8
        and (.differences | any(.setting == "RUNS" and .a == "5" and .b == "7"))' \
    "$results/compare-sa-vs-sb/compare.json"
# The units the runs used (their result lines), when PARAMS does not say.
ua=$(hand ua "${ones[@]}") ub=$(hand ub "${ones[@]}")
mkdir -p "$ua/raw" "$ub/raw"
echo '{"workload":"cpu_loop","mode":"gil","workers":1,"units":400,"seconds":1}' > "$ua/raw/cpu_loop.gil.1.jsonl"
echo '{"workload":"cpu_loop","mode":"gil","workers":1,"units":800,"seconds":1}' > "$ub/raw/cpu_loop.gil.1.jsonl"
run_capture env RESULTS_DIR="$results" python3 scripts/sweep compare "$ua" "$ub"
check "different units in the result lines are a warning" \
    grep -qxF "gilbench: warning: A and B differ in units of cpu_loop: 400 in A, 800 in B" <<<"$ERR"

# ---- study points: a panel per workload@variant ----
study_rows() { # study_rows SCALE: amdahl at two variants, and cpu_loop
    local v n
    echo "cpu_loop,-,gil,1,1.0,1.0000,1.0000,1.0000"
    echo "cpu_loop,-,gil,2,1.0,1.0000,0.9000,1.1000"
    for v in released_pct=0 released_pct=90; do
        for n in 1 2 4; do
            echo "amdahl,$v,gil,$n,$(awk -v n="$n" -v s="$1" 'BEGIN { print s / n }'),$n.0000,$n.0000,$n.0000"
        done
    done
}
mapfile -t rows_a < <(study_rows 1)
mapfile -t rows_b < <(study_rows 1.5)
pa=$(hand pa "${rows_a[@]}") pb=$(hand pb "${rows_b[@]}")
run_capture env RESULTS_DIR="$results" python3 scripts/sweep compare "$pa" "$pb"
check "study points are compared" test "$STATUS" -eq 0
svg=$results/compare-pa-vs-pb/compare.svg
for v in released_pct=0 released_pct=90; do
    check "the plot has a panel amdahl@$v" grep -qF "<text>amdahl@$v</text>" "$svg"
done
# gnuplot names each plot of panel K gnuplot_plot_<i><letter K>: the markers
# of the data points drawn in each panel (the legend is in the first).
markers=$(awk '/<g id="gnuplot_plot_[0-9]+[a-z]"/ { match($0, /gnuplot_plot_[0-9]+[a-z]/); panel = substr($0, RSTART + RLENGTH - 1, 1) }
    panel != "" { count[panel] += gsub(/xlink:href=.#gpPt[0-9]+. transform=.translate/, "") }
    END { printf "%d %d %d\n", count["a"], count["b"], count["c"] }' "$svg")
check "each variant's panel has its three points plotted (panels b, c: $markers)" \
    test "${markers#* }" = "3 3"
check "the table names the points workload@variant" grep -q '^amdahl@released_pct=90 *gil *4 *1.5000' <<<"$OUT"

# ---- refusals ----
c=$(fixture c 1 '^io_wait')
run_capture make --no-print-directory compare A="$b" B="$c" RESULTS_DIR="$results"
check "folders with no point in common are refused" \
    grep -q "share no point (workload, variant, mode, workers): nothing to compare" <<<"$ERR"
run_capture python3 scripts/sweep compare "$a" "$a"
check "the same folder twice is refused with exit 2" test "$STATUS" -eq 2
run_capture python3 scripts/sweep compare "$a" "$TEST_TMP/none"
check "a missing folder is refused with exit 2" test "$STATUS" -eq 2 -a -n "$ERR"
run_capture make --no-print-directory compare A="$a"
check "make compare without B is refused" grep -q "needs A=results/<folder> B=results/<folder>" <<<"$ERR"

done_testing
