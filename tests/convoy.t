#!/bin/bash
# convoy.t - the convoy workload: in every mode, alone and beside CPU-bound
# workers, a run exits 0 with its figures; every CPU-bound worker runs for
# all of the I/O worker's round trips (the start gate); under the gil mode
# every round trip waits for the GIL (the convoy is there in every run, not
# in some); its echo process runs outside the workers' process group, ends
# with the run and dies with a killed engine; bad settings are refused.
# Times are checked only where the design sets a floor (the server's time,
# the switch interval) or where the gap to the threshold is several-fold;
# the machine may be busy.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

# Every run below gets TEST_TAG in its environment (see tests/lib.sh).
tag=$TEST_TAG

# echo_pid: the tagged process named convoy-echo, if there is one.
echo_pid() {
    for pid in $(tagged_pids); do
        if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = convoy-echo ]; then
            echo "$pid"
            return
        fi
    done
}

echo_process_runs() {
    [ -n "$(echo_pid)" ]
}

# ---- every mode, alone and beside two CPU-bound workers ----
for mode in gil threads procs; do
    for workers in 1 3; do
        point="$mode, $workers worker(s)"
        run_capture env "$tag" "$GILBENCH" run --workload convoy --mode "$mode" \
            --workers "$workers" --units 50
        lines=$(printf '%s\n' "$OUT" | grep -c .)
        ok $((STATUS != 0 || lines != 1)) "$point: exit 0 and one line on stdout"
        [ "$STATUS" -eq 0 ] || diag "status $STATUS, stderr '$ERR'"
        check "$point: the figures make sense" jq -e '.workload == "convoy" and .units == 50
            and .round_trips_per_s > 0 and .latency_p50_us > 0
            and .latency_p99_us >= .latency_p50_us' <<<"$OUT"
        # Each round trip takes server_us at least.  And the start gate: every
        # CPU-bound worker was running before the first round trip and runs
        # until the last, so no worker ran for less than the round trips took
        # (units / round_trips_per_s, over the I/O worker's own clock).
        check "$point: every worker ran through all the round trips, each 1 ms at least" \
            jq -e '.params.server_us == 1000 and .latency_p50_us >= 1000
                   and .worker_seconds_min >= .units / .round_trips_per_s' <<<"$OUT"
        printf '%s\n' "$OUT" >>"$TEST_TMP/runs.jsonl"
        check "$point: no process of the run is left (echo process included)" no_tagged_process
    done
done
check "the checksum is the same in every mode and for every worker count" \
    test "$(jq -r .checksum "$TEST_TMP/runs.jsonl" | sort -u | wc -l)" -eq 1
# With an echo that answers at once, 20 round trips take a fraction of a
# millisecond: without the gate a CPU-bound worker created or forked a little
# late would start after them (and, without the GIL, after some of them).
for mode in gil threads procs; do
    late=0
    for i in $(seq 10); do
        run_capture env "$tag" "$GILBENCH" run --workload convoy --mode "$mode" --workers 3 \
            --units 20 --param server_us=0
        jq -e '.worker_seconds_min >= .units / .round_trips_per_s' <<<"$OUT" >/dev/null ||
            late=$((late + 1))
    done
    ok $((late != 0)) "$mode, server_us=0: in 10 of 10 runs every CPU-bound worker ran before the first round trip and after the last"
done

# ---- the convoy, in every run ----
# The CPU-bound worker takes the GIL while the I/O worker waits for its
# reply (the server's 1 ms leaves it ample time to wake); the I/O worker
# comes back to a held lock and waits for the interval to run out.  So every
# round trip costs the server's time plus about one interval, in every run:
# none may depend on which worker happened to start first.  --units 20: the
# fewer the round trips, the likelier the I/O worker finishes before a late
# CPU-bound worker runs, which the start gate must prevent.
p50s=""
convoyed=0
for i in $(seq 20); do
    run_capture env "$tag" "$GILBENCH" run --workload convoy --mode gil --workers 2 --units 20
    p50=$(jq -r '.latency_p50_us // 0' <<<"$OUT" 2>/dev/null)
    p50s="$p50s ${p50%.*}"
    if [ "$STATUS" -eq 0 ] && jq -e '.switch_interval_us == 5000 and .latency_p50_us >= 2500' \
        <<<"$OUT" >/dev/null; then
        convoyed=$((convoyed + 1))
    fi
done
ok $((convoyed != 20)) "gil, 2 workers: in every one of 20 runs the round trip's p50 is at least half an interval (2500 us)"
diag "p50 of the 20 runs, us:$p50s"
run_capture env "$tag" "$GILBENCH" run --workload convoy --mode threads --workers 2 --units 20
check "threads, 2 workers: no GIL, the p50 is the server's 1 ms, far below it (under 1500 us)" \
    jq -e '.latency_p50_us >= 1000 and .latency_p50_us < 1500' <<<"$OUT"
threads_p50=$(jq -r '.latency_p50_us // 0' <<<"$OUT" 2>/dev/null)
diag "threads p50: $threads_p50 us"
run_capture env "$tag" "$GILBENCH" run --workload convoy --mode gil --workers 1
check "the default work: the I/O worker alone runs for 100 ms at least" \
    jq -e '.units == 100 and .worker_seconds_max >= 0.1' <<<"$OUT"
run_capture env "$tag" "$GILBENCH" run --workload convoy --mode threads --workers 1 --units 20 \
    --param server_us=0
# Against the 1 ms server just measured, not a fixed time: a loaded machine
# slows both round trips alike.
check "server_us=0: the echo answers at once (its p50 below the 1 ms server's)" \
    jq -e --argjson slow "${threads_p50:-0}" '.params.server_us == 0 and .latency_p50_us < $slow' <<<"$OUT"

# ---- the echo process while a run goes on, and after its engine is killed ----
for mode in gil procs; do
    # Far more round trips than it can make before the kill; --timeout in
    # case the kill below never happens.
    env "$tag" "$GILBENCH" run --workload convoy --mode "$mode" --workers 3 \
        --units 10000000 --timeout 60 >/dev/null 2>&1 &
    engine=$!
    if wait_for 10 echo_process_runs; then
        ok 0 "$mode: the echo process runs during the run (the check below can see it)"
        peer=$(echo_pid)
        check "$mode: the echo process is the engine's child" \
            test "$(ps -o ppid= -p "$peer" | tr -d ' ')" = "$engine"
        # In procs mode the workers have a group of their own.
        check "$mode: the echo process is in the engine's process group, not the workers'" \
            test "$(ps -o pgid= -p "$peer" | tr -d ' ')" = "$(ps -o pgid= -p "$engine" | tr -d ' ')"
    else
        ok 1 "$mode: the echo process runs during the run (the check below can see it)"
    fi
    kill -KILL "$engine"
    wait "$engine" 2>/dev/null
    check "$mode: a killed engine leaves no process behind (echo process included)" \
        wait_for 10 no_tagged_process
done

# ---- bad settings ----
# expect_refused DESCRIPTION STATUS PATTERN ARGS...: exits with STATUS, nothing
# on stdout, one line on stderr matching PATTERN, no process left.
expect_refused() {
    local description=$1 status=$2 pattern=$3
    shift 3
    run_capture env "$tag" "$GILBENCH" run --workload convoy "$@"
    lines=$(printf '%s\n' "$ERR" | grep -c .)
    if [ "$STATUS" -eq "$status" ] && [ -z "$OUT" ] && [ "$lines" -eq 1 ] &&
        printf '%s' "$ERR" | grep -q -- "$pattern" && no_tagged_process; then
        ok 0 "refused: $description"
    else
        ok 1 "refused: $description"
        diag "status $STATUS, stdout '$OUT', stderr '$ERR'"
    fi
}
expect_refused "a setting convoy does not have" 2 "no setting 'n'.*accepted: server_us" \
    --mode gil --param n=1
expect_refused "server_us above 1 s" 2 "server_us '1000001'.*0 to 1000000" \
    --mode gil --param server_us=1000001
expect_refused "a switch interval of 0" 2 "'0'.*1 to 1000000" \
    --mode gil --switch-interval-us 0
expect_refused "0 workers" 2 "'0'.*1 to 4096" --mode threads --workers 0
expect_refused "--weak (one worker makes all the round trips)" 1 "^gilbench: convoy: --weak" \
    --mode procs --workers 2 --units 10 --weak

run_capture "$GILBENCH" list
check "list shows convoy as an extra workload" grep -q '^convoy .*\[extra' <<<"$OUT"
run_capture "$GILBENCH" list --default
ok $((STATUS != 0 || $(grep -c '^convoy ' <<<"$OUT") != 0 || $(grep -c . <<<"$OUT") == 0)) \
    "convoy is not in the default sweep (list --default)"

done_testing
