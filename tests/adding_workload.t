#!/bin/bash
# adding_workload.t - docs/adding-a-workload.md works as written: its example
# file, copied into a copy of the tree, builds, is listed, runs with the
# right result in every mode, and `make bench WORKLOADS=<it>` draws its plot.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the documented steps"

copy_tree
# The example: the fenced block after its marker comment.
awk '/^<!-- example: workloads\/loop_and_sleep.c -->$/ { found = 1; next }
     found && /^```c$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' docs/adding-a-workload.md > "$tree/workloads/loop_and_sleep.c"
check "the page has the example file" test -s "$tree/workloads/loop_and_sleep.c"

run_capture make -s -C "$tree"
check "make builds the tree with the example" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
check "build/gilbench list shows it" grep -q '^loop_and_sleep ' <<<"$("$tree/build/gilbench" list)"
for mode in gil threads procs; do
    run_capture "$tree/build/gilbench" run --workload loop_and_sleep --mode "$mode" --workers 2 --units 200
    check "it runs in $mode mode with the right result" test "$STATUS" -eq 0
done
run_capture make --no-print-directory -C "$tree" bench WORKLOADS=loop_and_sleep QUICK=1 \
    RESULTS_DIR="$TEST_TMP/results" PLOTS_DIR="$TEST_TMP/plots"
check "make bench WORKLOADS=loop_and_sleep succeeds" test "$STATUS" -eq 0
check "and draws plots/loop_and_sleep.png" test -s "$TEST_TMP/plots/loop_and_sleep.png"

done_testing
