#!/bin/bash
# plot.sh - draws every plot of a results folder with gnuplot, as PNG and
# SVG, into RUN_DIR/plots/, and copies them to $PLOTS_DIR (default plots/,
# the latest drawn: the plots another run drew there and this one did not
# are removed).
# Reads only summary.csv, figures.csv and meta.json, so it redraws without
# re-running.
# Usage: plot.sh RUN_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ $# -eq 1 ] || usage "plot.sh takes one results folder"
run_dir=${1%/}
check_results_folder RUN "$run_dir"
command -v gnuplot >/dev/null || usage "gnuplot is missing; install with: apt-get install -y gnuplot-nox"

# Absolute, so that neither gnuplot nor awk reads a name as a command or
# an assignment ('<...', 'x=1/...').
csv=$(realpath -- "$run_dir/summary.csv")
figures=$(realpath -m -- "$run_dir/figures.csv")
# The default sweep's rows: no variant, a workload of the sweep's WORKLOADS.
# (none in a studies-only run, whose studies may have variant-less rows of a
# default workload: the pool study's shares points)
sweep_workloads=$(jq -r 'if .settings.default_sweep == false then "" else .settings.workloads | join(",") end' "$run_dir/meta.json")
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
cpus=$(jq -r '.cpus_usable | numbers' "$run_dir/meta.json")
interval_us=$(jq -r '.settings.switch_interval_us' "$run_dir/meta.json")
cpu_model=$(jq -r '.cpu_model // "unknown CPU"' "$run_dir/meta.json")
machine="$cpu_model, $cpus usable CPUs; GIL switch interval $(interval_text "$interval_us")"

out_dir=$run_dir/plots
mkdir -p "$out_dir"
drawn=() # the files this run draws
draw() { # draw SCRIPT NAME EXTRA-SETTINGS
    draw_plot "$1" "$out_dir/$2" "csv=$(gp_string "$csv"); modes=$(gp_string "$modes");
        workloads=$(gp_string "$workloads"); cpus=$cpus; maxw=$maxw; machine=$(gp_string "$machine");
        figures=$(gp_string "$figures"); $3"
    drawn+=("$2.png" "$2.svg")
}
if [ -n "$workloads" ]; then
    for wl in $workloads; do
        # Its own modes (a Python workload's are Python's ways), and for a
        # Python workload its interpreters, from meta.json.
        python_label=$(jq -r --arg w "$wl" '.python_workloads // [] | .[] | select(.name == $w) |
            "Python: " + (.python | sub("^cpython-"; "CPython ")) +
            (if .free_threaded_python then ", free-threaded " + (.free_threaded_python | sub("^cpython-"; "")) else "" end)' \
            "$run_dir/meta.json")
        draw speedup.gp "$wl" "wl=$(gp_string "$wl");
            modes=$(gp_string "$(sweep_rows | awk -F, -v w="$wl" '$1 == w { print $2 }' | distinct)");
            python_ways=$([ -n "$python_label" ] && echo 1 || echo 0); python_label=$(gp_string "$python_label")"
    done
    draw grid.gp overview "what='speedup'"
    draw grid.gp efficiency "what='efficiency'"
    # The GIL model's wait share: the C workloads' (CPython keeps no such count).
    c_workloads=$(for wl in $workloads; do
        jq -e --arg w "$wl" 'any(.python_workloads // [] | .[]; .name == $w)' "$run_dir/meta.json" >/dev/null || echo "$wl"
    done | distinct)
    if [ -n "$c_workloads" ]; then
        case " $modes " in *" gil "*) draw gil-wait.gp gil_wait "workloads=$(gp_string "$c_workloads")" ;; esac
    fi
fi
# Every study has a page of its own, drawn from summary.csv and figures.csv,
# given its variants (numerically ordered) and worker counts.
peak=$(jq -r '(.fma_gflops_single_core | numbers) // 0' "$run_dir/meta.json")
for study in $studies; do
    if [ "$study" = calibrate ]; then
        # Every workload of the study on one page, model beside CPython.
        # (Its own workloads only: the startup and memory studies have CPython points too.)
        calibrated=$(awk '!/^#/ && NF { print $1 }' scripts/studies/calibrate.plan | paste -sd, -)
        rows=$(awk -F, -v keep=",$calibrated," 'NR > 1 && $NF ~ /^source=[^+]*$/ && index(keep, "," $1 ",")' "$csv")
        [ -n "$rows" ] || { note "no measured point: no plot for the calibrate study"; continue; }
        modes_of() { awk -F, -v s="source=$1" '$NF == s { print $2 }' <<<"$rows" | distinct; }
        # Each interpreter's curves: SOURCE:MODE:DASH, one dash type per interpreter.
        cpython_points=$(awk -F, '$NF ~ /^source=cpython/ { s = substr($NF, 8)
                if (!(s in dash)) dash[s] = 2 + n++
                if (!((s, $2) in seen)) { seen[s, $2] = 1; printf "%s:%s:%d\n", s, $2, dash[s] } }' <<<"$rows")
        draw study-calibrate.gp calibrate "calibrate_workloads=$(gp_string "$(cut -d, -f1 <<<"$rows" | distinct)");
            model_modes=$(gp_string "$(modes_of model)"); cpython_points=$(gp_string "$cpython_points");
            maxw=$(cut -d, -f3 <<<"$rows" | sort -n | tail -n1)"
        # What shared objects cost free threading, when both lists were measured.
        if awk -F, '$1 == "shared_objects" { s = 1 } $1 == "own_objects" { o = 1 } END { exit !(s && o) }' <<<"$rows"; then
            sources_of() { awk -F, -v m="$1" '$1 == "shared_objects" && $2 == m && $NF ~ /^source=cpython/ { print substr($NF, 8) }' <<<"$rows" | distinct; }
            draw study-objects.gp objects "free_source=$(gp_string "$(sources_of threads)");
                gil_source=$(gp_string "$(sources_of procs | awk '{ print $1 }')");
                maxw=$(cut -d, -f3 <<<"$rows" | sort -n | tail -n1)"
        fi
        continue
    fi
    for file in "scripts/gnuplot/study-$study.gp" "scripts/studies/$study.plan"; do
        [ -f "$file" ] || die "the $study study has no $file"
    done
    workload=$(awk '!/^#/ && NF { print $1; exit }' "scripts/studies/$study.plan")
    rows=$(awk -F, -v w="$workload" 'NR > 1 && $1 == w' "$csv")
    if [ -z "$rows" ]; then
        note "no measured point of $workload: no plot for the $study study"
        continue
    fi
    # awk, not grep -v: under pipefail, grep's "no line" would end the script.
    variants=$(awk -F, '$NF != "-" { print $NF }' <<<"$rows" | sort -t= -k2 -n -u | paste -sd' ' -)
    if [ -z "$variants" ]; then # every point with a variant failed
        if ! awk '!/^#/ && NF && $4 == "-" { found = 1 } END { exit !found }' "scripts/studies/$study.plan"; then
            note "no measured point of the $study study: no plot for it"
            continue
        fi
        note "no point of the $study study with a variant was measured: its page shows the others only"
    fi
    study_workers=$(cut -d, -f3 <<<"$rows" | sort -n -u | paste -sd' ' -)
    # The CPython whose points the page shows beside the model's (the plan's
    # source=cpython-newest: one interpreter), if any.
    cpython=$(awk -F, '$NF ~ /^source=cpython-/ { s = substr($NF, 8); sub(/[+].*/, "", s); print s; exit }' <<<"$rows")
    draw "study-$study.gp" "$study" "variants=$(gp_string "$variants");
        study_workers=$(gp_string "$study_workers"); maxw=${study_workers##* }; peak=$peak;
        cpython=$(gp_string "$cpython")"
done

# Each file replaces its namesake through a temporary file of its own, and
# only then go the plots this run did not draw: a plot.sh running at the
# same time never finds a file gone mid-copy, and the last to finish wins.
plots_dir=${PLOTS_DIR:-plots}
mkdir -p "$plots_dir" || die "cannot create $plots_dir"
for name in ${drawn[@]+"${drawn[@]}"}; do
    write_atomically "$plots_dir/$name" < "$out_dir/$name" || die "cannot copy the plots to $plots_dir"
done
for file in "$plots_dir"/*.png "$plots_dir"/*.svg; do
    case " ${drawn[*]-} " in *" ${file##*/} "*) ;; *) rm -f "$file" ;; esac
done
echo "gilbench: plots of $run_dir drawn in $out_dir and $plots_dir/"
