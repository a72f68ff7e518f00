#!/bin/bash
# tidy.sh - turns a run folder's raw files into its tidy data:
#   runs.csv       one row per measured run (warm-up runs dropped), every
#                  field of the engine's JSON line that all workloads share
#   runs.tsv       the columns `gilbench summarize --runs` reads
#   processes.tsv  hyperfine's whole-process median per point
# Points listed in failures.tsv are left out entirely.
# Usage: tidy.sh RUN_DIR WARMUP
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
run_dir=$1 warmup=$2

# Sweep order comes from meta.json, so the files list points as they ran.
points=$(jq -r '.settings as $s | $s.workloads[] as $w | $s.modes[] as $m | $s.workers[]
                | "\($w).\($m).\(.)"' "$run_dir/meta.json")
failed=$(awk -F'\t' '{print $1 "." $2 "." $3}' "$run_dir/failures.tsv" 2>/dev/null || true)

# The measured runs of every point that did not fail: jq FILTER applied to
# each run's JSON line, with $run (1, 2, ...) and $process (hyperfine's
# median for the point) defined.
measured_runs() {
    local filter=$1 id process
    for id in $points; do
        grep -qxF "$id" <<<"$failed" && continue
        [ -s "$run_dir/raw/$id.jsonl" ] || continue
        process=$(jq -r '.results[0].median' "$run_dir/hyperfine/$id.json")
        jq -rs --argjson warmup "$warmup" --argjson process "$process" \
            ".[\$warmup:] | to_entries[] | .key as \$i | (\$i + 1) as \$run | .value | $filter" \
            "$run_dir/raw/$id.jsonl"
    done
}

columns='workload mode workers seconds startup_seconds worker_seconds_min worker_seconds_max
cpu_user_seconds cpu_sys_seconds max_rss_kib checksum switch_interval_us gil_switches
gil_wait_seconds gil_hold_seconds gil_drop_requests'
csv_fields=$(for c in $columns; do printf '.%s, ' "$c"; done)
{
    echo "$(echo $columns | tr ' ' ','),run,process_median_s"
    measured_runs "[$csv_fields \$run, \$process] | @csv"
} | write_atomically "$run_dir/runs.csv"

measured_runs '[.workload, .mode, .workers, .seconds, .max_rss_kib, .gil_switches,
                .gil_wait_seconds, .startup_seconds] | @tsv' | write_atomically "$run_dir/runs.tsv"

measured_runs 'select($run == 1) | [.workload, .mode, .workers, $process] | @tsv' |
    write_atomically "$run_dir/processes.tsv"
