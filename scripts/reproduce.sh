#!/bin/bash
# reproduce.sh - how well does a sweep reproduce on this machine?  Runs the
# sweep of `make bench` twice, back to back, with the same settings (those of
# the environment: QUICK, WORKLOADS, RUNS, PARAMS... as scripts/bench.sh reads
# them), each into its own folder under RESULTS_DIR, then compares the second
# with the first (scripts/compare.sh: compare.csv, compare.json, the plot)
# and prints, point by point and overall, how far the two speedups differ and
# whether each lies inside the other's 95 % interval.  The overall figures go
# to reproduce.json in the comparison's folder.
#
# Exit status: 0 both sweeps succeeded (however far apart they are: the
# figures are a report, not a test); 1 a sweep had a failed point (the two
# are still compared if both have a summary) or the comparison could not be
# made; 2 a bad setting (the first sweep refuses it; nothing is run);
# 128+N interrupted by signal N: SIGINT, SIGTERM and SIGHUP are passed on to
# the running sweep, which stops its point and keeps its partial folder, and
# the second sweep is not started.
#
# reproduce.json: {sweeps: [{folder, status}, {folder, status}], compare
# (the folder), settings (the first sweep's), differences (settings in which
# the sweeps differ, from compare.json), speedups: compare.json's summary
# (points, with_intervals, differ, median_abs_speedup_diff_pct,
# worst_abs_speedup_diff_pct, worst_point, b_in_a {count, share}, a_in_b,
# intervals_below_95, differing_points), times: {points,
# median_abs_time_diff_pct, worst_abs_time_diff_pct, worst_point}}.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

[ $# -eq 0 ] || usage "reproduce.sh takes no arguments: its settings are those of make bench, in the environment"
[ -z "${RERUN:-}" ] || usage "RERUN re-measures one folder; make reproduce runs the whole sweep twice and cannot take it"
RESULTS_DIR=${RESULTS_DIR:-results}
require_command column bsdextrautils

work=$(mktemp -d "${TMPDIR:-/tmp}/gilbench-reproduce.XXXXXX") || die "cannot make a temporary folder"
child="" tee_pid=""
# end_tee: waits up to 5 s for the tee to copy the rest of the sweep's
# output (it ends when the sweep closes it), then ends it.
end_tee() {
    local tries=0
    [ -n "$tee_pid" ] || return 0
    while kill -0 "$tee_pid" 2>/dev/null && [ "$tries" -lt 50 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    kill -KILL "$tee_pid" 2>/dev/null
    wait "$tee_pid" 2>/dev/null
    tee_pid=""
}
cleanup() {
    # Nothing of ours outlives the script: the sweep (it stops its own point
    # on TERM) and the tee that copies its output.
    [ -z "$child" ] || { kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; }
    end_tee
    rm -rf "$work"
}
trap cleanup EXIT
on_signal() { # on_signal NAME NUMBER: passes the signal on, waits, stops
    local name=$1 number=$2
    trap '' INT TERM HUP
    if [ -n "$child" ]; then
        kill "-$name" "$child" 2>/dev/null
        wait "$child" 2>/dev/null
        child=""
    fi
    end_tee
    note "reproduce: interrupted by SIG$name${sweep_number:+ during sweep $sweep_number of 2}; $([ "${sweep_number:-}" = 2 ] || echo "the second sweep and ")the comparison are not made"
    exit $((128 + number))
}
sweep_number=""
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM
trap 'on_signal HUP 1' HUP

# sweep N: runs scripts/bench.sh with this environment, its output on the
# terminal and in $work/sweepN.out; leaves its status in $status and its
# folder (from its "results in" line) in $folder.
sweep() {
    local out=$work/sweep$1.out
    sweep_number=$1
    echo "gilbench: reproduce: sweep $1 of 2"
    mkfifo "$work/pipe$1" || die "cannot make a pipe in $work"
    # tee ignores the terminal's Ctrl-C and ends when the sweep closes its
    # output; the sweep has a process group of its own (set -m), so that
    # SIGINT is not ignored there and reaches it once, from on_signal.
    ( trap '' INT TERM HUP; exec tee "$out" ) < "$work/pipe$1" &
    tee_pid=$!
    set -m
    scripts/bench.sh < /dev/null > "$work/pipe$1" &
    child=$!
    set +m
    # wait returns early when a trapped signal arrives; on_signal then takes over.
    wait "$child"
    status=$?
    child=""
    end_tee
    sweep_number=""
    folder=$(sed -n 's/^gilbench: results in //p' "$out" | head -n1)
}

statuses=() folders=()
for n in 1 2; do
    sweep "$n"
    statuses+=("$status") folders+=("$folder")
    case $status in
        0) ;;
        1) [ -n "$folder" ] || { note "reproduce: sweep $n of 2 failed (above); no comparison"; exit 1; }
           [ -s "$folder/summary.csv" ] || { note "reproduce: sweep $n of 2 measured nothing; no comparison"; exit 1; }
           note "reproduce: sweep $n of 2 had failed points (above); the points both measured are still compared" ;;
        2) exit 2 ;; # the setting is named above; nothing more is run
        *) note "reproduce: sweep $n of 2 ended with status $status; no comparison"; exit "$status" ;;
    esac
    [ "$n" = 2 ] || echo
done

echo
echo "gilbench: reproduce: comparing sweep 2 (B) with sweep 1 (A)"
RESULTS_DIR=$RESULTS_DIR scripts/compare.sh "${folders[0]}" "${folders[1]}" > "$work/compare.out"
compare_status=$?
if [ "$compare_status" -ne 0 ]; then
    cat "$work/compare.out"
    note "reproduce: the two sweeps could not be compared (scripts/compare.sh ${folders[0]} ${folders[1]})"
    exit 1
fi
out=$(sed -n 's/^gilbench: comparison in \(.*\) (compare\.csv.*)$/\1/p' "$work/compare.out" | tail -n1)
[ -n "$out" ] && [ -s "$out/compare.csv" ] || die "reproduce: scripts/compare.sh named no folder"

# Point by point (N > 1 workers: at 1 worker the speedup is 1 by definition).
echo
echo "Sweep 2 against sweep 1, point by point: speedup (95 % interval) in each, how far apart, and"
echo "whether each lies inside the other's interval (differs: the intervals do not even overlap)"
awk -F, '
    function shown(s, lo, hi) { return s == "" ? "-" : (lo == "" ? sprintf("%.3g", s) : sprintf("%.3g (%.3g-%.3g)", s, lo, hi)) }
    NR > 1 && $4 > 1 {
        if ($17 == "" || $18 == "")
            inside = "no interval to compare"
        else if ($17 == "yes" && $18 == "yes")
            inside = "each inside the other'"'"'s interval"
        else if ($17 == "yes")
            inside = "2nd inside the 1st'"'"'s interval only"
        else if ($18 == "yes")
            inside = "1st inside the 2nd'"'"'s interval only"
        else if ($19 == "differs")
            inside = "neither inside the other'"'"'s; the intervals are apart: differs"
        else
            inside = "neither inside the other'"'"'s; the intervals overlap"
        printf "  %s %s %s|%s|%s|%s|%s|%s\n", $1 ($2 == "-" ? "" : "@" $2), $3, $4,
            shown($8, $11, $12), shown($9, $13, $14),
            ($10 == "" ? "-" : sprintf("%+.1f %%", ($10 - 1) * 100)),
            ($7 == "" ? "-" : sprintf("%+.1f %%", ($7 - 1) * 100)), inside
    }' "$out/compare.csv" > "$work/points"
if [ -s "$work/points" ]; then
    { echo "  point|speedup, sweep 1|speedup, sweep 2|2nd / 1st - 1|time 2nd / 1st - 1|intervals"
      cat "$work/points"; } | column -s'|' -t
else
    echo "  (no point with more than one worker and a speedup in both sweeps)"
fi

# Overall: the speedups (compare.json's summary) and the median times.
times=$(awk -F, 'NR > 1 && $7 != "" {
        d = ($7 - 1) * 100; if (d < 0) d = -d
        printf "%.2f\t%s %s %s\n", d, $1 ($2 == "-" ? "" : "@" $2), $3, $4 }' "$out/compare.csv" |
    jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t") | {pct: (.[0] | tonumber), point: .[1]})
        | sort_by(.pct) as $p | ($p | length) as $n
        | {points: $n,
           median_abs_time_diff_pct: (if $n == 0 then null elif $n % 2 == 1 then $p[($n - 1) / 2].pct
                                      else ($p[$n / 2 - 1].pct + $p[$n / 2].pct) / 2 * 100 | round / 100 end),
           worst_abs_time_diff_pct: (if $n == 0 then null else $p[-1].pct end),
           worst_point: (if $n == 0 then null else $p[-1].point end)}')
jq -n --slurpfile compare "$out/compare.json" --slurpfile meta "${folders[0]}/meta.json" \
    --arg a "${folders[0]}" --arg b "${folders[1]}" --argjson sa "${statuses[0]}" --argjson sb "${statuses[1]}" \
    --arg out "$out" --argjson times "$times" \
    '{sweeps: [{folder: $a, status: $sa}, {folder: $b, status: $sb}], compare: $out,
      settings: $meta[0].settings, differences: $compare[0].differences,
      speedups: $compare[0].summary, times: $times}' |
    write_atomically "$out/reproduce.json" || die "cannot write $out/reproduce.json"

echo
jq -r '
    def one: . * 10 | round / 10 | tostring;
    def pct: . * 100 | round | tostring;
    .speedups as $s | .times as $t |
    (if $s.points == 0 then "gilbench: reproduce: no point with more than one worker has a speedup in both sweeps"
     else "gilbench: reproduce: the speedups of \($s.points) point\(if $s.points == 1 then "" else "s" end) differ by \($s.median_abs_speedup_diff_pct | one) % in the median, \($s.worst_abs_speedup_diff_pct | one) % at worst (\($s.worst_point))"
     end),
    (if $s.with_intervals > 0 then
        "gilbench: reproduce: the 2nd speedup lies inside the 1st'"'"'s interval at \($s.b_in_a.count) of \($s.with_intervals) points (\($s.b_in_a.share | pct) %), the 1st inside the 2nd'"'"'s at \($s.a_in_b.count) (\($s.a_in_b.share | pct) %); the intervals are apart (differs) at \($s.differ)"
        + (if $s.intervals_below_95 > 0 then "; \($s.intervals_below_95) with an interval below 95 % confidence" else "" end)
     else empty end),
    (if $t.points > 0 then
        "gilbench: reproduce: the median times of \($t.points) points (1 worker included) differ by \($t.median_abs_time_diff_pct | one) % in the median, \($t.worst_abs_time_diff_pct | one) % at worst (\($t.worst_point))"
     else empty end),
    "gilbench: reproduce: sweeps in \(.sweeps[0].folder) and \(.sweeps[1].folder); comparison in \(.compare) (compare.csv, compare.json, reproduce.json, compare.png, compare.svg)"
    ' "$out/reproduce.json"

for status in "${statuses[@]}"; do [ "$status" -eq 0 ] || exit 1; done
exit 0
