#!/bin/bash
# compare.sh - two results folders point by point: for every point both
# measured (workload, variant, mode, workers), the ratio of their median
# times and of their speedups, as a table, compare.csv and plots, e.g. after
# changing the switch interval, the compiler flags or the machine.
# Usage: compare.sh A B   (A is the reference: a ratio is B / A)
# Writes results/compare-<A>-vs-<B>/ (RESULTS_DIR), never touching A or B.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ $# -eq 2 ] || usage "make compare needs A=results/<folder> B=results/<folder>"
require_command column bsdextrautils
a=${1%/} b=${2%/}
check_results_folder A "$a"
check_results_folder B "$b"
[ "$(readlink -f "$a")" != "$(readlink -f "$b")" ] || usage "A and B are the same folder: $a"

# The points both measured, joined on workload, variant, mode and workers.
joined=$(awk -F, '
    FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; file++; next }
    { key = $col["workload"] "," $col["variant"] "," $col["mode"] "," $col["workers"] }
    file == 1 { median_a[key] = $col["median_s"]; speedup_a[key] = $col["speedup"]; order[++n] = key; next }
    key in median_a { median_b[key] = $col["median_s"]; speedup_b[key] = $col["speedup"] }
    END {
        for (i = 1; i <= n; i++) {
            key = order[i]
            if (!(key in median_b)) continue
            time_ratio = median_b[key] / median_a[key]
            speedup_ratio = (speedup_a[key] != "" && speedup_b[key] != "") ? sprintf("%.4f", speedup_b[key] / speedup_a[key]) : ""
            printf "%s,%s,%s,%.4f,%s,%s,%s\n", key, median_a[key], median_b[key], time_ratio, speedup_a[key], speedup_b[key], speedup_ratio
        }
    }' "$a/summary.csv" "$b/summary.csv")
[ -n "$joined" ] || usage "A ($a) and B ($b) share no point (workload, variant, mode, workers): nothing to compare"

mkdir -p "${RESULTS_DIR:-results}" 2>/dev/null || die "cannot create ${RESULTS_DIR:-results}"
out=$(new_run_folder "${RESULTS_DIR:-results}" "compare-$(basename "$a")-vs-$(basename "$b")") || exit 1
{
    echo workload,variant,mode,workers,median_s_a,median_s_b,time_ratio,speedup_a,speedup_b,speedup_ratio
    echo "$joined"
} | write_atomically "$out/compare.csv" || die "cannot write $out/compare.csv"
jq -n --arg a "$a" --arg b "$b" --slurpfile meta_a "$a/meta.json" --slurpfile meta_b "$b/meta.json" \
    '{a: $a, b: $b, a_settings: $meta_a[0].settings, b_settings: $meta_b[0].settings,
      a_cpu: $meta_a[0].cpu_model, b_cpu: $meta_b[0].cpu_model}' | write_atomically "$out/compare.json" ||
    die "cannot write $out/compare.json"

echo "B / A, point by point (A = $a, B = $b): time_ratio < 1 means B is faster"
column -s, -t < <(cut -d, -f1-4,7,10 "$out/compare.csv")
workloads=$(cut -d, -f1 <<<"$joined" | awk '!seen[$0]++' | paste -sd' ' -)
modes=$(cut -d, -f3 <<<"$joined" | awk '!seen[$0]++' | paste -sd' ' -)
maxw=$(cut -d, -f4 <<<"$joined" | sort -n | tail -n1)
draw_plot grid.gp "$out/compare" "csv=$(gp_string "$(realpath -- "$out/compare.csv")"); modes=$(gp_string "$modes");
    workloads=$(gp_string "$workloads"); cpus=0; maxw=$maxw; what='ratio';
    machine=$(gp_string "B / A: $(basename "$b") / $(basename "$a")")"
echo "gilbench: comparison in $out (compare.csv, compare.png, compare.svg)"
