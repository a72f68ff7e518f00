#!/bin/bash
# bench_smoke.t - a real `make bench QUICK=1 WORKLOADS=cpu_loop` into a
# temporary results folder: every expected point has its row, the run is
# complete, results/latest points at it, and every file of the layout is
# there.  Runs with the plain build only (make bench builds build/gilbench).
# The sweep runs with no OPENBLAS_* variable in its environment, as on most
# machines (cpu_loop computes no BLAS, so no BLAS run loses the machine's
# settings), and with OMP_NUM_THREADS=1, which must not change the CPU count.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
skip_unless_plain_build "the sweep"
results="$TEST_TMP/results"
without_openblas=()
for name in $(compgen -e | grep '^OPENBLAS_'); do without_openblas+=(-u "$name"); done
run_capture env "${without_openblas[@]}" OMP_NUM_THREADS=1 make --no-print-directory bench QUICK=1 WORKLOADS=cpu_loop \
    RESULTS_DIR="$results" PLOTS_DIR="$TEST_TMP/plots"
check "make bench QUICK=1 WORKLOADS=cpu_loop succeeds" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$OUT" "$ERR"
latest="$results/latest"
check "results/latest points at a run folder" test -L "$latest" -a -d "$latest"
cpus=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
expected_workers=$(printf '%s\n' 1 "$cpus" $((cpus * 2)) | sort -n -u)
missing=""
for mode in gil threads procs; do
    for n in $expected_workers; do
        awk -F, -v m="$mode" -v n="$n" '$1 == "cpu_loop" && $2 == m && $3 == n && $4 >= 4 && $4 <= 8 { f = 1 }
            END { exit !f }' "$latest/summary.csv" || missing="$missing $mode/$n"
    done
done
ok $([ -z "$missing" ]; echo $?) "summary.csv has a row of 4 to 8 runs (RUNS to MAX_RUNS) for every mode and worker count${missing:+ (missing:$missing)}"
check "summary.csv has no other rows" \
    test "$(tail -n +2 "$latest/summary.csv" | wc -l)" -eq $((3 * $(echo "$expected_workers" | wc -l)))
check "meta.json says the run is complete" jq -e '.complete == true and .failed_points == 0' "$latest/meta.json"
check "meta.json records the machine and tools" \
    jq -e '.cpus_usable > 0 and (.openblas_config | length > 0) and (.hyperfine_version | length > 0)
           and (.gnuplot_version | length > 0) and (.loadavg_before | length == 3)' "$latest/meta.json"
check "meta.json records no OPENBLAS_* variable, and the usable CPUs ($cpus)" \
    jq -e --argjson cpus "$cpus" '.openblas_environment == {} and .cpus_usable == $cpus' "$latest/meta.json"
check "meta.json records the command line" jq -e '.command | test("make bench .*QUICK=1")' "$latest/meta.json"
measured=$(tail -n +2 "$latest/summary.csv" | awk -F, '{ n += $4 } END { print n }')
check "runs.csv has one row per measured run ($measured)" \
    test "$(tail -n +2 "$latest/runs.csv" | wc -l)" -eq "$measured"
check "hyperfine's JSON is kept for every call (one run each)" \
    test "$(ls "$latest/hyperfine" | wc -l)" -eq "$measured"
check "schedule.tsv records every call in order, with its round" \
    test "$(tail -n +2 "$latest/schedule.tsv" | wc -l)" -eq "$measured" -a \
        "$(tail -n +2 "$latest/schedule.tsv" | cut -f1 | sort -n | uniq | wc -l)" -eq "$(jq .rounds "$latest/meta.json")"
check "every round but the last takes every point still measured, each once" \
    test -z "$(tail -n +2 "$latest/schedule.tsv" | awk -F'\t' '{ k = $1 SUBSEP $3 SUBSEP $5 SUBSEP $6; if (seen[k]++) print "twice: " $0 }')"
first_round=$(awk -F'\t' '$1 == 1 { print $5 "." $6 }' "$latest/schedule.tsv" | paste -sd' ' -)
second_round=$(awk -F'\t' '$1 == 2 { print $5 "." $6 }' "$latest/schedule.tsv" | paste -sd' ' -)
check "  in an order shuffled afresh per round" test "$first_round" != "$second_round"
check "meta.json records the seed, the precision asked and the rounds" \
    jq -e '(.settings.seed | type == "number") and .settings.precision_pct == 3 and .rounds >= 4' "$latest/meta.json"
check "summary.csv has a 95 % interval around every speedup of more than 1 worker" \
    test -z "$(tail -n +2 "$latest/summary.csv" | awk -F, '$3 > 1 && !($10 <= $9 && $9 <= $11)')"
check "the terminal ends with the answer" grep -q '^  cpu_loop at [0-9]* workers ([0-9]* usable CPUs): ' <<<"$OUT"
check "  which answer.txt keeps" test -s "$latest/answer.txt"
check "  each line saying whether it is decided, a tie or undecided" \
    test -z "$(grep -vE ' \[(decided|a tie within ±5 %|undecided: about [0-9]+ more runs \([0-9]+ (s|min)\) would decide it)\]$' "$latest/answer.txt")"
check "decision.txt says it in words, a sentence per answer line" \
    test "$(grep -c ' on this machine at [0-9]* workers: ' "$latest/decision.txt")" -eq "$(wc -l < "$latest/answer.txt")"
check "meta.json records the resolution of a tie" jq -e '.settings.resolution_pct == 5' "$latest/meta.json"
check "process_median_s is filled" \
    test -z "$(tail -n +2 "$latest/summary.csv" | awk -F, '$14 == ""')"
for plot in cpu_loop overview efficiency gil_wait; do
    check "plot $plot.png is drawn" test -s "$latest/plots/$plot.png"
done
check "the terminal shows a line per round" grep -q '^\[round 1\] [0-9]* points in .*; [0-9]* deciding an answer, ' <<<"$OUT"
check "the terminal shows the speedup table" grep -q '^workload *mode *workers' <<<"$OUT"

# A large sweep's tables (noise around 4000 calls, some 250 KiB) are more
# than one command-line argument may hold: sweep tidy still writes the same rows.
copy=$TEST_TMP/copy
cp -r "$(readlink -f "$latest")" "$copy"
awk 'BEGIN { for (i = 0; i < 4000; i++) printf "padding.gil.%d\t123456\t0\t9876543210\t2994.123\n", i }' >> "$copy/noise.tsv"
run_capture python3 scripts/sweep tidy "$copy" "$(jq -r '.settings.warmup // 1' "$latest/meta.json")"
check "sweep tidy reads a noise table larger than an argument may be" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
check "... and writes the same runs" cmp -s "$latest/runs.tsv" "$copy/runs.tsv"

done_testing
