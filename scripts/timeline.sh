#!/bin/bash
# timeline.sh - pictures of the GIL at work: traced gil-mode runs
# (`gilbench run --trace`) drawn worker by worker with gnuplot.
#
#   timeline.sh RUN_DIR       traces cpu_loop, io_wait and convoy with the
#                             run's switch interval into RUN_DIR/timeline/
#                             (<workload>.tsv trace, .json result line, .png
#                             and .svg picture) and copies the pictures to
#                             $PLOTS_DIR (default plots/) as timeline-<workload>
#   timeline.sh --draw TRACE  draws one trace file as TRACE's name with .png
#                             and .svg in place of .tsv
#
# Settings: TIMELINE_WORKERS (default 3), TIMELINE_MS (the window drawn, from
# the start of the run; default 200), TIMELINE_WORKLOADS (default
# "cpu_loop io_wait convoy").  The traced runs are not timed runs: they
# never enter runs.csv or the summary.
set -euo pipefail
# Paths are the caller's: made absolute before moving to the repository.
arguments=()
for argument in "$@"; do
    case $argument in
        --draw|"") arguments+=("$argument") ;;
        *) arguments+=("$(realpath -m -- "$argument")") ;;
    esac
done
set -- ${arguments[@]+"${arguments[@]}"}
cd "$(dirname "$0")/.."
. scripts/lib.sh

GILBENCH=${GILBENCH:-build/gilbench}
workers=$(parse_number TIMELINE_WORKERS "${TIMELINE_WORKERS-3}" 1 64) || exit 2
window_ms=$(parse_number TIMELINE_MS "${TIMELINE_MS-200}" 1 600000) || exit 2
command -v gnuplot >/dev/null || usage "gnuplot is missing; install with: apt-get install -y gnuplot-nox"

# What timeline.awk makes of a trace, for gnuplot, and the result line of a
# traced run until it is complete: removed however the script ends.
data=$(mktemp "${TMPDIR:-/tmp}/gilbench-timeline.XXXXXX") || die "cannot make a temporary file"
data=$(realpath -- "$data") # gnuplot takes a name that starts with "<" for a command
json=""
trap 'rm -f "$data" ${json:+"$json"}' EXIT

# draw_trace TRACE BASE: BASE.png and BASE.svg from one trace file.
draw_trace() {
    local trace=$1 base=$2 header summary
    header=$(head -n1 "$trace")
    [[ $header == "# gilbench trace: "* ]] ||
        usage "'$(printable "$trace")' is not a gilbench trace (see gilbench run --trace)"
    # "workload W, mode gil, N workers, U units, switch interval I us, run S s"
    local workload n interval run_s window
    workload=$(sed -n 's/^# gilbench trace: workload \([^,]*\),.*/\1/p' <<<"$header")
    n=$(sed -n 's/.*, \([0-9]*\) workers,.*/\1/p' <<<"$header")
    interval=$(sed -n 's/.*switch interval \([0-9]*\) us.*/\1/p' <<<"$header")
    run_s=$(sed -n 's/.*, run \([0-9.]*\) s$/\1/p' <<<"$header")
    [ -n "$workload" ] && [ -n "$n" ] && [ -n "$interval" ] && [ -n "$run_s" ] ||
        usage "'$(printable "$trace")' has a malformed header line: $(printable "$header")"
    # The window ends with the run if the run is shorter.
    window=$(awk -v w="$window_ms" -v r="$run_s" 'BEGIN { r *= 1000; printf "%d", (r < w ? r + 0.999 : w) }')
    awk -v window="$window" -f scripts/gnuplot/timeline.awk "$trace" > "$data"
    summary=$(tail -n1 "$data" | awk -v lost="$(sed -n 's/^# lost events: \([0-9]*\).*/\1/p' "$trace")" '{
        printf "whole run: %d holds, mean hold %s; %d drop requests, %d forced switches, %d releases", $2, ($3 >= 0.1 ? sprintf("%.3g ms", $3) : sprintf("%.3g us", $3 * 1000)), $4, $5, $6
        if (lost > 0) printf "; %d events past the trace buffer not drawn", lost }')
    local span
    span="the first $window ms"
    awk -v r="$run_s" -v w="$window_ms" 'BEGIN { exit !(r * 1000 <= w) }' && span="the whole run ($window ms)"
    draw_plot timeline.gp "$base" "data=$(gp_string "$data"); workers=$n; window=$window;
        title_text=$(gp_string "$workload under the GIL model: $n workers, switch interval $(interval_text "$interval"), $span");
        summary=$(gp_string "$summary")"
}

if [ "${1-}" = --draw ]; then
    [ $# -eq 2 ] || usage "timeline.sh --draw takes one trace file"
    [ -f "$2" ] || usage "no trace file '$(printable "$2")'"
    draw_trace "$2" "${2%.tsv}"
    echo "gilbench: timeline in ${2%.tsv}.png and ${2%.tsv}.svg"
    exit 0
fi

[ $# -eq 1 ] || usage "timeline.sh takes one results folder (or --draw TRACE)"
run_dir=${1%/}
check_results_folder RUN "$run_dir"
available=$("$GILBENCH" list | awk '{ print $1 }' | paste -sd, -)
workloads=$(parse_list TIMELINE_WORKLOADS "${TIMELINE_WORKLOADS-cpu_loop io_wait convoy}" "$available") || exit 2
interval=$(jq -r '.settings.switch_interval_us' "$run_dir/meta.json")
out=$run_dir/timeline
mkdir -p "$out" || die "cannot create $out"
plots=${PLOTS_DIR:-plots}
mkdir -p "$plots" || die "cannot create $plots"
for wl in ${workloads//,/ }; do
    json=$(mktemp "$out/.$wl.json.XXXXXX") || die "cannot write in $out"
    "$GILBENCH" run --workload "$wl" --mode gil --workers "$workers" --switch-interval-us "$interval" \
        --timeout 300 --trace "$out/$wl.tsv" > "$json" && chmod '=rw' "$json" && mv -f "$json" "$out/$wl.json" ||
        { rm -f "$json"; die "the traced run of $wl failed"; }
    draw_trace "$out/$wl.tsv" "$out/$wl"
    # Through temporary files of their own: two runs at once never mix their pictures.
    write_atomically "$plots/timeline-$wl.png" < "$out/$wl.png" &&
        write_atomically "$plots/timeline-$wl.svg" < "$out/$wl.svg" ||
        die "cannot copy the timeline of $wl to $plots"
done
echo "gilbench: timelines in $out"
