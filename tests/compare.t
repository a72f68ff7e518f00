#!/bin/bash
# compare.t - `make compare A=... B=...` on two fixture folders: the ratios
# point by point, the table, the plots; folders with no point in common, the
# same folder twice or a missing one are refused with exit 2.
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
for ext in png svg; do
    check "compare.$ext is drawn" test -s "$out/compare.$ext"
done
check "the table is printed" grep -q 'time_ratio' <<<"$OUT"
check "A and B are left untouched" test ! -e "$a/compare.csv" -a ! -e "$b/compare.csv"

c=$(fixture c 1 '^io_wait')
run_capture make --no-print-directory compare A="$b" B="$c" RESULTS_DIR="$results"
check "folders with no point in common are refused" \
    grep -q "share no point (workload, variant, mode, workers): nothing to compare" <<<"$ERR"
run_capture scripts/compare.sh "$a" "$a"
check "the same folder twice is refused with exit 2" test "$STATUS" -eq 2
run_capture scripts/compare.sh "$a" "$TEST_TMP/none"
check "a missing folder is refused with exit 2" test "$STATUS" -eq 2 -a -n "$ERR"
run_capture make --no-print-directory compare A="$a"
check "make compare without B is refused" grep -q "needs A=results/<folder> B=results/<folder>" <<<"$ERR"

done_testing
