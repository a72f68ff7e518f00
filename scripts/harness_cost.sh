#!/bin/bash
# harness_cost.sh - where a sweep's wall time went: inside the timed
# regions of its runs, or in what surrounds them (the processes' start,
# the workloads' set-up and checks, warm-up runs, the sweep's own work
# between calls, before the rounds and after them).  Writes meta.json's
# "harness" and prints one line.
# Usage: harness_cost.sh RUN_DIR WARMUP SWEEP_STARTED ROUNDS_STARTED ROUNDS_ENDED
# (the three times as `date +%s.%N`; the end is now).
# Only the points this sweep called count (a RERUN's kept points were
# measured by another sweep).  A figure a run did not report counts 0.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

[ $# -eq 5 ] || usage "harness_cost.sh takes RUN_DIR WARMUP SWEEP_STARTED ROUNDS_STARTED ROUNDS_ENDED"
run_dir=$1 warmup=$2 sweep_started=$3 rounds_started=$4 rounds_ended=$5
now=$(date +%s.%N)

# Each called point's calls (seconds summed) from schedule.tsv, and its id.
calls=$(awk -F'\t' 'NR > 1 { label = ($4 == "-" || $4 == "") ? $3 : $3 "@" $4
        id = label "." $5 "." $6; seconds[id] += $8; total += $8 }
    END { printf "%.6f\n", total; for (id in seconds) print id }' "$run_dir/schedule.tsv") || exit 1
calls_s=$(head -n1 <<<"$calls")
files=()
while IFS= read -r id; do
    [ -z "$id" ] || [ ! -f "$run_dir/raw/$id.jsonl" ] || files+=("$run_dir/raw/$id.jsonl")
done < <(tail -n +2 <<<"$calls")
# The regions, set-ups and checks of every run of those points; the first
# WARMUP lines of each file are its warm-up runs.
read -r timed warmup_timed setup check < <(
    if [ ${#files[@]} -gt 0 ]; then
        jq -rn --argjson warmup "$warmup" '
            reduce (inputs | [input_filename, .]) as [$file, $line] ({file: null, index: 0, timed: 0, warm: 0, setup: 0, check: 0};
                (if $file == .file then .index + 1 else 0 end) as $index
                | .file = $file | .index = $index
                | .timed += ($line.seconds // 0)
                | .warm += (if $index < $warmup then ($line.seconds // 0) else 0 end)
                | .setup += ($line.setup_seconds // 0) | .check += ($line.check_seconds // 0))
            | "\(.timed) \(.warm) \(.setup) \(.check)"' "${files[@]}" 2>/dev/null
    fi || echo "0 0 0 0")
[ -n "${check:-}" ] || { timed=0 warmup_timed=0 setup=0 check=0; }

harness=$(jq -n --argjson wall "$(awk -v a="$sweep_started" -v b="$now" 'BEGIN { printf "%.3f", b - a }')" \
    --argjson before "$(awk -v a="$sweep_started" -v b="$rounds_started" 'BEGIN { printf "%.3f", b - a }')" \
    --argjson rounds "$(awk -v a="$rounds_started" -v b="$rounds_ended" 'BEGIN { printf "%.3f", b - a }')" \
    --argjson after "$(awk -v a="$rounds_ended" -v b="$now" 'BEGIN { printf "%.3f", b - a }')" \
    --argjson calls "$calls_s" --argjson timed "$timed" --argjson warm "$warmup_timed" \
    --argjson setup "$setup" --argjson check "$check" '
    def r: . * 1000 | round / 1000;
    # timed: the regions of the measured runs (warm-up runs apart).
    ($timed - $warm) as $measured
    | {wall_s: $wall, timed_s: ($measured | r),
     timed_share: (if $wall > 0 then ($measured / $wall * 1000 | round / 1000) else null end),
     warmup_timed_s: ($warm | r), calls_s: ($calls | r), setup_s: ($setup | r), check_s: ($check | r),
     # In the calls but outside the regions, set-ups and checks: the
     # processes start and end, hyperfine, the rest of the runner.
     process_rest_s: ([$calls - $timed - $setup - $check, 0] | max | r),
     before_rounds_s: $before, between_calls_s: ([$rounds - $calls, 0] | max | r), after_rounds_s: $after}') ||
    die "cannot account for the sweep's time in $run_dir"
jq --argjson h "$harness" '.harness = $h' "$run_dir/meta.json" | write_atomically "$run_dir/meta.json" ||
    die "cannot write $run_dir/meta.json"
jq -r '.harness | def s: if . >= 10 then "\(. | round) s" else "\(. * 10 | round / 10) s" end;
    "gilbench: of \(.wall_s | s) wall, \(.timed_s | s) (\(.timed_share * 100 | round) %) were timed regions;" +
    " in the calls around them \(.warmup_timed_s | s) of warm-up regions, \(.setup_s | s) of set-up, \(.check_s | s) of checks," +
    " \(.process_rest_s | s) of starting and ending processes; \(.before_rounds_s | s) before the rounds," +
    " \(.between_calls_s | s) between calls, \(.after_rounds_s | s) after them"' "$run_dir/meta.json"
