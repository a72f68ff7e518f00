#!/bin/bash
# calibration.sh - the table of `make calibrate`: for every point measured
# both as the C model (variant source=model) and in CPython (source=cpython),
# the ratio model / CPython of the median times and of the speedups.
# Writes RUN_DIR/calibration.csv and prints it as a table; points where the
# speedups differ by more than 15 % either way (|speedup_ratio - 1| > 0.15)
# are marked.
# Usage: calibration.sh RUN_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ $# -eq 1 ] || usage "calibration.sh takes one results folder"
require_command column bsdextrautils
run_dir=${1%/}
check_results_folder RUN "$run_dir"

table=$(awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["variant"] == "source=model" || $col["variant"] == "source=cpython" {
        key = $col["workload"] "," $col["mode"] "," $col["workers"]
        src = substr($col["variant"], 8)
        median[key, src] = $col["median_s"]; speedup[key, src] = $col["speedup"]
        if (!(key in seen)) { seen[key] = 1; order[++n] = key }
    }
    END {
        print "workload,mode,workers,model_median_s,cpython_median_s,time_ratio,model_speedup,cpython_speedup,speedup_ratio,differs"
        for (k = 1; k <= n; k++) {
            key = order[k]
            if (!((key, "model") in median) || !((key, "cpython") in median)) continue
            t = median[key, "cpython"] > 0 ? median[key, "model"] / median[key, "cpython"] : ""
            s = (speedup[key, "cpython"] != "" && speedup[key, "cpython"] > 0 && speedup[key, "model"] != "") \
                ? speedup[key, "model"] / speedup[key, "cpython"] : ""
            # differs: |ratio - 1| > 0.15 either way (0.85 and 1.15 are within),
            # on the ratio as printed, so that the table and the flag agree.
            r = (s == "" ? "" : sprintf("%.3f", s))
            d = (r == "" ? "" : (r + 0 > 1 ? r - 1 : 1 - r))
            printf "%s,%s,%s,%s,%s,%s,%s,%s\n", key, median[key, "model"], median[key, "cpython"],
                (t == "" ? "" : sprintf("%.3f", t)), speedup[key, "model"], speedup[key, "cpython"],
                r, (d != "" && d > 0.15 + 1e-9 ? "yes" : "no")
        }
    }' "$run_dir/summary.csv")
[ "$(wc -l <<<"$table")" -gt 1 ] || usage "RUN='$run_dir' has no point measured both as the model and in CPython (make calibrate)"
write_atomically "$run_dir/calibration.csv" <<<"$table" || die "cannot write $run_dir/calibration.csv"
echo "model / CPython, point by point: time_ratio = median time ratio, speedup_ratio = speedup ratio;"
echo "differs: the speedups differ by more than 15 % (see docs/gil-model.md, \"Calibration\")"
column -s, -t <<<"$table"
