#!/bin/bash
# compare.sh - two results folders point by point: for every point both
# measured (workload, variant, mode, workers), the ratio of their median
# times and of their speedups, and whether the speedups agree given their
# 95 % intervals, as a table, compare.csv, compare.json and a plot, e.g.
# after changing the switch interval, the compiler flags or the machine.
# Usage: compare.sh A B   (A is the reference: a ratio is B / A)
# Writes results/compare-<A>-vs-<B>/ (RESULTS_DIR), never touching A or B;
# the last line printed names it ("gilbench: comparison in DIR (...)").
#
# compare.csv, one row per point in common:
#   workload, variant, mode, workers        the point (variant "-" for none)
#   median_s_a, median_s_b, time_ratio      median times and B / A
#   speedup_a, speedup_b, speedup_ratio     speedups and B / A
#   speedup_ci_lo_a, speedup_ci_hi_a,       each run's interval of its speedup
#   speedup_ci_lo_b, speedup_ci_hi_b        (summary.csv's speedup_ci_lo/hi)
#   ci_level_a, ci_level_b                  the confidence those intervals have
#                                           (below 0.95 with too few runs)
#   b_in_a                                  yes: speedup_b lies inside A's interval
#   a_in_b                                  yes: speedup_a lies inside B's interval
#   verdict                                 same: the two intervals overlap (share
#                                           at least one value); differs: they do
#                                           not; unknown: a speedup or an interval
#                                           is missing
# The verdict is the overlap of the intervals, not mutual containment: two
# independent 95 % intervals of one true speedup miss each other in well under
# 1 % of points, so "differs" is a difference that noise rarely makes; each
# estimate inside the other's interval (b_in_a, a_in_b) is the stricter test,
# which noise alone fails in about one point of six.  Bounds are inclusive.
# 1-worker points (speedup 1 by definition) are in the table but left out of
# the closing figures.
#
# Settings that make the two runs measure different things (RUNS, MAX_RUNS,
# PRECISION, WARMUP, SWITCH_INTERVAL_US, PARAMS, the workloads' units, the CPU
# model, the usable CPUs) are compared: one warning line on stderr per
# difference, also in compare.json's "differences" and "warnings".
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ $# -eq 2 ] || usage "make compare needs A=results/<folder> B=results/<folder>"
require_command column bsdextrautils
a=${1%/} b=${2%/}
check_results_folder A "$a"
check_results_folder B "$b"
[ "$(readlink -f "$a")" != "$(readlink -f "$b")" ] || usage "A and B are the same folder: $a"

# The points both measured, joined on workload, variant, mode and workers;
# columns are read by name from each header.
joined=$(awk -F, '
    FNR == 1 { delete col; for (i = 1; i <= NF; i++) col[$i] = i; file++; next }
    function get(name) { return (name in col) ? $col[name] : "" }
    function max(p, q) { return p + 0 > q + 0 ? p + 0 : q + 0 }
    function min(p, q) { return p + 0 < q + 0 ? p + 0 : q + 0 }
    function inside(x, lo, hi) { return (x == "" || lo == "" || hi == "") ? "" : (lo + 0 <= x + 0 && x + 0 <= hi + 0 ? "yes" : "no") }
    {
        variant = get("variant"); if (variant == "") variant = "-"
        key = get("workload") "," variant "," get("mode") "," get("workers")
        value = get("median_s") SUBSEP get("speedup") SUBSEP get("speedup_ci_lo") SUBSEP get("speedup_ci_hi") SUBSEP get("ci_level")
    }
    file == 1 { if (!(key in run_a)) order[++n] = key; run_a[key] = value; next }
    key in run_a { run_b[key] = value }
    END {
        for (i = 1; i <= n; i++) {
            key = order[i]
            if (!(key in run_b)) continue
            split(run_a[key], x, SUBSEP); split(run_b[key], y, SUBSEP)
            time_ratio = (x[1] + 0 > 0 && y[1] != "") ? sprintf("%.4f", y[1] / x[1]) : ""
            speedup_ratio = (x[2] != "" && x[2] + 0 > 0 && y[2] != "") ? sprintf("%.4f", y[2] / x[2]) : ""
            b_in_a = inside(y[2], x[3], x[4]); a_in_b = inside(x[2], y[3], y[4])
            if (b_in_a == "" || a_in_b == "")
                verdict = "unknown"
            else # the intervals overlap: the higher low end is at most the lower high end
                verdict = (max(x[3], y[3]) <= min(x[4], y[4])) ? "same" : "differs"
            printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", key, x[1], y[1], time_ratio,
                x[2], y[2], speedup_ratio, x[3], x[4], y[3], y[4], x[5], y[5], b_in_a, a_in_b, verdict
        }
    }' "$a/summary.csv" "$b/summary.csv")
[ -n "$joined" ] || usage "A ($a) and B ($b) share no point (workload, variant, mode, workers): nothing to compare"
common_workloads=$(cut -d, -f1 <<<"$joined" | sort -u | paste -sd, -)

# units_of DIR: {"workload": "units,..."} from the engine's result lines in
# DIR/raw (what the runs really did, defaults included); {} without them.
units_of() {
    local files=("$1"/raw/*.jsonl)
    [ -e "${files[0]}" ] || { echo '{}'; return; }
    cat -- "${files[@]}" 2>/dev/null | jq -c -s 'map(select(.workload != null and .units != null))
        | group_by(.workload) | map({key: .[0].workload, value: (map(.units) | unique | map(tostring) | join(","))})
        | from_entries' 2>/dev/null || echo '{}'
}

# The settings in which the two runs differ: [{setting, a, b}].
differences=$(jq -n -c --slurpfile A "$a/meta.json" --slurpfile B "$b/meta.json" \
    --argjson units_a "$(units_of "$a")" --argjson units_b "$(units_of "$b")" \
    --arg common "$common_workloads" '
    def shown: if . == null then "unknown" elif type == "array" then map(tostring) | join(",") else tostring end;
    def params: (.settings.params // "") | split(" ") | map(select(length > 0))
        | map({key: (split("=")[0]), value: (split("=")[1:] | join("="))}) | from_entries;
    ($common | split(",")) as $workloads | $A[0] as $a | $B[0] as $b
    | ($a | params) as $pa | ($b | params) as $pb
    | ([$pa, $pb] | map(keys) | add | unique | map(select(split(".")[0] as $w | $workloads | index([$w])))) as $keys
    | [ ["RUNS", $a.settings.runs, $b.settings.runs],
        ["MAX_RUNS", $a.settings.max_runs, $b.settings.max_runs],
        ["PRECISION", $a.settings.precision_pct, $b.settings.precision_pct],
        ["WARMUP", $a.settings.warmup, $b.settings.warmup],
        ["SWITCH_INTERVAL_US", $a.settings.switch_interval_us, $b.settings.switch_interval_us] ]
      + [ $keys[] | ["PARAMS " + ., ($pa[.] // "default"), ($pb[.] // "default")] ]
      # The units the runs used, where PARAMS does not already say they differ.
      + [ $workloads[] | select(. as $w | ($units_a | has($w)) and ($units_b | has($w))
                                 and (($pa[$w + ".units"] // "") == ($pb[$w + ".units"] // "")))
          | ["units of " + ., $units_a[.], $units_b[.]] ]
      + [ ["CPU model", $a.cpu_model, $b.cpu_model],
          ["usable CPUs", $a.cpus_usable, $b.cpus_usable] ]
    | map(select((.[1] | shown) != (.[2] | shown)) | {setting: .[0], a: (.[1] | shown), b: (.[2] | shown)})')
warnings=$(jq -r '.[] | "A and B differ in \(.setting): \(.a) in A, \(.b) in B"' <<<"$differences")

mkdir -p "${RESULTS_DIR:-results}" 2>/dev/null || die "cannot create ${RESULTS_DIR:-results}"
# Named after the folders themselves (results/latest is a link).
out=$(new_run_folder "${RESULTS_DIR:-results}" "compare-$(basename "$(readlink -f "$a")")-vs-$(basename "$(readlink -f "$b")")") || exit 1
{
    echo workload,variant,mode,workers,median_s_a,median_s_b,time_ratio,speedup_a,speedup_b,speedup_ratio,speedup_ci_lo_a,speedup_ci_hi_a,speedup_ci_lo_b,speedup_ci_hi_b,ci_level_a,ci_level_b,b_in_a,a_in_b,verdict
    echo "$joined"
} | write_atomically "$out/compare.csv" || die "cannot write $out/compare.csv"

# The closing figures, over the points with N > 1 workers and a speedup in
# both runs; the shares inside the other's interval over those with both
# intervals.
summary=$(awk -F, 'NR > 1 && $4 > 1 && $10 != "" {
        label = $1 ($2 == "-" ? "" : "@" $2)
        printf "%s\t%s %s %s\t%s\t%s\t%s\t%s\n", $10, label, $3, $4, $17, $18, $19,
            (($15 != "" && $15 < 0.95) || ($16 != "" && $16 < 0.95)) ? 1 : 0
    }' "$out/compare.csv" | jq -R -s -c '
    split("\n") | map(select(length > 0) | split("\t")
        | {ratio: (.[0] | tonumber), point: .[1], b_in_a: .[2], a_in_b: .[3], verdict: .[4], low: (.[5] == "1")}
        | .abs_pct = ((.ratio - 1) * 100 | if . < 0 then -. else . end | . * 100 | round / 100))
    | sort_by(.abs_pct) as $p | ($p | length) as $n
    | ($p | map(select(.verdict != "unknown"))) as $known | ($known | length) as $m
    | def share(f): ($known | map(select(f)) | length) as $k | {count: $k, share: (if $m > 0 then $k / $m else null end)};
    {points: $n,
     with_intervals: $m,
     differ: ($p | map(select(.verdict == "differs")) | length),
     unknown: ($n - $m),
     median_abs_speedup_diff_pct: (if $n == 0 then null elif $n % 2 == 1 then $p[($n - 1) / 2].abs_pct
                                   else ($p[$n / 2 - 1].abs_pct + $p[$n / 2].abs_pct) / 2 * 100 | round / 100 end),
     worst_abs_speedup_diff_pct: (if $n == 0 then null else $p[-1].abs_pct end),
     worst_point: (if $n == 0 then null else $p[-1].point end),
     b_in_a: share(.b_in_a == "yes"), a_in_b: share(.a_in_b == "yes"),
     intervals_below_95: ($known | map(select(.low)) | length),
     differing_points: ($p | map(select(.verdict == "differs") | .point))}')

jq -n --arg a "$a" --arg b "$b" --slurpfile meta_a "$a/meta.json" --slurpfile meta_b "$b/meta.json" \
    --argjson differences "$differences" --argjson summary "$summary" \
    '{a: $a, b: $b, a_settings: $meta_a[0].settings, b_settings: $meta_b[0].settings,
      a_cpu: $meta_a[0].cpu_model, b_cpu: $meta_b[0].cpu_model,
      a_cpus_usable: $meta_a[0].cpus_usable, b_cpus_usable: $meta_b[0].cpus_usable,
      differences: $differences,
      warnings: ($differences | map("A and B differ in \(.setting): \(.a) in A, \(.b) in B")),
      verdict_rule: "same: the speedups 95 % intervals overlap; differs: they do not",
      summary: $summary}' | write_atomically "$out/compare.json" ||
    die "cannot write $out/compare.json"

[ -z "$warnings" ] || while IFS= read -r line; do note "warning: $line"; done <<<"$warnings"
echo "B / A, point by point (A = $a, B = $b): time_ratio < 1 means B is faster;"
echo "speedups with their intervals; verdict: same when the intervals overlap, differs when they do not"
awk -F, -v OFS=, '
    function interval(s, lo, hi) { return s == "" ? "-" : (lo == "" ? sprintf("%.3g", s) : sprintf("%.3g (%.3g-%.3g)", s, lo, hi)) }
    function dash(v) { return v == "" ? "-" : v }
    NR == 1 { print "point", "mode", "workers", "time_ratio", "speedup A", "speedup B", "B/A - 1", "B in A", "A in B", "verdict"; next }
    { print $1 ($2 == "-" ? "" : "@" $2), $3, $4, dash($7), interval($8, $11, $12), interval($9, $13, $14),
        ($10 == "" ? "-" : sprintf("%+.1f %%", ($10 - 1) * 100)), dash($17), dash($18), $19 }' "$out/compare.csv" |
    column -s, -t
jq -r '
    def pct: . * 100 | round | tostring;
    def one: . * 10 | round / 10 | tostring;
    if .points == 0 then "gilbench: no point with N > 1 workers has a speedup in both runs"
    else "gilbench: \(.points) point\(if .points == 1 then "" else "s" end) with N > 1 workers: \(.differ) differ\(if .differ == 1 then "s" else "" end)"
        + (if .unknown > 0 then " (\(.unknown) without an interval)" else "" end)
        + "; |speedup B / A - 1|: median \(.median_abs_speedup_diff_pct | one) %, worst \(.worst_abs_speedup_diff_pct | one) % (\(.worst_point))"
        + (if .with_intervals == 0 then "" else
            "; B inside A'"'"'s interval: \(.b_in_a.count) of \(.with_intervals) (\(.b_in_a.share | pct) %)"
          + ", A inside B'"'"'s: \(.a_in_b.count) of \(.with_intervals) (\(.a_in_b.share | pct) %)" end)
        + (if .intervals_below_95 > 0 then "; \(.intervals_below_95) with an interval below 95 % confidence (too few runs)" else "" end)
    end' <<<"$summary"

# One panel per workload, or workload@variant for the points of a study, with
# the modes it has; ringed: the points whose speedups differ.  One range of
# ratios for every panel, from 1/2 to 2 at least.
panels=$(awk -F, '{ print $1 ($2 == "-" ? "" : "@" $2) }' <<<"$joined" | awk '!seen[$0]++' | paste -sd' ' -)
maxw=$(cut -d, -f4 <<<"$joined" | sort -n | tail -n1)
panel_settings="" k=0
for label in $panels; do
    k=$((k + 1))
    panel_modes=$(awk -F, -v label="$label" '$1 ($2 == "-" ? "" : "@" $2) == label { print $3 }' <<<"$joined" |
        awk '!seen[$0]++' | paste -sd' ' -)
    panel_settings+="modes_$k=$(gp_string "$panel_modes"); "
done
read -r ylo yhi < <(awk -F, '$7 != "" { r = $7 + 0; if (r > 0 && r < lo) lo = r; if (r > hi) hi = r }
    BEGIN { lo = 0.5; hi = 2 } END { printf "%g %g\n", lo / 1.15, hi * 1.15 }' <<<"$joined")
all_modes=$(cut -d, -f3 <<<"$joined" | awk '!seen[$0]++' | paste -sd' ' -)
draw_plot compare.gp "$out/compare" "csv=$(gp_string "$(realpath -- "$out/compare.csv")");
    panels=$(gp_string "$panels"); modes=$(gp_string "$all_modes"); maxw=$maxw; ylo=$ylo; yhi=$yhi; $panel_settings
    machine=$(gp_string "B / A: $(basename "$b") / $(basename "$a")")"
echo "gilbench: comparison in $out (compare.csv, compare.json, compare.png, compare.svg)"
