#!/bin/bash
# plots.t - `make plots RUN=...` on a small fixture results folder draws
# every plot as a non-empty PNG and SVG, and refuses a folder that is not a
# results folder.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
run="$TEST_TMP/results/example"
mkdir -p "$run"
cp tests/fixtures/run/meta.json "$run/"
"$GILBENCH" summarize --runs tests/fixtures/run/runs.tsv \
    --processes tests/fixtures/run/processes.tsv --csv "$run/summary.csv"

run_capture make --no-print-directory plots RUN="$run" PLOTS_DIR="$TEST_TMP/plots"
check "make plots succeeds on the fixture" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
for name in cpu_loop io_wait overview efficiency gil_wait; do
    for ext in png svg; do
        check "$name.$ext is drawn in the run folder and is not empty" test -s "$run/plots/$name.$ext"
        check "$name.$ext is copied to the plots folder" cmp -s "$run/plots/$name.$ext" "$TEST_TMP/plots/$name.$ext"
    done
done
check "the PNG files are PNG images" \
    test "$(head -c 8 "$run/plots/overview.png" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n'
check "the SVG files are SVG documents" grep -q '<svg' "$run/plots/overview.svg"
check "no temporary file is left" test -z "$(ls "$run/plots" | grep tmp)"

run_capture make --no-print-directory plots PLOTS_DIR="$TEST_TMP/plots"
check "make plots without RUN is refused with exit 2" test "$STATUS" -eq 2 -a -n "$ERR"
run_capture make --no-print-directory plots RUN="$TEST_TMP/nonexistent" PLOTS_DIR="$TEST_TMP/plots"
check "make plots on a missing folder is refused with exit 2" grep -q "is not a folder" <<<"$ERR"
mkdir -p "$TEST_TMP/not-a-run"
run_capture make --no-print-directory plots RUN="$TEST_TMP/not-a-run" PLOTS_DIR="$TEST_TMP/plots"
check "make plots on a folder that is not a results folder is refused" \
    grep -q "not a results folder" <<<"$ERR"

done_testing
