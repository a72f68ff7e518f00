#!/bin/bash
# plot.sh - draws every plot of a results folder with gnuplot, as PNG and
# SVG, into RUN_DIR/plots/, and copies them to $PLOTS_DIR (default plots/,
# the latest drawn).
# Reads only summary.csv and meta.json, so it redraws without re-running.
# Usage: plot.sh RUN_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ $# -eq 1 ] || usage "plot.sh takes one results folder"
run_dir=${1%/}
check_results_folder RUN "$run_dir"
command -v gnuplot >/dev/null || usage "gnuplot is missing; install with: apt-get install -y gnuplot-nox"

csv=$run_dir/summary.csv
figures=$run_dir/figures.csv
# The default sweep's rows: no variant, a workload of the sweep's WORKLOADS.
sweep_workloads=$(jq -r '.settings.workloads | join(",")' "$run_dir/meta.json")
sweep_rows() {
    awk -F, -v keep=",$sweep_workloads," 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $col["variant"] == "-" && index(keep, "," $1 ",") { print }' "$csv"
}
distinct() { awk '!seen[$0]++' | paste -sd' ' -; }
workloads=$(sweep_rows | cut -d, -f1 | distinct)
modes=$(sweep_rows | cut -d, -f2 | distinct)
maxw=$(sweep_rows | cut -d, -f3 | sort -n | tail -n1)
maxw=${maxw:-1} # a studies-only run: each study page sets its own
studies=$(jq -r '.settings.studies // [] | join(" ")' "$run_dir/meta.json")
[ -n "$workloads$studies" ] || usage "RUN='$run_dir': summary.csv has no rows to plot"
cpus=$(jq -r '.cpus_usable' "$run_dir/meta.json")
interval_us=$(jq -r '.settings.switch_interval_us' "$run_dir/meta.json")
cpu_model=$(jq -r '.cpu_model' "$run_dir/meta.json" | tr -d "'\"")
machine="$cpu_model, $cpus usable CPUs; GIL switch interval $(interval_text "$interval_us")"

out_dir=$run_dir/plots
mkdir -p "$out_dir"
draw() { # draw SCRIPT NAME EXTRA-SETTINGS
    draw_plot "$1" "$out_dir/$2" "csv='$csv'; modes='$modes'; workloads='$workloads'; cpus=$cpus;
        maxw=$maxw; machine='$machine'; figures='$figures'; $3"
}
if [ -n "$workloads" ]; then
    for wl in $workloads; do
        draw speedup.gp "$wl" "wl='$wl'"
    done
    draw grid.gp overview "what='speedup'"
    draw grid.gp efficiency "what='efficiency'"
    case " $modes " in *" gil "*) draw gil-wait.gp gil_wait "" ;; esac
fi
# Every study has a page of its own, drawn from summary.csv and figures.csv,
# given its variants (numerically ordered) and worker counts.
peak=$(jq -r '.fma_gflops_single_core // 0' "$run_dir/meta.json")
for study in $studies; do
    if [ "$study" = calibrate ]; then
        # Every workload of the study on one page, model beside CPython.
        rows=$(awk -F, 'NR > 1 && $NF ~ /^source=/' "$csv")
        [ -n "$rows" ] || { note "no measured point: no plot for the calibrate study"; continue; }
        modes_of() { awk -F, -v s="source=$1" '$NF == s { print $2 }' <<<"$rows" | distinct; }
        draw study-calibrate.gp calibrate "calibrate_workloads='$(cut -d, -f1 <<<"$rows" | distinct)';
            model_modes='$(modes_of model)'; cpython_modes='$(modes_of cpython)';
            maxw=$(cut -d, -f3 <<<"$rows" | sort -n | tail -n1)"
        continue
    fi
    [ -f "scripts/gnuplot/study-$study.gp" ] || die "no plot script scripts/gnuplot/study-$study.gp"
    workload=$(awk '!/^#/ && NF { print $1; exit }' "scripts/studies/$study.plan")
    rows=$(awk -F, -v w="$workload" 'NR > 1 && $1 == w' "$csv")
    if [ -z "$rows" ]; then
        note "no measured point of $workload: no plot for the $study study"
        continue
    fi
    variants=$(awk -F, '{ print $NF }' <<<"$rows" | grep -v '^-$' | sort -t= -k2 -n -u | paste -sd' ' -)
    study_workers=$(cut -d, -f3 <<<"$rows" | sort -n -u | paste -sd' ' -)
    draw "study-$study.gp" "$study" \
        "variants='$variants'; study_workers='$study_workers'; maxw=${study_workers##* }; peak=$peak"
done

plots_dir=${PLOTS_DIR:-plots}
mkdir -p "$plots_dir" || die "cannot create $plots_dir"
rm -f "$plots_dir"/*.png "$plots_dir"/*.svg
for file in "$out_dir"/*.png "$out_dir"/*.svg; do
    target=$plots_dir/$(basename "$file")
    cp "$file" "$target.tmp" && mv -f "$target.tmp" "$target" ||
        { rm -f "$target.tmp"; die "cannot copy the plots to $plots_dir"; }
done
echo "gilbench: plots of $run_dir drawn in $out_dir and $plots_dir/"
