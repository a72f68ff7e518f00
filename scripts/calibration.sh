#!/bin/bash
# calibration.sh - the tables of `make calibrate`: for every point measured
# both as the C model (variant source=model) and in a CPython
# (source=cpython-3.13.5, cpython-3.13.5t, cpython-3.11.2, ...), the ratio
# model / CPython of the median times and of the speedups, one row per
# interpreter.  Writes RUN_DIR/calibration.csv and prints it as a table;
# points where the speedups differ by more than 15 % either way
# (|speedup_ratio - 1| > 0.15) are marked.  Where one version was measured
# both free-threaded and with its GIL, RUN_DIR/single_thread.csv: each
# workload's one-worker time on the one against the other.
# Usage: calibration.sh RUN_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ $# -eq 1 ] || usage "calibration.sh takes one results folder"
require_command column bsdextrautils
run_dir=${1%/}
check_results_folder RUN "$run_dir"

# Every CPython point beside the model's point of the same workload, mode
# and workers; its interpreter is its source (cpython-3.13.5, ...).
table=$(awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["variant"] ~ /^source=/ {
        key = $col["workload"] "," $col["mode"] "," $col["workers"]
        src = substr($col["variant"], 8)
        median[key, src] = $col["median_s"]; speedup[key, src] = $col["speedup"]
        if (src != "model" && !((key, src) in seen)) { seen[key, src] = 1; order[++n] = key SUBSEP src }
    }
    END {
        print "workload,mode,workers,interpreter,model_median_s,cpython_median_s,time_ratio,model_speedup,cpython_speedup,speedup_ratio,differs"
        for (k = 1; k <= n; k++) {
            split(order[k], part, SUBSEP); key = part[1]; src = part[2]
            if (!((key, "model") in median)) continue
            t = median[key, src] > 0 ? median[key, "model"] / median[key, src] : ""
            s = (speedup[key, src] != "" && speedup[key, src] > 0 && speedup[key, "model"] != "") \
                ? speedup[key, "model"] / speedup[key, src] : ""
            # differs: |ratio - 1| > 0.15 either way (0.85 and 1.15 are within),
            # on the ratio as printed, so that the table and the flag agree.
            r = (s == "" ? "" : sprintf("%.3f", s))
            d = (r == "" ? "" : (r + 0 > 1 ? r - 1 : 1 - r))
            printf "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", key, src, median[key, "model"], median[key, src],
                (t == "" ? "" : sprintf("%.3f", t)), speedup[key, "model"], speedup[key, src],
                r, (d != "" && d > 0.15 + 1e-9 ? "yes" : "no")
        }
    }' "$run_dir/summary.csv")
# What free threading costs one thread: each workload's one-worker time on
# a free-threaded build (cpython-X.Y.Zt, threads) against the same version
# with its GIL (cpython-X.Y.Z, gil: one thread never waits for the GIL).
single=$(awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["workers"] == 1 && $col["variant"] ~ /^source=cpython-/ {
        src = substr($col["variant"], 8)
        if ($col["mode"] == "threads" && src ~ /t$/) free[$col["workload"], substr(src, 1, length(src) - 1)] = $col["median_s"]
        if ($col["mode"] == "gil") { gil[$col["workload"], src] = $col["median_s"]; if (!(($col["workload"], src) in seen)) { seen[$col["workload"], src] = 1; order[++n] = $col["workload"] SUBSEP src } }
    }
    END {
        for (k = 1; k <= n; k++) {
            split(order[k], part, SUBSEP)
            if (!((part[1], part[2]) in free) || gil[part[1], part[2]] <= 0) continue
            if (!rows++) print "workload,gil_build,free_threaded_build,gil_median_s,free_threaded_median_s,free_threaded_over_gil"
            printf "%s,%s,%st,%s,%s,%.3f\n", part[1], part[2], part[2], gil[part[1], part[2]],
                free[part[1], part[2]], free[part[1], part[2]] / gil[part[1], part[2]]
        }
    }' "$run_dir/summary.csv")
[ "$(wc -l <<<"$table")" -gt 1 ] || usage "RUN='$run_dir' has no point measured both as the model and in CPython (make calibrate)"
write_atomically "$run_dir/calibration.csv" <<<"$table" || die "cannot write $run_dir/calibration.csv"
echo "model / CPython, point by point: time_ratio = median time ratio, speedup_ratio = speedup ratio;"
echo "differs: the speedups differ by more than 15 % (see docs/gil-model.md, \"Calibration\")"
column -s, -t <<<"$table"
rm -f "$run_dir/single_thread.csv"
if [ -n "$single" ]; then
    write_atomically "$run_dir/single_thread.csv" <<<"$single" || die "cannot write $run_dir/single_thread.csv"
    echo
    echo "free threading's single-thread cost: one worker's median time, free-threaded build / GIL build"
    column -s, -t <<<"$single"
fi
