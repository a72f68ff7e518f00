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

run_capture "$GILBENCH" list
check "list marks blas_threads as extra" grep -q '^blas_threads .*\[extra' <<<"$OUT"

done_testing
