#!/bin/bash
# after_work.t - the engine's after_work hook (bench/engine/workload.h), through the
# test-only workload after_work_probe: in every mode it runs once in every
# worker, its figures come back (in the procs mode from the worker
# processes, so it ran before they exited), and the timed region leaves out
# its 500 ms sleep while the whole run still waits for it.  shared_input
# reads its procs-mode Pss there.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

probe=${GILBENCH_TEST:-build/gilbench-test}
for mode in gil threads procs; do
    for workers in 1 3; do
        point="$mode, $workers worker(s)"
        began=$(date +%s%N)
        run_capture "$probe" run --workload after_work_probe --mode "$mode" --workers "$workers"
        took_ms=$((($(date +%s%N) - began) / 1000000))
        check "$point: exit 0" test "$STATUS" -eq 0
        [ "$STATUS" -eq 0 ] || diag "$ERR"
        if [ "$mode" = procs ]; then others=$workers; else others=0; fi
        check "$point: after_work ran in every worker (in the worker processes: $others)" \
            jq -e ".after_work_calls == $workers and .after_work_in_other_processes == $others" <<<"$OUT"
        check "$point: the timed region leaves out its 500 ms (seconds < 0.25)" \
            jq -e '.seconds < 0.25' <<<"$OUT"
        [ "$STATUS" -eq 0 ] && diag "seconds $(jq -r .seconds <<<"$OUT"), whole process ${took_ms} ms"
        check "$point: the run itself waited for it (the process took 500 ms or more)" \
            test "$took_ms" -ge 500
    done
done

done_testing
