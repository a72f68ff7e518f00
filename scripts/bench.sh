#!/bin/bash
# bench.sh - the sweep behind `make bench`: every workload x mode x worker
# count, each point timed by hyperfine, into a new results folder.
#
# Settings come from the environment (the Makefile passes its variables):
#   WORKLOADS            names, comma- or space-separated (default: all)
#   MODES                gil, threads, procs (default: all three)
#   WORKERS              worker counts (default: powers of two from 1 to
#                        max(8, 2 x usable CPUs), plus the usable CPU count)
#   RUNS, WARMUP         hyperfine's --runs and --warmup (default 5 and 1)
#   SWITCH_INTERVAL_US   the gil mode's switch interval (default 5000)
#   QUICK=1              a first look: 3 runs, no warm-up, workers 1, CPUs, 2 x CPUs
#   GILBENCH             the engine binary (default build/gilbench)
#   RESULTS_DIR          where run folders go (default results)
#   PLOTS_DIR            where the latest plots are copied (default plots)
#   GILBENCH_COMMAND     the command line to record in meta.json
#
# What a run folder holds is described in README.md ("Results").
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

GILBENCH=${GILBENCH:-build/gilbench}
RESULTS_DIR=${RESULTS_DIR:-results}
[ -x "$GILBENCH" ] || die "no engine at $GILBENCH; run make first"

# ---- settings, all checked before anything runs ----
usable_cpus=$(nproc)
QUICK=${QUICK:-}
case $QUICK in ""|0|1) ;; *) usage "QUICK='$QUICK' is not accepted; accepted: 0 or 1" ;; esac

default_workers() {
    local limit=$((usable_cpus * 2)) n=1
    [ "$limit" -ge 8 ] || limit=8
    if [ "$QUICK" = 1 ]; then
        printf '%s\n' 1 "$usable_cpus" $((usable_cpus * 2))
    else
        while [ "$n" -le "$limit" ]; do echo "$n"; n=$((n * 2)); done
        echo "$usable_cpus"
    fi | sort -n -u | paste -sd, -
}

all_workloads=$("$GILBENCH" list | awk '{print $1}' | paste -sd, -)
workloads=$(parse_list WORKLOADS "${WORKLOADS:-$all_workloads}" "$all_workloads") || exit 2
modes=$(parse_list MODES "${MODES:-gil,threads,procs}" "gil,threads,procs") || exit 2
workers=$(parse_number_list WORKERS "${WORKERS:-$(default_workers)}" 1 4096) || exit 2
quick_runs=5 quick_warmup=1
[ "$QUICK" = 1 ] && quick_runs=3 quick_warmup=0
runs=$(parse_number RUNS "${RUNS:-$quick_runs}" 1 1000) || exit 2
warmup=$(parse_number WARMUP "${WARMUP:-$quick_warmup}" 0 100) || exit 2
interval=$(parse_number SWITCH_INTERVAL_US "${SWITCH_INTERVAL_US:-5000}" 1 1000000) || exit 2
# Speedups are ratios to the 1-worker time, so 1 is always measured.
case ",$workers," in
    *,1,*) ;;
    *) workers="1,$workers"; note "WORKERS: added 1, the reference of every speedup" ;;
esac

IFS=, read -r -a workload_list <<<"$workloads"
IFS=, read -r -a mode_list <<<"$modes"
IFS=, read -r -a worker_list <<<"$workers"
total=$(( ${#workload_list[@]} * ${#mode_list[@]} * ${#worker_list[@]} ))

# ---- the run folder ----
mkdir -p "$RESULTS_DIR" 2>/dev/null || die "cannot create $RESULTS_DIR"
[ -w "$RESULTS_DIR" ] || die "$RESULTS_DIR is not writable"
run_dir=$(new_run_folder "$RESULTS_DIR") || exit 1
mkdir -p "$run_dir/raw" "$run_dir/hyperfine" "$run_dir/logs" || die "cannot fill $run_dir"

export GILBENCH RUN_DIR=$run_dir
scripts/meta.sh "$run_dir/meta.json" "$workloads" "$modes" "$workers" "$runs" "$warmup" \
    "$interval" "${QUICK:-0}" || die "cannot write $run_dir/meta.json"

echo "gilbench: $total points (${workloads//,/ } x ${modes//,/ } x workers ${workers//,/ }), $runs runs each after $warmup warm-up"
echo "gilbench: results in $run_dir"

# The suite decides the parallelism: one OpenBLAS thread per caller, set
# here so that no timed process has to re-execute itself (see bench/main.c).
export OPENBLAS_NUM_THREADS=1

started=$(date +%s)
index=0 failures=0
: > "$run_dir/failures.tsv"
for workload in "${workload_list[@]}"; do
    for mode in "${mode_list[@]}"; do
        for n in "${worker_list[@]}"; do
            index=$((index + 1))
            id="$workload.$mode.$n"
            printf '[%*d/%d] %-12s %-8s %4d workers ' ${#total} "$index" "$total" "$workload" "$mode" "$n"
            command="$GILBENCH run --workload $workload --mode $mode --workers $n"
            command+=" --switch-interval-us $interval --append-json $run_dir/raw/$id.jsonl"
            command+=" --error-log $run_dir/logs/$id.log"
            if hyperfine -N --style none --warmup "$warmup" --runs "$runs" \
                --command-name "$id" --export-json "$run_dir/hyperfine/$id.json" \
                "$command" 2>>"$run_dir/logs/$id.log"; then
                lines=$(wc -l < "$run_dir/raw/$id.jsonl")
                if [ "$lines" -ne $((warmup + runs)) ]; then
                    reason="expected $((warmup + runs)) result lines, found $lines"
                else
                    reason=""
                fi
            else
                reason=$(failure_reason "$run_dir/logs/$id.log")
            fi
            elapsed=$(( $(date +%s) - started ))
            left=$(( elapsed * (total - index) / index ))
            if [ -n "$reason" ]; then
                failures=$((failures + 1))
                printf '%s\t%s\t%s\t%s\n' "$workload" "$mode" "$n" "$reason" >> "$run_dir/failures.tsv"
                printf 'FAILED: %s' "$reason"
            else
                point_median "$run_dir/raw/$id.jsonl" "$warmup"
            fi
            printf '  [%s elapsed, ~%s left]\n' "$(clock "$elapsed")" "$(clock "$left")"
        done
    done
done

# ---- tidy data, summary, plots ----
scripts/tidy.sh "$run_dir" "$warmup" || die "cannot write the tidy data of $run_dir"
if [ -s "$run_dir/runs.tsv" ]; then
    echo
    "$GILBENCH" summarize --runs "$run_dir/runs.tsv" --processes "$run_dir/processes.tsv" \
        --csv "$run_dir/summary.csv" --table || die "cannot summarise $run_dir"
    scripts/plot.sh "$run_dir" || die "cannot draw the plots of $run_dir"
else
    echo "gilbench: no point succeeded; no summary and no plots" >&2
fi

finish_meta "$run_dir/meta.json" "$started" "$failures" || die "cannot complete $run_dir/meta.json"
ln -sfn "$(basename "$run_dir")" "$RESULTS_DIR/latest.tmp" &&
    mv -T "$RESULTS_DIR/latest.tmp" "$RESULTS_DIR/latest" || die "cannot point $RESULTS_DIR/latest at $run_dir"

echo
echo "gilbench: done in $(clock $(( $(date +%s) - started ))); results in $run_dir (also $RESULTS_DIR/latest), plots in ${PLOTS_DIR:-plots}/"
if [ "$failures" -gt 0 ]; then
    echo "gilbench: $failures of $total points FAILED (no summary row or plot point comes from them):" >&2
    while IFS=$'\t' read -r f_workload f_mode f_workers f_reason; do
        echo "  $f_workload $f_mode $f_workers workers: $f_reason" >&2
    done < "$run_dir/failures.tsv"
    exit 1
fi
