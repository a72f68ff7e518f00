#!/bin/bash
# memory_ipc.t - the two studies of what processes cost beyond CPU time:
# shared_input (memory: a shared input stays shared under threads and under
# fork until it is written) and ipc (moving a task's payload to a worker
# through the engine's pool: a pointer for threads, a pipe for processes).
# Every mode with 1 and 3 workers runs and reports its figures (ipc under
# --dispatch pool, its payload built, moved and checked by the pool, and
# refused under shares); copy-on-write shows in the Pss of a forked run;
# bad settings are refused; a worker killed in the middle of a pipe transfer
# fails the run naming itself instead of hanging it; no worker process is
# left behind.  No timing is asserted: only what the kernel and the
# checksums decide.
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

        gilbench_run --workload ipc --mode "$mode" --workers "$workers" --units 6 \
            --param payload_kib=64 --dispatch pool
        check "ipc $mode $workers workers, pool: exit 0 (every payload checked, every task once)" \
            test "$STATUS" -eq 0
        [ "$STATUS" -eq 0 ] || diag "$ERR"
        check "  6 tasks of 64 KiB each, nothing back" \
            jq -e '.tasks == 6 and .task_arg_bytes == 65536 and .task_result_bytes == 0' <<<"$OUT"
        # us_per_task = seconds x workers x 10^6 / tasks; mb_per_s = bytes / seconds / 10^6.
        check "  reports us_per_task and mb_per_s, from the run's seconds" \
            jq -e "(.us_per_task / (.seconds * $workers * 1e6 / 6) - 1 | . * . < 1e-10)
                   and (.mb_per_s / (6 * 65536 / .seconds / 1e6) - 1 | . * . < 1e-10)" <<<"$OUT"
    done
done
for workload in shared_input ipc; do
    check "$workload: the same checksum in every mode and worker count" \
        test "$(jq -r "select(.workload == \"$workload\") | .checksum" "$log" | sort -u | wc -l)" -eq 1
done
gilbench_run --workload ipc --mode procs --workers 4 --units 3 --param payload_kib=3 --dispatch pool
check "ipc procs: more workers than tasks is refused (a worker would get no task), exit 2" \
    test "$STATUS" -eq 2 -a "$(grep -c . <<<"$ERR")" -eq 1 && grep -q '1 worker would get no task' <<<"$ERR"
gilbench_run --workload ipc --mode procs --workers 4 --units 4 --param payload_kib=3 --dispatch pool
check "ipc procs: a task a worker, a payload of 3 KiB" test "$STATUS" -eq 0
for mode in threads procs; do
    gilbench_run --workload ipc --mode $mode --workers 2 --units 10 --param payload_kib=4096 \
        --dispatch pool --chunksize 3 --task-result-kib 5
    check "ipc $mode: 4 MiB payloads in 4 tasks of 3 units, 5 KiB back: every byte counted" \
        jq -e '.tasks == 4 and .task_arg_bytes == 4194304 and .task_result_bytes == 5120
               and (.mb_per_s / (4 * (4194304 + 5120) / .seconds / 1e6) - 1 | . * . < 1e-10)' <<<"$OUT"
done

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
refused "payload_kib=0" 2 "--param payload_kib '0'" --workload ipc --mode procs --param payload_kib=0 \
    --dispatch pool
refused "payload_kib above 64 MiB" 2 "--param payload_kib '65537'" \
    --workload ipc --mode gil --param payload_kib=65537 --dispatch pool
for mode in gil threads procs; do
    refused "ipc under --dispatch shares ($mode): nothing would move" 2 \
        "^gilbench: workload ipc moves task payloads.*run it with --dispatch pool$" --workload ipc --mode $mode --workers 2
done
refused "ipc under --dispatch shares, in a dry run too" 2 \
    "^gilbench: workload ipc moves task payloads" --workload ipc --mode threads --dry-run
refused "ipc --weak (the pool has one queue)" 2 "^gilbench: --weak does not apply to --dispatch pool" \
    --workload ipc --mode threads --workers 2 --weak --dispatch pool
refused "size_mib=0" 2 "--param size_mib '0'" --workload shared_input --mode gil --param size_mib=0
refused "write=2" 2 "--param write '2'" --workload shared_input --mode gil --param write=2

# ---- a worker killed in the middle of a transfer ----
# The feeder may be blocked writing to it: the run must still end, with the
# worker named, well before its --timeout (kill_worker_during: tests/lib.sh).
kill_worker_during "ipc procs, pool: worker 1 killed in a transfer" --append-json "$log" \
    --workload ipc --mode procs --workers 2 --units 1000000 --param payload_kib=256 --dispatch pool

# ---- no worker process is left ----
check "no process of the runs is left" no_process_left "$TEST_TMP"

done_testing
