#!/bin/bash
# check_once.t - a Python workload that declares DETERMINISTIC = True has
# its check() called once per value: pyrun run --accepted FILE keeps the
# values check() accepted, and a later run's value found there is accepted
# by that equality; any other value still goes to check(), and a wrong one
# still fails the run.  The sweep passes the file, so a point's runs after
# the first cost no check.  Without the declaration every value is checked
# every run.  A declaration that is not True or False is one line, exit 2.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the sweep"
python=/usr/bin/python3

tree="$TEST_TMP/tree"
mkdir -p "$tree/workloads"
cp -r Makefile scripts "$tree"/
# check() counts its calls in CHECK_CALLS; WRONG=1 makes work() wrong.
write_workload() { # write_workload NAME DETERMINISTIC-LINE
    cat > "$tree/workloads/$1.py" <<EOF
"""sums the squares of its units, counting its check's calls"""
import os

UNIT = "one square"
UNITS = 40
$2


def work(state, first, count):
    total = sum(u * u for u in range(first, first + count))
    return total + (1 if os.environ.get("WRONG") == "1" else 0)


def check(state, first, count, value):
    with open(os.environ["CHECK_CALLS"], "a") as f:
        f.write("%d %d\n" % (first, count))
    return value == sum(u * u for u in range(first, first + count))
EOF
}
write_workload squares "DETERMINISTIC = True"
write_workload squares_any ""
calls="$TEST_TMP/calls"
accepted="$TEST_TMP/accepted.tsv"
pyrun() { (cd "$tree" && env CHECK_CALLS="$calls" "$TEST_TAG" "$python" scripts/pyrun "$@"); }
check_calls() { [ -f "$calls" ] && wc -l < "$calls" || echo 0; }

: > "$calls"
run_capture pyrun run --workload squares --mode gil --workers 2 --accepted "$accepted"
check "a first run checks each share's value with check()" \
    test "$STATUS" -eq 0 -a "$(check_calls)" -eq 2 -a "$(jq -r .checked <<<"$OUT")" = true
check "  and keeps the accepted values" test "$(wc -l < "$accepted")" -eq 2
: > "$calls"
run_capture pyrun run --workload squares --mode procs --workers 2 --accepted "$accepted"
check "a later run with the same shares is checked by equality, check() not called" \
    test "$STATUS" -eq 0 -a "$(check_calls)" -eq 0 -a "$(jq -r .checked <<<"$OUT")" = true
run_capture pyrun run --workload squares --mode gil --workers 4 --accepted "$accepted"
check "other shares go to check() (4 new values)" test "$STATUS" -eq 0 -a "$(check_calls)" -eq 4
: > "$calls"
run_capture env WRONG=1 CHECK_CALLS="$calls" bash -c "cd '$tree' && '$python' scripts/pyrun run --workload squares --mode gil --workers 2 --accepted '$accepted'"
check "a wrong value is not among the accepted: check() rejects it, the run fails in one line" \
    test "$STATUS" -eq 1 -a "$(check_calls)" -ge 1 -a "$(grep -c 'wrong result' <<<"$ERR")" -eq 1
check "  and it is not kept" test "$(wc -l < "$accepted")" -eq 6

: > "$calls"
rm -f "$TEST_TMP/any.tsv"
for mode in gil procs; do
    pyrun run --workload squares_any --mode "$mode" --workers 2 --accepted "$TEST_TMP/any.tsv" >/dev/null 2>&1
done
check "without DETERMINISTIC every run's values go to check()" test "$(check_calls)" -eq 4
check "  and no file of accepted values is made" test ! -e "$TEST_TMP/any.tsv"

write_workload squares_bad 'DETERMINISTIC = "yes"'
run_capture pyrun check --workload squares_bad
check "DETERMINISTIC that is not True or False: one line, exit 2" \
    test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1
check "  naming it" grep -q 'squares_bad.py: DETERMINISTIC must be True or False' <<<"$ERR"
rm "$tree/workloads/squares_bad.py"

# The sweep: 4 runs of one point, check() called for the first only (and
# by the sweep's try of the file before any point: unit 0).
: > "$calls"
run_capture env CHECK_CALLS="$calls" GILBENCH="$PWD/build/gilbench" WORKLOADS=squares MODES=gil WORKERS=1 \
    RUNS=4 WARMUP=0 RESULTS_DIR="$TEST_TMP/results" PLOTS_DIR="$TEST_TMP/plots" python3 "$tree/scripts/sweep" bench
check "a sweep of a DETERMINISTIC workload passes its runs the accepted values" \
    test "$STATUS" -eq 0 -a "$(check_calls)" -eq 2
[ "$STATUS" -eq 0 ] || diag "$(tail -n 5 <<<"$ERR")"
check "  every run still reported checked" \
    test -z "$(jq -r 'select(.checked != true) | .checked' "$TEST_TMP"/results/latest/raw/*.jsonl)"

done_testing
