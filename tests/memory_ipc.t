#!/bin/bash
# memory_ipc.t - the two studies of what processes cost beyond CPU time:
# shared_input (memory: a shared input stays shared under threads and under
# fork until it is written) and ipc (moving a payload to a worker: a pointer
# for threads, a pipe for processes).  Every mode with 1 and 3 workers runs
# and reports its figures; copy-on-write shows in the Pss of a forked run;
# bad settings are refused; a worker killed in the middle of a pipe transfer
# fails the run instead of hanging it; no worker process is left behind.
# No timing is asserted: only what the kernel and the checksums decide.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

# Every run names $TEST_TMP on its command line, which forked workers keep:
# that is how no_process_left finds them.
log="$TEST_TMP/runs.jsonl"
gilbench_run() {
    run_capture "$GILBENCH" run --append-json "$log" "$@"
}

if [ -r /proc/self/smaps_rollup ]; then have_pss=true; else have_pss=false; fi
# pss_ok: the figure is a size, or -1 where the kernel has no smaps_rollup.
if $have_pss; then pss_ok='.pss_total_kib > 0'; else pss_ok='.pss_total_kib == -1'; fi

# ---- every mode, 1 and 3 workers ----
for mode in gil threads procs; do
    for workers in 1 3; do
        gilbench_run --workload shared_input --mode "$mode" --workers "$workers" --units 16 \
            --param size_mib=16
        check "shared_input $mode $workers workers: exit 0" test "$STATUS" -eq 0
        [ "$STATUS" -eq 0 ] || diag "$ERR"
        check "  reports pss_total_kib and rss_peak_total_kib" \
            jq -e "$pss_ok and .rss_peak_total_kib > 0" <<<"$OUT"
        # Pss adds up to each resident page once, however many processes map
        # it, so the total holds at least the 16 MiB input.
        $have_pss && check "  pss_total_kib counts the input once at least" \
            jq -e '.pss_total_kib >= 16384' <<<"$OUT"

        gilbench_run --workload ipc --mode "$mode" --workers "$workers" --units 2 \
            --param payload_kib=64
        check "ipc $mode $workers workers: exit 0" test "$STATUS" -eq 0
        [ "$STATUS" -eq 0 ] || diag "$ERR"
        check "  reports us_per_task and mb_per_s" \
            jq -e '.us_per_task > 0 and .mb_per_s > 0' <<<"$OUT"
    done
done
for workload in shared_input ipc; do
    check "$workload: the same checksum in every mode and worker count" \
        test "$(jq -r "select(.workload == \"$workload\") | .checksum" "$log" | sort -u | wc -l)" -eq 1
done
gilbench_run --workload ipc --mode procs --workers 4 --units 3 --param payload_kib=3
check "ipc procs: more workers than units, a payload of 3 KiB" test "$STATUS" -eq 0
gilbench_run --workload ipc --mode procs --workers 2 --units 2 --weak --param payload_kib=4096
check "ipc procs: --weak, one task per unit" test "$STATUS" -eq 0

# ---- copy-on-write ----
# pss NAME MODE WRITE: pss_total_kib of 3 workers over a 64 MiB input in $NAME.
pss() {
    gilbench_run --workload shared_input --mode "$2" --workers 3 --units 64 \
        --param size_mib=64 --param "write=$3"
    [ "$STATUS" -eq 0 ] || diag "$ERR"
    printf -v "$1" '%s' "$(jq -r '.pss_total_kib // -1' <<<"$OUT" 2>/dev/null || echo -1)"
}
if $have_pss; then
    pss procs_read procs 0
    pss procs_written procs 1
    check "procs: writing to the pages read copies them (Pss $procs_read -> $procs_written kB)" \
        test "$procs_written" -ge $((procs_read + 32768))
    pss threads_read threads 0
    pss threads_written threads 1
    check "threads: writing copies nothing (Pss $threads_read -> $threads_written kB)" \
        test "$threads_written" -lt $((threads_read + 32768))
else
    echo "ok $((TEST_COUNT += 1)) # skip no /proc/self/smaps_rollup: Pss is unknown"
fi

# ---- refused settings ----
# refused DESCRIPTION STATUS PATTERN ARGS...: exit STATUS ("nonzero": any but
# 0), nothing on stdout, one line on stderr matching PATTERN.
refused() {
    local description=$1 expected=$2 pattern=$3
    shift 3
    run_capture "$GILBENCH" run "$@"
    local lines
    lines=$(printf '%s\n' "$ERR" | grep -c .)
    if { [ "$expected" = nonzero ] && [ "$STATUS" -ne 0 ] || [ "$STATUS" = "$expected" ]; } &&
        [ -z "$OUT" ] && [ "$lines" -eq 1 ] && grep -q -- "$pattern" <<<"$ERR"; then
        ok 0 "refused: $description"
    else
        ok 1 "refused: $description"
        diag "status $STATUS, stdout '$OUT', stderr '$ERR'"
    fi
}
refused "--units above size_mib" nonzero "shared_input: --units 65 .*size_mib" \
    --workload shared_input --mode threads --units 65 --param size_mib=64
refused "the default 256 units with size_mib=64" nonzero "shared_input: --units 256 " \
    --workload shared_input --mode procs --param size_mib=64
refused "payload_kib=0" 2 "--param payload_kib '0'" --workload ipc --mode procs --param payload_kib=0
refused "payload_kib above 64 MiB" 2 "--param payload_kib '65537'" \
    --workload ipc --mode gil --param payload_kib=65537
refused "size_mib=0" 2 "--param size_mib '0'" --workload shared_input --mode gil --param size_mib=0
refused "write=2" 2 "--param write '2'" --workload shared_input --mode gil --param write=2

# ---- a worker killed in the middle of a transfer ----
# The feeder may be blocked writing to it: the run must still end, with the
# worker named, well before its --timeout (exit 124 would mean a hang).
"$GILBENCH" run --append-json "$log" --workload ipc --mode procs --workers 2 --units 1000000 \
    --param payload_kib=256 --timeout 60 >/dev/null 2>"$TEST_TMP/killed.err" &
engine=$!
for _ in $(seq 50); do
    victim=$(pgrep -P "$engine" | sed -n 2p)
    [ -n "$victim" ] && break
    sleep 0.1
done
if [ -n "$victim" ]; then
    sleep 0.2
    kill -KILL "$victim"
    wait "$engine" && status=0 || status=$?
    check "ipc procs: a killed worker fails the run (exit 1)" test "$status" -eq 1
    check "  and is named with its signal" \
        grep -q "worker 1 (pid $victim) was killed by signal 9" "$TEST_TMP/killed.err"
    [ "$status" -eq 1 ] || diag "$(cat "$TEST_TMP/killed.err")"
else
    kill "$engine"
    wait "$engine"
    ok 1 "ipc procs: the worker processes of a long run could be found"
fi

# ---- no worker process is left ----
check "no process of the runs is left" no_process_left "$TEST_TMP"

done_testing
