#!/bin/bash
# bench.sh - the sweep behind `make bench`: every workload x mode x worker
# count, each point timed by hyperfine, into a new results folder.
#
# Settings come from the environment (the Makefile passes the variables it
# was given; a variable that is set but empty is an error, not a default):
#   WORKLOADS            names, comma- or space-separated (default: all)
#   MODES                gil, threads, procs (default: all three)
#   WORKERS              worker counts (default: powers of two from 1 to
#                        max(8, 2 x usable CPUs), plus the usable CPU count)
#   RUNS, WARMUP         hyperfine's --runs and --warmup (default 5 and 1)
#   SWITCH_INTERVAL_US   the gil mode's switch interval (default 5000)
#   PARAMS               workload settings, WORKLOAD.NAME=VALUE, e.g. blas_dgemm.n=512
#                        (NAME units sets the workload's --units)
#   TIMEOUT              seconds one run may take (default: 120 s until a workload's
#                        first point has run, then max(30 s, 20 x its slowest run))
#   NOISE_THRESHOLD      relative spread in % above which a point is noisy (default 10)
#   QUICK=1              a first look: 3 runs, no warm-up, workers 1, CPUs, 2 x CPUs
#   STUDIES              run these studies (scripts/studies/NAME.plan, or "all")
#                        instead of the default sweep
#   BENCH_ALL=1          the default sweep and every study (make bench-all)
#   RERUN=DIR            re-measure only the noisy and failed points of the
#                        results folder DIR, with its settings, into a new folder
#   TIMELINE_WORKERS, TIMELINE_MS   the traced gil-mode runs drawn at the end
#                        when MODES has gil (scripts/timeline.sh; default 3, 200)
#   HOSTFILE             the mpi mode's machines: passed to mpirun --hostfile
#   GILBENCH             the engine binary (default build/gilbench)
#   RESULTS_DIR          where run folders go (default results)
#   PLOTS_DIR            where the latest plots are copied (default plots)
#   GILBENCH_COMMAND     the command line to record in meta.json (default: the
#                        make goal GILBENCH_GOAL and the settings given)
#
# Exit status: 0 all points measured; 1 some point failed (the others are
# measured and summarised; no row comes from a failed point) or the run
# itself could not be written; 2 a bad setting; 128+N interrupted by signal
# N (the partial folder is kept, marked incomplete).
# What a run folder holds is described in README.md ("Results").
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

# What to record as the command: make's goal and the settings it was given,
# read before any of them is changed.
if [ -z "${GILBENCH_COMMAND:-}" ]; then
    GILBENCH_COMMAND=${GILBENCH_GOAL:+make $GILBENCH_GOAL}
    GILBENCH_COMMAND=${GILBENCH_COMMAND:-scripts/bench.sh}
    for name in WORKLOADS MODES WORKERS RUNS WARMUP SWITCH_INTERVAL_US PARAMS TIMEOUT NOISE_THRESHOLD \
        QUICK STUDIES RERUN RESULTS_DIR PLOTS_DIR TIMELINE_WORKERS TIMELINE_MS PYTHON FREE_THREADED_PYTHON HOSTFILE; do
        [ "${!name+set}" != set ] || { [ "$name" = STUDIES ] && [ "${GILBENCH_GOAL:-}" = calibrate ]; } ||
            GILBENCH_COMMAND+=" $name=$(printf %q "${!name}")"
    done
fi
export GILBENCH_COMMAND

GILBENCH=${GILBENCH:-build/gilbench}
RESULTS_DIR=${RESULTS_DIR:-results}
[ -x "$GILBENCH" ] || die "no engine at $GILBENCH; run make first"
usable_cpus=$(usable_cpus)

# ---- settings, all checked before anything runs ----
for name in WORKLOADS MODES WORKERS RUNS WARMUP SWITCH_INTERVAL_US PARAMS TIMEOUT \
    NOISE_THRESHOLD QUICK STUDIES RERUN RESULTS_DIR; do
    if [ "${!name+set}" = set ] && [ -z "${!name}" ]; then
        usage "$name is empty; leave it out for the default"
    fi
done
QUICK=${QUICK:-0} BENCH_ALL=${BENCH_ALL:-0}
case $QUICK in 0|1) ;; *) usage "QUICK='$QUICK' is not accepted; accepted: 0 or 1" ;; esac
# calibrate needs Python (make calibrate): it is never part of "all".
known_studies=$(ls scripts/studies/*.plan 2>/dev/null | xargs -n1 basename 2>/dev/null | sed 's/\.plan$//' | paste -sd, -)
all_studies=$(split "$known_studies" | grep -vx calibrate | paste -sd, -)
if [ -n "${STUDIES:-}" ]; then
    [ "$BENCH_ALL" = 0 ] || usage "make bench-all runs every study; STUDIES cannot be given with it"
    for name in WORKLOADS MODES WORKERS; do
        [ -z "${!name:-}" ] || usage "$name chooses the default sweep, which STUDIES replaces; give one or the other"
    done
    [ "$STUDIES" != all ] || STUDIES=$all_studies
    studies=$(parse_list STUDIES "$STUDIES" "$known_studies") || exit 2
elif [ "$BENCH_ALL" = 1 ]; then
    studies=$all_studies
else
    studies=""
fi

rerun_of=""
if [ -n "${RERUN:-}" ]; then
    rerun_of=${RERUN%/}
    check_results_folder RERUN "$rerun_of"
    [ -s "$rerun_of/plan.tsv" ] || usage "RERUN='$rerun_of' is not a results folder (no plan.tsv)"
    for name in WORKLOADS MODES WORKERS RUNS WARMUP SWITCH_INTERVAL_US PARAMS STUDIES; do
        [ -z "${!name:-}" ] || usage "RERUN takes its settings from $rerun_of; $name cannot be given with it"
    done
    [ "$QUICK" = 0 ] && [ "$BENCH_ALL" = 0 ] ||
        usage "RERUN takes its settings from $rerun_of; QUICK and bench-all cannot be given with it"
    eval "$(jq -r '.settings | @sh "RUNS=\(.runs)", @sh "WARMUP=\(.warmup)",
        @sh "SWITCH_INTERVAL_US=\(.switch_interval_us)",
        (if (.params // "") != "" then @sh "PARAMS=\(.params)" else empty end)' \
        "$rerun_of/meta.json")" || usage "RERUN: cannot read the settings of $rerun_of/meta.json"
    # Its studies: their pages and tables are drawn again.
    studies=$(jq -r '.settings.studies // [] | join(",")' "$rerun_of/meta.json")
    # Its sweep, its MPI hosts and its interpreters, unless given now.
    WORKLOADS=$(jq -r '.settings.workloads | join(",")' "$rerun_of/meta.json")
    MODES=$(jq -r '.settings.modes | join(",")' "$rerun_of/meta.json")
    WORKERS=$(jq -r '.settings.workers | map(tostring) | join(",")' "$rerun_of/meta.json")
    HOSTFILE=${HOSTFILE:-$(jq -r '.mpi.hostfile // empty' "$rerun_of/meta.json")}
    PYTHON=${PYTHON:-$(jq -r '.python.cpython.executable // empty' "$rerun_of/meta.json")}
    FREE_THREADED_PYTHON=${FREE_THREADED_PYTHON:-$(jq -r '.python.free_threaded.executable // empty' "$rerun_of/meta.json")}
fi

default_workers() {
    local limit=$((usable_cpus * 2)) n=1
    [ "$limit" -ge 8 ] || limit=8
    if [ "$QUICK" = 1 ]; then
        printf '%s\n' 1 "$usable_cpus" $((usable_cpus * 2))
    else
        while [ "$n" -le "$limit" ]; do echo "$n"; n=$((n * 2)); done
        echo "$usable_cpus"
    fi | sort -n -u | paste -sd, -
}

all_workloads=$("$GILBENCH" list | awk '{print $1}' | paste -sd, -)
default_workloads=$("$GILBENCH" list --default | awk '{print $1}' | paste -sd, -)
workloads=$(parse_list WORKLOADS "${WORKLOADS:-$default_workloads}" "$all_workloads") || exit 2
modes=$(parse_list MODES "${MODES:-gil,threads,procs}" "gil,threads,procs,mpi") || exit 2
# The mpi mode: build/gilbench-mpi (made when Open MPI is installed) under mpirun.
# An absolute path: on other hosts (HOSTFILE) the binary must be at the same path.
# By default the MPI build beside the engine (gilbench-test: gilbench-mpi-test).
engine_name=$(basename "$GILBENCH")
GILBENCH_MPI=$(realpath -m "${GILBENCH_MPI:-$(dirname "$GILBENCH")/${engine_name/gilbench/gilbench-mpi}}")
if [[ ",$modes," == *,mpi,* ]]; then
    command -v mpirun >/dev/null && [ -x "$GILBENCH_MPI" ] ||
        usage "MODES has mpi, which needs Open MPI: apt-get install -y openmpi-bin libopenmpi-dev, then make bench again"
    if [ -n "${HOSTFILE:-}" ]; then
        [ -f "$HOSTFILE" ] && [ -r "$HOSTFILE" ] || usage "HOSTFILE='$HOSTFILE' is not a readable file"
    fi
elif [ -n "${HOSTFILE:-}" ]; then
    usage "HOSTFILE is for the mpi mode, and MODES has no mpi"
fi
workers=$(parse_number_list WORKERS "${WORKERS:-$(default_workers)}" 1 4096) || exit 2
quick_runs=5 quick_warmup=1
[ "$QUICK" = 1 ] && quick_runs=3 quick_warmup=0
runs=$(parse_number RUNS "${RUNS:-$quick_runs}" 1 1000) || exit 2
warmup=$(parse_number WARMUP "${WARMUP:-$quick_warmup}" 0 100) || exit 2
interval=$(parse_number SWITCH_INTERVAL_US "${SWITCH_INTERVAL_US:-5000}" 1 1000000) || exit 2
fixed_timeout=""
[ -z "${TIMEOUT:-}" ] || fixed_timeout=$(parse_number TIMEOUT "$TIMEOUT" 1 86400) || exit 2
noise_threshold=$(parse_number NOISE_THRESHOLD "${NOISE_THRESHOLD:-10}" 1 1000) || exit 2
# Checked now, used by scripts/timeline.sh at the end.
parse_number TIMELINE_WORKERS "${TIMELINE_WORKERS-3}" 1 64 >/dev/null || exit 2
parse_number TIMELINE_MS "${TIMELINE_MS-200}" 1 600000 >/dev/null || exit 2
# Speedups are ratios to the 1-worker time, so 1 is always measured.
case ",$workers," in
    *,1,*) ;;
    *) workers="1,$workers"; note "WORKERS: added 1, the reference of every speedup" ;;
esac

# ---- the plan: one line per point (workload, variant, mode, workers) ----
plan=$(mktemp "${TMPDIR:-/tmp}/gilbench-plan.XXXXXX") || die "cannot make a temporary file"
trap 'rm -f "$plan"' EXIT
if [ -n "$rerun_of" ]; then
    cp "$rerun_of/plan.tsv" "$plan" || die "cannot read $rerun_of/plan.tsv"
else
    sweep_plan "$workloads" "$modes" "$workers" "$studies" "$BENCH_ALL" "$(default_workers)" "$usable_cpus" \
        > "$plan" || exit 2
fi
plan_workloads=$(cut -f1 "$plan" | awk '!seen[$0]++' | paste -sd, -)
for workload in ${plan_workloads//,/ }; do
    case ",$all_workloads," in
        *",$workload,"*) ;;
        *) usage "the plan names workload '$workload', which this build does not have" ;;
    esac
done
# ---- CPython points (make calibrate): the interpreters they need ----
python="" free_threaded="" python_notes=()
if grep -qP '\tsource=cpython\t' "$plan"; then
    python=${PYTHON:-/usr/bin/python3}
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null ||
        usage "PYTHON='$python' is not a Python 3.8 or newer; install with: apt-get install -y python3"
    if grep -qP '^blas_dgemm\tsource=cpython\t' "$plan"; then
        "$python" -c 'import numpy' 2>/dev/null ||
            usage "PYTHON='$python' has no NumPy; install with: apt-get install -y python3-numpy"
    fi
    free_threaded=$(free_threaded_python "${FREE_THREADED_PYTHON:-}") || exit 2
    drop_points() { # drop_points REGEX NOTE: plan lines of CPython points
        if grep -qP "$1" "$plan"; then
            grep -vP "$1" "$plan" > "$plan.kept"; mv "$plan.kept" "$plan"
            python_notes+=("$2"); note "$2"
        fi
    }
    if [ -z "$free_threaded" ]; then
        drop_points '\tsource=cpython\tthreads\t' "no free-threaded Python (python3.14t, python3.13t or FREE_THREADED_PYTHON): the threads mode is measured without its CPython counterpart"
    elif ! PYTHON_GIL=0 "$free_threaded" -c 'import numpy' 2>/dev/null; then
        drop_points '^blas_dgemm\tsource=cpython\tthreads\t' "$free_threaded has no NumPy: blas_dgemm's threads mode is measured without its CPython counterpart"
    fi
fi
params=$(parse_params "${PARAMS:-}" "$plan_workloads") || exit 2
# Every workload and variant's settings, checked by the engine itself.
while IFS=$'\t' read -r workload variant; do
    # shellcheck disable=SC2046
    refusal=$("$GILBENCH" run --workload "$workload" --mode gil \
        $(point_options "$params" "$workload" "$variant" "$interval") --dry-run 2>&1) ||
        usage "PARAMS: ${refusal#gilbench: }"
done < <(cut -f1,2 "$plan" | sort -u)
# A workload whose workers share one process cannot run as MPI ranks.
while read -r workload; do
    refusal=$("$GILBENCH_MPI" run --workload "$workload" --mode mpi --dry-run 2>&1) ||
        usage "MODES: ${refusal#gilbench: }"
done < <(awk -F'\t' '$3 == "mpi" { print $1 }' "$plan" | sort -u)
total=$(wc -l < "$plan")
label_width=$(awk -F'\t' '{ l = length($1) + ($2 == "-" ? 0 : length($2) + 1); if (l > w) w = l } END { print (w < 12 ? 12 : w) }' "$plan")

# Points of RERUN's folder that are kept as they were: neither noisy nor failed.
declare -A kept
if [ -n "$rerun_of" ]; then
    while read -r id; do kept[$id]=1; done < <(steady_points "$rerun_of" "$noise_threshold")
fi

# ---- the run folder ----
mkdir -p "$RESULTS_DIR" 2>/dev/null || die "cannot create the results folder $RESULTS_DIR"
[ -d "$RESULTS_DIR" ] && [ -w "$RESULTS_DIR" ] || die "the results folder $RESULTS_DIR is not writable"
run_dir=$(new_run_folder "$RESULTS_DIR") || exit 1
mkdir -p "$run_dir/raw" "$run_dir/hyperfine" "$run_dir/logs" || die "cannot fill $run_dir"
: > "$run_dir/failures.tsv" || die "cannot write in $run_dir"
write_atomically "$run_dir/plan.tsv" < "$plan" || die "cannot write $run_dir/plan.tsv"

export GILBENCH
scripts/meta.sh "$run_dir/meta.json" "$workloads" "$modes" "$workers" "$runs" "$warmup" \
    "$interval" "$QUICK" "$params" "$rerun_of" "$studies" || die "cannot write $run_dir/meta.json"
if [[ ",$modes," == *,mpi,* ]]; then
    jq --arg version "$(mpirun --version 2>/dev/null | head -n1)" --arg hostfile "${HOSTFILE:-}" \
        --arg options "$(mpirun_options "${HOSTFILE:-}" | paste -sd' ' -)" \
        '.mpi = {version: $version, hostfile: (if $hostfile == "" then null else $hostfile end),
                 mpirun_options: $options}' \
        "$run_dir/meta.json" |
        write_atomically "$run_dir/meta.json" || die "cannot write $run_dir/meta.json"
fi
if [ -n "$python" ]; then
    python_versions "$python" "$free_threaded" | jq --slurpfile p /dev/stdin '.python = $p[0]' \
        "$run_dir/meta.json" | write_atomically "$run_dir/meta.json" || die "cannot write $run_dir/meta.json"
    for message in "${python_notes[@]}"; do add_warning "$run_dir/meta.json" "$message"; done
fi
load_warning=$(busy_machine_warning "$usable_cpus")
[ -z "$load_warning" ] || { note "warning: $load_warning"; add_warning "$run_dir/meta.json" "$load_warning"; }

if [ -z "$studies" ]; then
    echo "gilbench: $total points (${workloads//,/ } x ${modes//,/ } x workers ${workers//,/ }), $runs runs each after $warmup warm-up"
else
    echo "gilbench: $total points ($([ "$BENCH_ALL" = 1 ] && echo "the default sweep and ")studies ${studies//,/ }), $runs runs each after $warmup warm-up"
fi
[ -z "$rerun_of" ] || echo "gilbench: re-measuring the noisy and failed points of $rerun_of; the others are kept"
echo "gilbench: results in $run_dir"

# The suite decides the parallelism: one OpenBLAS thread per caller, set
# here so that no timed process has to re-execute itself (see bench/main.c).
export OPENBLAS_NUM_THREADS=1

# ---- interrupts: stop the point, keep the partial folder, leave latest ----
point_group=""
on_signal() {
    local name=$1 number=$2
    trap '' INT TERM HUP
    stop_group "$point_group"
    mark_interrupted "$run_dir/meta.json" "SIG$name"
    echo >&2
    note "interrupted by SIG$name: the partial results in $run_dir are kept and marked incomplete; $RESULTS_DIR/latest is unchanged"
    exit $((128 + number))
}
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM
trap 'on_signal HUP 1' HUP

# ---- the sweep ----
started=$(date +%s)
index=0 failures=0
declare -A slowest_run
while IFS=$'\t' read -r -u 3 workload variant mode n; do
    index=$((index + 1))
    label=$(point_label "$workload" "$variant")
    id="$label.$mode.$n"
    printf '[%*d/%d] %-*s %-8s %4d workers ' ${#total} "$index" "$total" "$label_width" "$label" "$mode" "$n"
    if [ -n "${kept[$id]:-}" ]; then
        for part in raw/$id.jsonl hyperfine/$id.json logs/$id.log; do
            [ ! -e "$rerun_of/$part" ] || cp "$rerun_of/$part" "$run_dir/$part" ||
                die "cannot copy $rerun_of/$part"
        done
        point_median "$run_dir/raw/$id.jsonl" "$warmup"
        printf '  (kept from %s)\n' "$(basename "$rerun_of")"
        continue
    fi
    per_run=${fixed_timeout:-$(adaptive_timeout "${slowest_run[$label]:-}")}
    # shellcheck disable=SC2206
    engine=("$GILBENCH")
    if [ "$mode" = mpi ]; then
        mapfile -t options < <(mpirun_options "${HOSTFILE:-}")
        engine=(mpirun -n "$n" "${options[@]}" "$GILBENCH_MPI")
    elif [ "$variant" = source=cpython ]; then
        engine=("$python" scripts/python/pyrun.py)
        [ "$mode" != threads ] || engine=(env PYTHON_GIL=0 "$free_threaded" scripts/python/pyrun.py)
    fi
    command=("${engine[@]}" run --workload "$workload" --mode "$mode" --workers "$n"
        $(point_options "$params" "$workload" "$variant" "$interval") --timeout "$per_run"
        --append-json "$run_dir/raw/$id.jsonl" --error-log "$run_dir/logs/$id.log")
    # timeout(1) puts hyperfine and everything under it in a process group of
    # its own: the backstop if anything hangs outside the engine's own
    # watchdog, and what an interrupt stops.
    timeout --kill-after=5 $(( (warmup + runs) * (per_run + 5) + 30 )) \
        hyperfine -N --style none --warmup "$warmup" --runs "$runs" \
        --command-name "$id" --export-json "$run_dir/hyperfine/$id.json" \
        "$(shell_words "${command[@]}")" 2>>"$run_dir/logs/$id.log" &
    point_group=$!
    wait "$point_group"
    status=$?
    point_group=""
    reason=$(point_failure "$status" "$run_dir" "$id" $((warmup + runs)))
    elapsed=$(( $(date +%s) - started ))
    if [ -n "$reason" ]; then
        failures=$((failures + 1))
        printf '%s\t%s\t%s\t%s\t%s\n' "$workload" "$variant" "$mode" "$n" "$reason" \
            >> "$run_dir/failures.tsv"
        printf 'FAILED: %s' "$reason"
    else
        point_median "$run_dir/raw/$id.jsonl" "$warmup"
        slowest=$(jq -s 'map(.seconds) | max' "$run_dir/raw/$id.jsonl")
        slowest_run[$label]=$(awk -v a="$slowest" -v b="${slowest_run[$label]:-0}" \
            'BEGIN { print (a > b ? a : b) }')
    fi
    printf '  [%s elapsed, ~%s left]\n' "$(clock "$elapsed")" \
        "$(clock $(( elapsed * (total - index) / index )))"
done 3< "$plan"

# ---- tidy data, summary, plots ----
scripts/tidy.sh "$run_dir" "$warmup" || die "cannot write the tidy data of $run_dir"
if [ -s "$run_dir/runs.tsv" ]; then
    echo
    "$GILBENCH" summarize --runs "$run_dir/runs.tsv" --processes "$run_dir/processes.tsv" \
        --csv "$run_dir/summary.csv" --table || die "cannot summarise $run_dir"
    PLOTS_DIR=${PLOTS_DIR:-plots} scripts/plot.sh "$run_dir" || die "cannot draw the plots of $run_dir"
else
    note "no point succeeded; no summary and no plots"
fi
# make calibrate: the model / CPython table.
if [[ ",$studies," == *,calibrate,* ]] && [ -s "$run_dir/summary.csv" ]; then
    echo
    scripts/calibration.sh "$run_dir" ||
        add_warning "$run_dir/meta.json" "no calibration table (scripts/calibration.sh $run_dir)"
fi
# Pictures of the GIL at work: traced runs apart from the timed ones.  A
# failure here costs the run its timelines, not its measurements.
if [[ ",$modes," == *,gil,* ]] && [ -s "$run_dir/summary.csv" ]; then
    echo
    PLOTS_DIR=${PLOTS_DIR:-plots} GILBENCH=$GILBENCH scripts/timeline.sh "$run_dir" ||
        add_warning "$run_dir/meta.json" "the GIL timelines could not be drawn (scripts/timeline.sh $run_dir)"
fi

noisy=$(noisy_points "$run_dir" "$noise_threshold")
if [ -n "$noisy" ]; then
    count=$(wc -l <<<"$noisy")
    message="$count point$([ "$count" -eq 1 ] && echo " has" || echo "s have") a spread (max/min - 1) above $noise_threshold %: $(paste -sd' ' <<<"$noisy")"
    add_warning "$run_dir/meta.json" "$message"
fi
finish_meta "$run_dir/meta.json" "$started" "$failures" || die "cannot complete $run_dir/meta.json"
if [ -s "$run_dir/summary.csv" ]; then
    scripts/report.sh "$run_dir" >/dev/null || die "cannot write the report of $run_dir"
fi
# A link of a name of its own, renamed over latest: two sweeps finishing
# together never share it.
latest_tmp=$(mktemp -u "$RESULTS_DIR/.latest.XXXXXX")
ln -s "$(basename "$run_dir")" "$latest_tmp" && mv -T "$latest_tmp" "$RESULTS_DIR/latest" ||
    { rm -f "$latest_tmp"; die "cannot point $RESULTS_DIR/latest at $run_dir"; }

echo
echo "gilbench: done in $(clock $(( $(date +%s) - started ))); results in $run_dir (also $RESULTS_DIR/latest), plots in ${PLOTS_DIR:-plots}/"
[ ! -s "$run_dir/index.html" ] || echo "gilbench: open $RESULTS_DIR/latest/index.html for the report"
[ -z "$load_warning" ] || note "warning: $load_warning"
if [ -n "$noisy" ]; then
    note "warning: $message"
    note "re-measure just those points with: make bench RERUN=$run_dir"
fi
if [ "$failures" -gt 0 ]; then
    note "$failures of $total points FAILED (no summary row or plot point comes from them):"
    while IFS=$'\t' read -r f_workload f_variant f_mode f_workers f_reason; do
        echo "  $(point_label "$f_workload" "$f_variant") $f_mode $f_workers workers: $f_reason" >&2
    done < "$run_dir/failures.tsv"
    exit 1
fi
