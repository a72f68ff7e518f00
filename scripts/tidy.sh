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

# The points that ran to the end, in sweep order.
good=()
for id in $points; do
    grep -qxF "$id" <<<"$failed" && continue
    [ -s "$run_dir/raw/$id.jsonl" ] && [ -s "$run_dir/hyperfine/$id.json" ] && good+=("$id")
done

measured=$run_dir/measured.jsonl.tmp
if [ ${#good[@]} -eq 0 ]; then
    : > "$measured"
else
    hyperfine_files=() raw_files=()
    for id in "${good[@]}"; do
        hyperfine_files+=("$run_dir/hyperfine/$id.json")
        raw_files+=("$run_dir/raw/$id.jsonl")
    done
    # hyperfine's whole-process median per point, by point id.
    process=$(jq -n '[inputs | {key: (input_filename | split("/") | last | rtrimstr(".json")),
                                value: .results[0].median}] | from_entries' \
        "${hyperfine_files[@]}") || die "cannot read hyperfine's results in $run_dir/hyperfine"
    # Every measured run (warm-up runs are the first lines of each file),
    # numbered from 1, with its point's process median.
    jq -c -n --argjson warmup "$warmup" --argjson process "$process" '
        foreach inputs as $line ({file: null, index: -1};
            if input_filename == .file then .index += 1 else {file: input_filename, index: 0} end;
            select(.index >= $warmup)
            | (.file | split("/") | last | rtrimstr(".jsonl")) as $id
            | $line + {run: (.index - $warmup + 1), process_median_s: $process[$id]})' \
        "${raw_files[@]}" > "$measured" || die "cannot read the runs in $run_dir/raw"
fi

columns='workload mode workers seconds startup_seconds worker_seconds_min worker_seconds_max
cpu_user_seconds cpu_sys_seconds max_rss_kib checksum switch_interval_us gil_switches
gil_wait_seconds gil_hold_seconds gil_drop_requests run process_median_s'
csv_fields=$(for c in $columns; do printf '.%s, ' "$c"; done)
{
    echo $columns | tr ' ' ','
    jq -r "[${csv_fields%, }] | @csv" "$measured"
} | write_atomically "$run_dir/runs.csv"

jq -r '[.workload, .mode, .workers, .seconds, .max_rss_kib, .gil_switches, .gil_wait_seconds,
        .startup_seconds] | @tsv' "$measured" | write_atomically "$run_dir/runs.tsv"

jq -r 'select(.run == 1) | [.workload, .mode, .workers, .process_median_s] | @tsv' "$measured" |
    write_atomically "$run_dir/processes.tsv"
rm -f "$measured"
