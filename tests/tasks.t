#!/bin/bash
# tasks.t - the tasks workload (many small tasks through a persistent pool or
# new workers per batch): every mode, persistent and per batch, with 1 and 3
# workers, computes every task once (the engine checks the checksum: a task
# lost or run twice exits 1) and reports its figures; more workers than tasks
# per batch; a worker or batch process killed in the middle fails the run
# instead of hanging it (the feeder of the procs mode included); a killed
# engine leaves no batch process behind; bad settings are refused.  No time
# is asserted: the machine may be busy.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

# Every run gets TEST_TAG in its environment (see tests/lib.sh).
tag=$TEST_TAG
log="$TEST_TMP/runs.jsonl"
# --timeout: a hang is a failed check (exit 124), not a hung test.
tasks_run() {
    run_capture env "$tag" "$GILBENCH" run --workload tasks --timeout 30 --append-json "$log" "$@"
}

# ---- every mode, persistent and per batch, 1 and 3 workers ----
for mode in gil threads procs; do
    for per_batch in 0 1; do
        for workers in 1 3; do
            point="$mode, per_batch=$per_batch, $workers worker(s)"
            tasks_run --mode "$mode" --workers "$workers" --units 100 \
                --param batch=16 --param per_batch="$per_batch"
            lines=$(printf '%s\n' "$OUT" | grep -c .)
            ok $((STATUS != 0 || lines != 1)) "$point: exit 0 (every task once) and one line"
            [ "$STATUS" -eq 0 ] || diag "status $STATUS, stderr '$ERR'"
            check "$point: reports us_per_task and worker_us_per_task" \
                jq -e ".units == 100 and .us_per_task > 0
                       and .worker_us_per_task >= .us_per_task * $workers * 0.999" <<<"$OUT"
            check "$point: no process of the run is left" wait_for 5 no_tagged_process
        done
    done
done
check "the same checksum in every mode, either way and for every worker count" \
    test "$(jq -r .checksum "$log" | sort -u | wc -l)" -eq 1

for mode in gil threads procs; do
    tasks_run --mode "$mode" --workers 3 --units 5 --param per_batch=1 --param batch=2
    check "$mode: batches smaller than the workers (idle batch workers)" test "$STATUS" -eq 0
    tasks_run --mode "$mode" --workers 4 --units 2 --param task_us=1
    check "$mode: more pool workers than tasks" test "$STATUS" -eq 0
done
# The feeder sends a few tasks within microseconds and closes its end, often
# while the engine is still forking: a worker must not keep a copy of that
# end (the pipe would never reach end of file, and the run would hang).
hung=0
for i in $(seq 60); do
    tasks_run --mode procs --workers 3 --units $((i % 6 * 20 + 1)) --param task_us=1
    [ "$STATUS" -eq 0 ] || hung=$((hung + 1))
done
check "procs: 60 short runs, the feeder done while the engine forks: none hangs or fails" \
    test "$hung" -eq 0
tasks_run --mode gil --workers 2 --units 40 --param per_batch=1 --param batch=8
check "gil, per batch: the batch threads take the GIL (switches, holding time)" \
    jq -e '.gil_switches >= 10 and .gil_hold_seconds > 0' <<<"$OUT"

# ---- a worker killed in the middle ----
# kill_during DESCRIPTION PATTERN PICK ARGS...: starts a long procs run, kills
# the process PICK prints (given the engine's pid), and expects exit 1 (124
# would mean a hang until --timeout) with a line matching PATTERN.
# The feeder may be blocked writing a task or reading a result.
kill_during() {
    local description=$1 pattern=$2 pick=$3 engine victim="" status
    shift 3
    env "$tag" "$GILBENCH" run --workload tasks --mode procs --timeout 60 "$@" \
        >/dev/null 2>"$TEST_TMP/killed.err" &
    engine=$!
    for _ in $(seq 100); do
        victim=$("$pick" "$engine")
        [ -n "$victim" ] && break
        sleep 0.1
    done
    if [ -z "$victim" ]; then
        kill "$engine"
        wait "$engine"
        ok 1 "$description: the process to kill could be found"
        return
    fi
    sleep 0.2
    kill -KILL "$victim"
    wait "$engine" && status=0 || status=$?
    ok $((status != 1)) "$description: the run fails (exit 1), without hanging"
    check "  and says why" grep -q -- "$pattern" "$TEST_TMP/killed.err"
    [ "$status" -eq 1 ] || diag "status $status" "$(cat "$TEST_TMP/killed.err")"
    check "  and leaves no process" wait_for 5 no_tagged_process
}
second_worker() { pgrep -P "$1" | sed -n 2p; }
batch_process() {
    local worker0
    worker0=$(pgrep -P "$1" | sed -n 1p)
    [ -n "$worker0" ] && pgrep -P "$worker0" | sed -n 1p
}
kill_during "procs, persistent pool: worker 1 killed" "worker 1 (pid [0-9]*) was killed by signal 9" \
    second_worker --workers 2 --units 1000000 --param task_us=100
kill_during "procs, per batch: a batch process killed" "tasks: batch worker .* failed: Killed" \
    batch_process --workers 2 --units 1000 --param per_batch=1 --param task_us=10000 \
    --param batch=100

# ---- a killed engine leaves no batch process ----
env "$tag" "$GILBENCH" run --workload tasks --mode procs --workers 2 --units 1000 \
    --param per_batch=1 --param task_us=10000 --param batch=100 --timeout 60 >/dev/null 2>&1 &
engine=$!
batch_process_runs() { [ -n "$(batch_process "$engine")" ]; }
if wait_for 10 batch_process_runs; then
    kill -KILL "$engine"
    wait "$engine" 2>/dev/null
    check "procs, per batch: a killed engine leaves no process behind (batch processes included)" \
        wait_for 10 no_tagged_process
else
    kill "$engine"
    wait "$engine" 2>/dev/null
    ok 1 "procs, per batch: the batch processes of a long run could be found"
fi

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
refused "per_batch=2" 2 "--param per_batch '2'.*0 to 1" --mode procs --param per_batch=2
refused "batch=0" 2 "--param batch '0'.*1 to 1000000" --mode procs --param batch=0
refused "batch above 1000000" 2 "--param batch '1000001'" --mode gil --param batch=1000001
refused "--weak (the workers share one queue)" 1 "^gilbench: tasks: --weak" \
    --mode procs --workers 2 --units 10 --weak
check "no process of the refused runs is left" no_tagged_process

run_capture "$GILBENCH" list
check "list shows tasks as an extra workload" grep -q '^tasks .*\[extra' <<<"$OUT"

done_testing
