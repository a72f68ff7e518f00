#!/bin/bash
# tidy.sh - turns a run folder's raw files into its tidy data:
#   runs.csv       one row per measured run (warm-up runs dropped), every
#                  field of the engine's JSON line that all workloads share
#   figures.csv    the workloads' own figures (gflops, latency_p99_us, ...):
#                  one row per point and figure, with median, min and max
#                  (names are plain tokens, so fields are not quoted)
#   runs.tsv       the columns `gilbench summarize --runs` reads
#   processes.tsv  hyperfine's whole-process median per point (over all its
#                  calls: one per round, hyperfine/<id>.<call>.json)
# runs.tsv also carries, per run, the noise bench.sh measured around its
# call (noise.tsv: CPU ticks of other processes and of the hypervisor, all
# ticks of all CPUs, the clock): the k-th measured run of a point is its k-th call's only run.
# A point listed in failures.tsv keeps the runs it measured before the one
# that failed (a point gets no call after a failed one): they stay in
# runs.csv, marked point_failed=true, and nothing else comes from them (no
# summary row, figure or plot point).  The points and their order come from
# plan.tsv.
# Usage: tidy.sh RUN_DIR WARMUP
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
run_dir=$1 warmup=$2

failed=$(awk -F'\t' '{print $1 "\t" $2 "\t" $3 "\t" $4}' "$run_dir/failures.tsv" 2>/dev/null || true)

# The points that ran to the end, in plan order, as "id<tab>variant" ("-"
# for no variant, as in plan.tsv: gnuplot misreads an empty last CSV field).
good=()
while IFS=$'\t' read -r workload variant mode n; do
    point_failed=false
    ! grep -qxF "$workload"$'\t'"$variant"$'\t'"$mode"$'\t'"$n" <<<"$failed" || point_failed=true
    id="$(point_label "$workload" "$variant").$mode.$n"
    [ -s "$run_dir/raw/$id.jsonl" ] && compgen -G "$run_dir/hyperfine/$id.[0-9]*.json" >/dev/null &&
        good+=("$id"$'\t'"$variant"$'\t'"$point_failed")
done < "$run_dir/plan.tsv"

measured=$run_dir/measured.jsonl.tmp
# The per-point tables go to jq as files (--slurpfile): as arguments they
# would outgrow the kernel's limit on one argument (128 KiB) on large sweeps.
tables=$run_dir/tables.json.tmp
trap 'rm -f "$measured" "$tables".*' EXIT
if [ ${#good[@]} -eq 0 ]; then
    : > "$measured"
else
    hyperfine_files=() raw_files=()
    for entry in "${good[@]}"; do
        id=${entry%%$'\t'*}
        hyperfine_files+=("$run_dir"/hyperfine/"$id".[0-9]*.json)
        raw_files+=("$run_dir/raw/$id.jsonl")
    done
    # Each point's variant, by id, in one pass.
    printf '%s\n' "${good[@]}" |
        jq -R -n '[inputs | split("\t") | {key: .[0], value: {variant: .[1], failed: (.[2] == "true")}}]
            | from_entries' > "$tables.variants" || die "cannot write $tables.variants"
    # hyperfine's whole-process median per point over all its calls, by id.
    jq -n 'def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                                        else (.[length / 2 - 1] + .[length / 2]) / 2 end;
        [inputs | {id: (input_filename | split("/") | last | sub("\\.[0-9]+\\.json$"; "")),
                   times: .results[0].times}]
        | group_by(.id) | map({key: .[0].id, value: (map(.times[]) | median)}) | from_entries' \
        "${hyperfine_files[@]}" > "$tables.process" || die "cannot read hyperfine's results in $run_dir/hyperfine"
    # The noise around each call, per point in call order.
    jq -R -n '[inputs | split("\t") | select(length >= 5)
        | {id: .[0], other: .[1], steal: .[2], all: .[3], mhz: .[4]}] | group_by(.id)
        | map({key: .[0].id, value: .}) | from_entries' "$run_dir/noise.tsv" > "$tables.noise" 2>/dev/null ||
        echo '{}' > "$tables.noise"
    # Every measured run (warm-up runs are the first lines of each file),
    # numbered from 1, with its point's variant and process median.
    jq -c -n --argjson warmup "$warmup" --slurpfile process "$tables.process" \
        --slurpfile variants "$tables.variants" --slurpfile noise "$tables.noise" '
        ($process[0]) as $process | ($variants[0]) as $variants | ($noise[0]) as $noise
        | foreach inputs as $line ({file: null, index: -1};
            if input_filename == .file then .index += 1 else {file: input_filename, index: 0} end;
            select(.index >= $warmup)
            | (.file | split("/") | last | rtrimstr(".jsonl")) as $id
            | (.index - $warmup) as $k
            # The mode as the plan names the way (threads+pool), from the id
            # label.mode.workers: the engine says only "threads".
            | $line + {variant: $variants[$id].variant, point_failed: $variants[$id].failed,
                       mode: ($id | split(".") | .[-2]), run: ($k + 1),
                       process_median_s: $process[$id],
                       other_cpu_ticks: ($noise[$id][$k].other // "-"), steal_ticks: ($noise[$id][$k].steal // "-"),
                       all_cpu_ticks: ($noise[$id][$k].all // "-"), cpu_mhz: ($noise[$id][$k].mhz // "-")})' \
        "${raw_files[@]}" > "$measured" || die "cannot read the runs in $run_dir/raw"
fi

common='workload variant mode workers seconds startup_seconds worker_seconds_min worker_seconds_max
worker_seconds_total cpu_user_seconds cpu_sys_seconds involuntary_switches max_rss_kib checksum
switch_interval_us gil_switches gil_wait_seconds gil_hold_seconds gil_drop_requests run
process_median_s other_cpu_ticks steal_ticks all_cpu_ticks cpu_mhz setup_seconds check_seconds point_failed'
csv_fields=$(for c in $common; do printf '.%s, ' "$c"; done)
{
    echo $common | tr ' ' ','
    jq -r "[${csv_fields%, }] | @csv" "$measured"
} | write_atomically "$run_dir/runs.csv"

# The fields that are not common to all workloads are the workloads' figures.
common_json=$(printf '%s\n' $common units weak params ranks hosts dispatch chunksize tasks \
    task_arg_bytes task_result_bytes | jq -R . | jq -sc .)
{
    echo workload,variant,mode,workers,figure,runs,median,min,max
    jq -rs --argjson common "$common_json" '
        def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                           else (.[length / 2 - 1] + .[length / 2]) / 2 end;
        [.[] | . as $run | to_entries[] | select(.key as $k | $common | index($k) | not)
             | select(.value | type == "number")
             | {point: [$run.workload, $run.variant, $run.mode, $run.workers], figure: .key, value}]
        | group_by([.point, .figure])[]
        | map(.value) as $values
        | .[0].point + [.[0].figure, ($values | length), ($values | median),
                        ($values | min), ($values | max)]
        | map(tostring) | join(",")' <(jq -c 'select(.point_failed | not)' "$measured")
} | write_atomically "$run_dir/figures.csv"

# A figure a run could not measure (null: CPython keeps no GIL counters) is "-".
jq -r '[.workload, .variant, .mode, .workers, .seconds, .max_rss_kib, (.gil_switches // "-"),
        (.gil_wait_seconds // "-"), .startup_seconds, (.worker_seconds_total // "-"),
        (if .cpu_user_seconds and .cpu_sys_seconds then .cpu_user_seconds + .cpu_sys_seconds else "-" end),
        .other_cpu_ticks, .steal_ticks, .all_cpu_ticks, (.involuntary_switches // "-"), .cpu_mhz] | @tsv' \
    <(jq -c 'select(.point_failed | not)' "$measured") | write_atomically "$run_dir/runs.tsv"

jq -r 'select(.run == 1 and (.point_failed | not)) | [.workload, .variant, .mode, .workers, .process_median_s] | @tsv' \
    "$measured" | write_atomically "$run_dir/processes.tsv"
