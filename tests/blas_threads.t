#!/bin/bash
# blas_threads.t - `gilbench peak` and the blas_threads workload.
#
# peak prints one JSON line with a positive single-core figure and refuses
# any argument; blas_threads runs correctly (exit 0, so the checksums
# matched) in every mode with 1 and 2 callers and 1 and 2 OpenBLAS threads
# each, and reports GFLOP/s and the OpenBLAS thread count in effect.  Speed
# is not asserted: the machine may be shared and noisy.  n = 128 is above
# the size (n = 64) below which OpenBLAS ignores its thread count, so two
# threads really run.
#
# Failures are one line naming the cause, exit 1 and no checksum line (the
# engine's "wrong result" would be a second line, and the wrong cause): a
# thread count above OpenBLAS's MAX_THREADS, which OpenBLAS clamps, in setup()
# (gil, threads) and in each worker process (procs); no memory for a worker's
# product matrix (bench/kit/dgemm_units.c, blas_dgemm's and blas_threads'),
# under ulimit -v, which a sanitizer build cannot start under (skipped there).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

run_capture "$GILBENCH" peak
check "peak: exit 0" test "$STATUS" -eq 0
check "peak: one JSON line with a positive single-core figure" jq -e \
    '.fma_gflops_single_core > 0 and (.vector_width_doubles == 4 or .vector_width_doubles == 1)
     and (.method == "avx2-fma" or .method == "scalar")' <<<"$OUT"
check "peak: exactly one line" test "$(printf '%s\n' "$OUT" | grep -c .)" -eq 1

run_capture "$GILBENCH" peak extra
ok $(( STATUS != 2 )) "peak: an argument is refused with exit 2"
check "peak: ... with one line on stderr and nothing on stdout" \
    test -z "$OUT" -a "$(printf '%s\n' "$ERR" | grep -c .)" -eq 1

for mode in gil threads procs; do
    for workers in 1 2; do
        for threads in 1 2; do
            run_capture "$GILBENCH" run --workload blas_threads --mode "$mode" \
                --workers "$workers" --units 8 --param n=128 --param blas_threads="$threads"
            what="$mode, $workers workers, blas_threads=$threads"
            if [ "$STATUS" -eq 0 ] && jq -e ".gflops > 0 and .blas_threads == $threads and
                    .params.blas_threads == $threads and .workers == $workers" \
                    <<<"$OUT" >/dev/null; then
                ok 0 "$what: correct, GFLOP/s and the thread count reported"
            else
                ok 1 "$what: correct, GFLOP/s and the thread count reported"
                diag "status $STATUS, stdout '$OUT', stderr '$ERR'"
            fi
        done
    done
done

run_capture "$GILBENCH" run --workload blas_threads --mode threads --param blas_threads=0
ok $(( STATUS != 2 )) "blas_threads=0 is refused with exit 2"
check "... naming the setting" grep -q "blas_threads '0'" <<<"$ERR"

# failed_in_lines DESCRIPTION PATTERN...: the run ($STATUS, $OUT, $ERR)
# failed as a workload's failure should: exit 1, nothing on stdout, one
# line on stderr per PATTERN (extended regular expressions) matching it,
# and no checksum line; the run's output is shown when it did not.
failed_in_lines() {
    local description=$1 pattern
    shift
    local good=0
    [ "$STATUS" -eq 1 ] && [ -z "$OUT" ] && [ "$(grep -c . <<<"$ERR")" -eq $# ] &&
        ! grep -q 'wrong result' <<<"$ERR" || good=1
    for pattern in "$@"; do grep -qE "$pattern" <<<"$ERR" || good=1; done
    ok "$good" "$description"
    [ "$good" -eq 0 ] || diag "status $STATUS, stdout '$OUT', stderr '$ERR'"
}

# ---- a thread count that OpenBLAS clamps ----
max=$("$GILBENCH" info | jq -r .openblas_config | sed -n 's/.*MAX_THREADS=\([0-9]*\).*/\1/p')
if [ -n "$max" ] && [ "$max" -lt 256 ]; then
    over=$((max + 1))
    clamp="OpenBLAS gives $max threads when asked for $over \\(its configuration: .*MAX_THREADS=$max"
    clamped() { # clamped MODE WORKERS
        run_capture "$GILBENCH" run --workload blas_threads --mode "$1" --workers "$2" --units 4 --param n=16 \
            --param blas_threads="$over"
    }
    clamped threads 2
    failed_in_lines "threads, blas_threads=$over (above MAX_THREADS): setup fails the run in one line naming the clamp" \
        "^gilbench: blas_threads: $clamp"
    clamped procs 1
    failed_in_lines "procs, blas_threads=$over (above MAX_THREADS): the worker fails the run in one line naming the clamp" \
        "^gilbench: blas_threads: worker 0: $clamp"
    # Two worker processes: each finds the clamp in its own OpenBLAS and
    # says so in its line; still no checksum line.
    clamped procs 2
    failed_in_lines "procs, 2 workers, blas_threads=$over: one line from each worker naming the clamp, nothing else" \
        "^gilbench: blas_threads: worker 0: $clamp" "^gilbench: blas_threads: worker 1: $clamp"
else
    ok 0 "# skip the clamped thread count: no MAX_THREADS below 256 in OpenBLAS's configuration"
fi

# ---- no memory for a worker's product matrix ----
# At n = 4096 setup() makes two 128 MiB inputs and each worker a 128 MiB
# product.  Measured with OpenBLAS 0.3.21 on Debian 12 (gil mode): below
# about 310000 KiB of address space the worker thread cannot be made, from
# about 520000 KiB the product fits; ulimit -v 400000 sits between the two.
if [ "$("$GILBENCH" info | jq -r '.build_flags | test("-fsanitize=")')" = true ]; then
    ok 0 "# skip a worker out of memory: a sanitizer build cannot start under ulimit -v"
else
    for point in blas_dgemm:gil blas_threads:procs; do
        workload=${point%:*} mode=${point#*:}
        run_capture bash -c 'ulimit -v 400000 && exec "$@"' - "$GILBENCH" run --workload "$workload" \
            --mode "$mode" --workers 1 --units 2 --param n=4096
        failed_in_lines "$workload, $mode: a worker without memory for its product matrix fails the run in one line saying so" \
            "^gilbench: $workload: worker 0: out of memory for its 4096x4096 product matrix\$"
    done
fi

run_capture "$GILBENCH" list
check "list marks blas_threads as extra" grep -q '^blas_threads .*\[extra' <<<"$OUT"

done_testing
