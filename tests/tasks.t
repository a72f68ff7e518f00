#!/bin/bash
# tasks.t - the tasks workload (many small tasks of calibrated loop
# iterations; the pool is the engine's): every mode, as shares and through the
# pool (--dispatch pool, chunksizes 1 and 7), with 1 and 3 workers, computes
# every task once (the engine checks the checksum: a task lost or run twice
# exits 1) and reports its figures, the calibration's among them; the value
# of a unit does not depend on task_us or on the calibrated count; --weak
# works under shares and is refused under the pool; more pool workers than
# tasks; a worker killed in the middle fails the run naming itself, in both
# dispatches; bad settings (and the settings it no longer has) are refused.
# No time is asserted: the machine may be busy.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

# Every run gets TEST_TAG in its environment (see tests/lib.sh).
tag=$TEST_TAG
log="$TEST_TMP/runs.jsonl"
# --timeout: a hang is a failed check (exit 124), not a hung test.
tasks_run() {
    run_capture env "$tag" "$GILBENCH" run --workload tasks --timeout 30 --append-json "$log" "$@"
}
# The calibration as reported: at least one iteration a task, a positive time
# per iteration, and the count max(1, round(task_us x 1000 / ns_per_iteration))
# (within the 10 digits the figures are printed with).
calibrated='(.iterations_per_task | . >= 1 and . == floor) and .ns_per_iteration > 0
    and ((.params.task_us * 1000 / .ns_per_iteration) as $x | ([$x, 1] | max) - .iterations_per_task
         | . * . <= 0.2500001)'

# ---- every mode and dispatch, 1 and 3 workers ----
for mode in gil threads procs; do
    for dispatch in shares pool:1 pool:7; do
        way=(--dispatch "${dispatch%%:*}")
        [ "$dispatch" = shares ] || way+=(--chunksize "${dispatch#*:}")
        for workers in 1 3; do
            point="$mode, $dispatch, $workers worker(s)"
            tasks_run --mode "$mode" --workers "$workers" --units 100 "${way[@]}"
            lines=$(printf '%s\n' "$OUT" | grep -c .)
            ok $((STATUS != 0 || lines != 1)) "$point: exit 0 (every task once) and one line"
            [ "$STATUS" -eq 0 ] || diag "status $STATUS, stderr '$ERR'"
            check "$point: reports us_per_task and worker_us_per_task (x $workers workers)" \
                jq -e ".units == 100 and .dispatch == \"${dispatch%%:*}\" and .us_per_task > 0
                       and (.worker_us_per_task / (.us_per_task * $workers) - 1 | . * . < 1e-10)
                       and (.us_per_task / (.seconds * 1e6 / 100) - 1 | . * . < 1e-10)" <<<"$OUT"
            check "$point: reports its calibration (iterations_per_task, ns_per_iteration)" \
                jq -e "$calibrated" <<<"$OUT"
            check "$point: no process of the run is left" wait_for 5 no_tagged_process
        done
    done
done
check "the same checksum in every mode, dispatch and worker count" \
    test "$(jq -r .checksum "$log" | sort -u | wc -l)" -eq 1
reference=$(jq -r .checksum "$log" | head -n1)

# ---- a unit's value does not depend on the calibrated count ----
for task_us in 1 5; do
    tasks_run --mode threads --workers 2 --units 100 --param task_us=$task_us
    check "task_us=$task_us: exit 0, with the checksum of task_us=50" \
        jq -e --arg sum "$reference" '.checksum == $sum' <<<"$OUT"
    check "task_us=$task_us: its calibration" jq -e "$calibrated" <<<"$OUT"
    printf -v "iterations_$task_us" '%s' "$(jq -r '.iterations_per_task // 0' <<<"$OUT" 2>/dev/null)"
done
check "task_us=5 runs more iterations a task than task_us=1 ($iterations_5 > $iterations_1)" \
    test "${iterations_5:-0}" -gt "${iterations_1:-0}"
tasks_run --mode procs --workers 2 --units 3 --param task_us=100000
check "task_us=100000 (the most): exit 0" test "$STATUS" -eq 0

# ---- --weak: every worker does every task, under shares ----
tasks_run --mode threads --workers 1 --units 40
single=$(jq -r .checksum <<<"$OUT")
for mode in gil threads procs; do
    tasks_run --mode "$mode" --workers 3 --units 40 --weak
    check "$mode, --weak: exit 0, every worker did all 40 tasks (3 x the 1-worker checksum)" \
        jq -e --arg sum "$(printf '%016x' $((3 * 0x$single)))" \
            '.weak == true and .checksum == $sum and (.worker_us_per_task / (.seconds * 1e6 / 120 * 3) - 1 | . * . < 1e-10)' <<<"$OUT"
done

for mode in gil threads procs; do
    tasks_run --mode "$mode" --workers 4 --units 2 --param task_us=1 --dispatch pool
    check "$mode: more pool workers than tasks is refused, exit 2 (two workers would get no task)" \
        test "$STATUS" -eq 2 && grep -q '2 workers would get no task' <<<"$ERR"
done
for dispatch in shares pool; do
    tasks_run --mode gil --workers 2 --units 40 --dispatch $dispatch
    check "gil, $dispatch: the workers take the GIL (switches, holding time)" \
        jq -e '.gil_switches >= 1 and .gil_hold_seconds > 0' <<<"$OUT"
done

# ---- a worker killed in the middle (kill_worker_during: tests/lib.sh) ----
kill_worker_during "procs, shares: worker 1 killed" \
    --workload tasks --mode procs --workers 2 --units 1000000 --param task_us=100
kill_worker_during "procs, pool: worker 1 killed" \
    --workload tasks --mode procs --workers 2 --units 1000000 --param task_us=100 --dispatch pool

# ---- bad settings ----
# refused DESCRIPTION STATUS PATTERN ARGS...: exit STATUS, nothing on stdout,
# one line on stderr matching PATTERN.
refused() {
    local description=$1 expected=$2 pattern=$3 lines
    shift 3
    run_capture env "$tag" "$GILBENCH" run --workload tasks "$@"
    lines=$(printf '%s\n' "$ERR" | grep -c .)
    if [ "$STATUS" -eq "$expected" ] && [ -z "$OUT" ] && [ "$lines" -eq 1 ] &&
        grep -q -- "$pattern" <<<"$ERR"; then
        ok 0 "refused: $description"
    else
        ok 1 "refused: $description"
        diag "status $STATUS, stdout '$OUT', stderr '$ERR'"
    fi
}
refused "task_us=0" 2 "--param task_us '0'.*1 to 100000" --mode gil --param task_us=0
refused "task_us above 100000" 2 "--param task_us '100001'" --mode threads --param task_us=100001
refused "per_batch (gone: the pool is the engine's)" 2 "workload tasks has no setting 'per_batch'; accepted: task_us" \
    --mode procs --param per_batch=1
refused "batch (gone)" 2 "workload tasks has no setting 'batch'" --mode gil --param batch=64
refused "--weak with --dispatch pool (one queue)" 2 "^gilbench: --weak does not apply to --dispatch pool" \
    --mode procs --workers 2 --units 10 --weak --dispatch pool
check "no process of the refused runs is left" no_tagged_process

run_capture "$GILBENCH" list
check "list shows tasks as an extra workload" grep -q '^tasks .*\[extra' <<<"$OUT"

done_testing
