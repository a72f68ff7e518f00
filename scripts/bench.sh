#!/bin/bash
# bench.sh - the sweep behind `make bench`: every workload x mode x worker
# count, each point timed by hyperfine, into a new results folder.
#
# Settings come from the environment (the Makefile passes the variables it
# was given; a variable that is set but empty is an error, not a default):
#   WORKLOADS            names, comma- or space-separated (default: all)
#   MODES                gil, threads, procs (default: all three), mpi, interp
#   WORKERS              worker counts (default: powers of two from 1 to
#                        max(8, 2 x usable CPUs), plus the usable CPU count)
#   RUNS                 measured runs every point gets at least: one per round
#                        (default 5; QUICK: 4, the fewest that give a 95 % interval)
#   MAX_RUNS             runs a point may get at most (default 20; QUICK: 8;
#                        RUNS given alone: RUNS, a fixed number of runs)
#   PRECISION            % half-width of a speedup's 95 % interval that ends a
#                        point's rounds (default 3)
#   RESOLUTION           % within which two ways' times are a tie for the answer
#                        (default 5): the answer's points get rounds, before
#                        other wide points and past BUDGET, until each of its
#                        comparisons is decided or a tie at this resolution
#   BUDGET               seconds of measuring after which no round beyond RUNS
#                        starts (default 2 s per point; QUICK: 0.7 s per point)
#   SEED                 the seed of the rounds' shuffled order (default: a new one)
#   WARMUP               unmeasured runs of a point before its first (default 1; QUICK: 0)
#   SWITCH_INTERVAL_US   the gil mode's switch interval (default 5000)
#   DISPATCH             shares, pool or both (default shares): each worker one
#                        share of the units, or the units as tasks of CHUNKSIZE
#                        units through a persistent pool (modes gil+pool, ...)
#   CHUNKSIZE            units per pool task (default 1)
#   PARAMS               workload settings, WORKLOAD.NAME=VALUE, e.g. blas_dgemm.n=512
#                        (NAME units sets the workload's --units)
#   TIMEOUT              seconds one run may take (default: 120 s until a workload's
#                        first point has run, then max(30 s, 20 x its slowest run))
#   QUICK=1              a first look: 4 runs, no warm-up, workers 1, CPUs, 2 x CPUs,
#                        half of each workload's default units
#   STUDIES              run these studies (scripts/studies/NAME.plan, or "all")
#                        instead of the default sweep
#   BENCH_ALL=1          the default sweep and every study (make bench-all)
#   RERUN=DIR            re-measure the series (workload, variant, mode) of DIR
#                        with a failed point or one wider than its PRECISION,
#                        whole, with DIR's settings, into a new folder
#   TIMELINE_WORKERS, TIMELINE_MS   the traced gil-mode runs drawn at the end
#                        when MODES has gil (sweep timeline; default 3, 200)
#   HOSTFILE             the mpi mode's machines: passed to mpirun --hostfile
#   MPI_HOSTS_DOWN       refuse (default) or leave: a host of HOSTFILE that does
#                        not answer ssh before the first point ends the sweep,
#                        or is left out of the hosts the mpi points use
#   DRY_RUN=1            print the plan, its expected time and the limits it
#                        meets; run nothing (PLAN_CPUS=N: for N usable CPUs;
#                        ESTIMATE_FROM=DIR: the run whose unit times it uses)
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
# What a run folder holds is described in docs/results.md.
set -uo pipefail
sweep_started=$(date +%s.%N)
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

# What to record as the command: make's goal and the settings it was given,
# read before any of them is changed.
if [ -z "${GILBENCH_COMMAND:-}" ]; then
    GILBENCH_COMMAND=${GILBENCH_GOAL:+make $GILBENCH_GOAL}
    GILBENCH_COMMAND=${GILBENCH_COMMAND:-scripts/bench.sh}
    for name in WORKLOADS MODES DISPATCH CHUNKSIZE WORKERS RUNS MAX_RUNS PRECISION RESOLUTION BUDGET SEED WARMUP \
        SWITCH_INTERVAL_US PARAMS TIMEOUT QUICK STUDIES RERUN RESULTS_DIR PLOTS_DIR TIMELINE_WORKERS TIMELINE_MS PYTHON FREE_THREADED_PYTHON HOSTFILE MPI_HOSTS_DOWN; do
        [ "${!name+set}" != set ] || { [ "$name" = STUDIES ] && [ "${GILBENCH_GOAL:-}" = calibrate ]; } ||
            GILBENCH_COMMAND+=" $name=$(printf %q "${!name}")"
    done
fi
export GILBENCH_COMMAND

GILBENCH=${GILBENCH:-build/gilbench}
RESULTS_DIR=${RESULTS_DIR:-results}
[ -x "$GILBENCH" ] || die "no engine at $GILBENCH; run make first"
usable_cpus=$(usable_cpus)
# DRY_RUN=1: the plan, its expected time and the limits it meets, nothing
# run (python3 scripts/sweep estimate); PLAN_CPUS=N plans it for N usable CPUs.
DRY_RUN=${DRY_RUN:-0}
case $DRY_RUN in 0|1) ;; *) usage "DRY_RUN='$DRY_RUN' is not accepted; accepted: 0 or 1" ;; esac
if [ -n "${PLAN_CPUS:-}" ]; then
    [ "$DRY_RUN" = 1 ] || usage "PLAN_CPUS plans a sweep for another machine, so it needs DRY_RUN=1; a sweep runs on the CPUs it has"
    usable_cpus=$(parse_number PLAN_CPUS "$PLAN_CPUS" 1 4096) || exit 2
fi

# ---- settings, all checked before anything runs ----
for name in WORKLOADS MODES DISPATCH CHUNKSIZE WORKERS RUNS MAX_RUNS PRECISION RESOLUTION BUDGET SEED WARMUP \
    SWITCH_INTERVAL_US PARAMS TIMEOUT QUICK STUDIES RERUN RESULTS_DIR DRY_RUN PLAN_CPUS ESTIMATE_FROM; do
    if [ "${!name+set}" = set ] && [ -z "${!name}" ]; then
        usage "$name is empty; leave it out for the default"
    fi
done
[ -z "${NOISE_THRESHOLD+set}" ] ||
    usage "NOISE_THRESHOLD is replaced by PRECISION: the % half-width of a speedup's interval that is enough (default 3)"
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
    for name in WORKLOADS MODES DISPATCH CHUNKSIZE WORKERS RUNS MAX_RUNS PRECISION RESOLUTION SEED WARMUP \
        SWITCH_INTERVAL_US PARAMS STUDIES; do
        [ -z "${!name:-}" ] || usage "RERUN takes its settings from $rerun_of; $name cannot be given with it"
    done
    [ "$QUICK" = 0 ] && [ "$BENCH_ALL" = 0 ] ||
        usage "RERUN takes its settings from $rerun_of; QUICK and bench-all cannot be given with it"
    eval "$(jq -r '.settings | @sh "RUNS=\(.runs)", @sh "WARMUP=\(.warmup)",
        @sh "SWITCH_INTERVAL_US=\(.switch_interval_us)",
        @sh "MAX_RUNS=\(.max_runs // .runs)", @sh "PRECISION=\(.precision_pct // 3)",
        @sh "RESOLUTION=\(.resolution_pct // 5)",
        @sh "CHUNKSIZE=\(.chunksize // 1)",
        (if (.params // "") != "" then @sh "PARAMS=\(.params)" else empty end)' \
        "$rerun_of/meta.json")" || usage "RERUN: cannot read the settings of $rerun_of/meta.json"
    # Its studies: their pages and tables are drawn again.
    studies=$(jq -r '.settings.studies // [] | join(",")' "$rerun_of/meta.json")
    # Its sweep and its MPI hosts, unless given now.
    WORKLOADS=$(jq -r '.settings.workloads | join(",")' "$rerun_of/meta.json")
    MODES=$(jq -r '.settings.modes | join(",")' "$rerun_of/meta.json")
    WORKERS=$(jq -r '.settings.workers | map(tostring) | join(",")' "$rerun_of/meta.json")
    HOSTFILE=${HOSTFILE:-$(jq -r '.mpi.hostfile // empty' "$rerun_of/meta.json")}
    [ -z "${PYTHON:-}${FREE_THREADED_PYTHON:-}" ] ||
        usage "RERUN runs the CPython points on the interpreters of $rerun_of/meta.json; PYTHON and FREE_THREADED_PYTHON cannot be given with it"
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
c_workloads=$all_workloads
default_workloads=$("$GILBENCH" list --default | awk '{print $1}' | paste -sd, -)
# Python workloads: the files workloads/<name>.py without a C twin, run by
# scripts/pyrun under the ways Python offers.
lister=$(listing_python)
python_listing=$(python_workload_list "$c_workloads" "$lister") ||
    die "cannot list the Python workload files (scripts/pyrun list)"
# Files that cannot be named in WORKLOADS (a name with ?: a space, a
# character that is not ASCII) and files that a C workload's name shadows
# are not Python workloads; make list says why.
python_all=$(awk -F'\t' 'NF && $4 != "shadowed" && $1 !~ /[?]/ { print $1 }' <<<"$python_listing" | paste -sd, -)
all_workloads+=${python_all:+,$python_all}
if [ -z "$lister" ] && [ -n "${WORKLOADS:-}" ]; then
    for workload in $(split "$WORKLOADS"); do
        [ ! -f "workloads/$workload.py" ] || [ -f "workloads/$workload.c" ] ||
            usage "WORKLOADS: $workload is a Python workload (workloads/$workload.py), and this machine has no python3; install with: apt-get install -y python3"
    done
fi
workloads=$(parse_list WORKLOADS "${WORKLOADS:-$default_workloads}" "$all_workloads") || exit 2
python_workloads=$(split "$workloads" | awk -v p=",$python_all," 'index(p, "," $0 ",")' | paste -sd, -)
workloads=$(split "$workloads" | awk -v p=",$python_all," '!index(p, "," $0 ",")' | paste -sd, -)
# A Python workload's file that cannot be run costs one line about that
# file: it is left out and the other workloads run (the sweep then exits 1,
# as with a failed point), or, when nothing else was asked for, the line is
# the sweep's usage error.
left_out=()
declare -A left=()
leave_out() { # leave_out WORKLOAD LINE
    local remaining
    remaining=$(split "$python_workloads" | grep -vxF -- "$1" | paste -sd, -)
    [ -n "$remaining$workloads" ] || usage "WORKLOADS: $2"
    python_workloads=$remaining left[$1]=1
    left_out+=("$2")
    note "WORKLOADS: $2; $1 is left out"
    if [ -f "${plan:-}" ]; then
        awk -F'\t' -v w="$1" '$1 != w' "$plan" > "$plan.left" && mv "$plan.left" "$plan" || die "cannot write $plan"
    fi
}
for workload in ${python_workloads//,/ }; do
    bad=$(awk -F'\t' -v w="$workload" '$1 == w && $4 == "bad" { print $5 }' <<<"$python_listing")
    [ -z "$bad" ] || leave_out "$workload" "$bad"
done
for workload in ${workloads//,/ }; do
    shadowed=$(awk -F'\t' -v w="$workload" '$1 == w && $4 == "shadowed" { print $5 }' <<<"$python_listing")
    [ -z "$shadowed" ] || note "$shadowed"
done
modes=$(parse_list MODES "${MODES:-gil,threads,procs}" "gil,threads,procs,mpi,interp,forkserver,spawn") || exit 2
dispatch=$(parse_list DISPATCH "${DISPATCH:-shares}" "shares,pool") || exit 2
chunksize=$(parse_number CHUNKSIZE "${CHUNKSIZE:-1}" 1 1000000000) || exit 2
# A Python workload's pool tasks are its CHUNKSIZE's size unless CHUNKSIZE is given.
python_chunksize=${CHUNKSIZE:+$chunksize}
[[ ",$dispatch," == *,pool,* && ",$modes," == *,mpi,* ]] &&
    usage "DISPATCH=pool: the mpi mode has no pool (its ranks each take a share); leave mpi out of MODES or pool out of DISPATCH"
# The ways a point runs: each mode with each dispatch (gil, gil+pool, ...):
# the engine's modes for the C workloads; for the Python ones, Python's
# (by default every one: threading on each build, multiprocessing's three
# start methods, the two executors, subinterpreters).
ways_of() { # ways_of MODES: each with each dispatch
    local mode
    for mode in ${1//,/ }; do
        [[ ",$dispatch," != *,shares,* ]] || echo "$mode"
        [[ ",$dispatch," != *,pool,* ]] || echo "$mode+pool"
    done | paste -sd, -
}
ways=$(ways_of "$(split "$modes" | grep -vxE 'forkserver|spawn' | paste -sd, -)")
if [ -z "${MODES:-}${DISPATCH:-}" ]; then
    python_ways=$PYTHON_DEFAULT_WAYS
else
    # No executor of interpreters (3.14's) or of spawned processes here.
    python_ways=$(ways_of "$(split "$modes" | grep -vx mpi | paste -sd, -)" |
        tr , '\n' | grep -vxE '(forkserver|spawn|interp)[+]pool' | paste -sd, -)
fi
[ -z "$workloads" ] || [ -n "$ways" ] ||
    usage "MODES='$modes': forkserver and spawn are Python's start methods, for Python workloads only; give the C workloads gil, threads, procs, mpi or interp"
[ -z "$python_workloads" ] || [ -n "$python_ways" ] ||
    usage "MODES='$modes': Python workloads run under $PYTHON_MODES (mpi is the C workloads')"
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
case ${MPI_HOSTS_DOWN:-refuse} in
    refuse|leave) ;;
    *) usage "MPI_HOSTS_DOWN='$MPI_HOSTS_DOWN' is not accepted; accepted: refuse (the default: a host of HOSTFILE that does not answer ends the sweep before its first point) or leave (the mpi points run on the other hosts)" ;;
esac
workers=$(parse_number_list WORKERS "${WORKERS:-$(default_workers)}" 1 4096) || exit 2
quick_runs=5 quick_max_runs=20 quick_warmup=1
[ "$QUICK" = 1 ] && quick_runs=4 quick_max_runs=8 quick_warmup=0
runs=$(parse_number RUNS "${RUNS:-$quick_runs}" 1 1000) || exit 2
# RUNS given without MAX_RUNS fixes the number of runs, as it always did.
max_default=$quick_max_runs
[ -z "${RUNS:-}" ] || max_default=$runs
max_runs=$(parse_number MAX_RUNS "${MAX_RUNS:-$max_default}" 1 1000) || exit 2
[ "$max_runs" -ge "$runs" ] || usage "MAX_RUNS='$max_runs' is below RUNS ($runs): a point gets at least RUNS runs"
precision=$(parse_number PRECISION "${PRECISION:-3}" 1 100) || exit 2
resolution=$(parse_number RESOLUTION "${RESOLUTION:-5}" 1 50) || exit 2
# How often the rounds look at one comparison of an answer: after RUNS
# runs and after each run up to MAX_RUNS (the answer's confidence counts them).
looks=$((max_runs - runs + 1))
seed=$(parse_number SEED "${SEED:-$(( 10#$(date +%N) % 1000000 ))}" 0 999999999) || exit 2
warmup=$(parse_number WARMUP "${WARMUP:-$quick_warmup}" 0 100) || exit 2
interval=$(parse_number SWITCH_INTERVAL_US "${SWITCH_INTERVAL_US:-5000}" 1 1000000) || exit 2
fixed_timeout=""
[ -z "${TIMEOUT:-}" ] || fixed_timeout=$(parse_number TIMEOUT "$TIMEOUT" 1 86400) || exit 2
# What a Python workload's loading and check may take: a first run's limit.
first_limit=$fixed_timeout
[ -n "$first_limit" ] || adaptive_timeout_into first_limit ""
[ -z "${BUDGET:-}" ] || parse_number BUDGET "$BUDGET" 1 604800 >/dev/null || exit 2
# Checked now, used by sweep timeline at the end.
parse_number TIMELINE_WORKERS "${TIMELINE_WORKERS-3}" 1 64 >/dev/null || exit 2
parse_number TIMELINE_MS "${TIMELINE_MS-200}" 1 600000 >/dev/null || exit 2
# Speedups are ratios to the 1-worker time, so 1 is always measured.
case ",$workers," in
    *,1,*) ;;
    *) workers="1,$workers"; note "WORKERS: added 1, the reference of every speedup" ;;
esac

# ---- the plan: one line per point (workload, variant, mode, workers) ----
# A sweep killed with SIGKILL as a whole (its keeper with it) left its
# folder: removed now that its owner is gone.
remove_orphaned_folders "${TMPDIR:-/tmp}/gilbench-live.*"
remove_orphaned_folders "/dev/shm/gilbench-mpi.*" # MPI ranks' shared memory, below
live=$(mktemp -d "${TMPDIR:-/tmp}/gilbench-live.XXXXXX") || die "cannot make a temporary folder"
# The sweep's keeper, for when it is killed without a chance to clean up
# (SIGKILL): it waits, without polling, for the end of a pipe that only
# this script holds (the point's commands are started without it), then
# stops the point that was running (the process group in $live/point) and
# removes the sweep's temporary files (all in $live).  After a normal end
# it finds nothing to stop.
exec {keeper_fd}> >(
    exec >/dev/null 2>&1
    trap '' INT TERM HUP
    cat
    group=$(cat "$live/point")
    [ -z "$group" ] || kill -KILL -- "-$group"
    stop_tagged "$(cat "$live/point_tag" 2>/dev/null)"
    [ ! -s "$live/mpi_shm" ] || rm -rf "$(cat "$live/mpi_shm")"
    rm -rf "$live"
)
keeper_pid=$!
# Written once the keeper watches the folder: what tells a later sweep whether its owner is gone.
mark_owner "$live" || die "cannot write in $live"
# A normal end: the keeper's pipe closed and the keeper waited for, so that
# it is this script's to reap, not init's.
trap 'exec {keeper_fd}>&-; wait "$keeper_pid" 2>/dev/null; rm -rf "$live" ${mpi_shm:+"$mpi_shm"}' EXIT
plan=$live/plan.tsv
if [ -n "$rerun_of" ]; then
    cp "$rerun_of/plan.tsv" "$plan" || die "cannot read $rerun_of/plan.tsv"
else
    sweep_plan "$workloads" "$ways" "$workers" "$studies" "$BENCH_ALL" "$(default_workers)" "$usable_cpus" \
        "$python_workloads" "$python_ways" > "$plan" || exit 2
fi
# make calibrate DISPATCH=pool: the model and CPython through their pools
# (and as shares too when DISPATCH has both), pool against pool.
if [ -z "$rerun_of" ] && [[ ",$dispatch," == *,pool,* ]] && grep -qP '^[^\t]*\tsource=' "$plan"; then
    awk -F'\t' -v OFS='\t' -v shares="$([[ ",$dispatch," == *,shares,* ]] && echo 1)" '
        $2 ~ /^source=/ && $3 !~ /[+]pool$/ && $3 != "spawn" { if (shares) print; $3 = $3 "+pool"; print; next } { print }' \
        "$plan" > "$plan.ways" && mv "$plan.ways" "$plan" || die "cannot write $plan"
fi
plan_workloads=$(cut -f1 "$plan" | awk '!seen[$0]++' | paste -sd, -)
# A rerun's Python workloads are those of its plan.
[ -z "$rerun_of" ] || python_workloads=$(split "$plan_workloads" | awk -v p=",$python_all," 'index(p, "," $0 ",")' | paste -sd, -)
for workload in ${plan_workloads//,/ }; do
    case ",$all_workloads," in
        *",$workload,"*) ;;
        *) usage "the plan names workload '$workload', which this build does not have" ;;
    esac
done
# ---- CPython points (make calibrate): the interpreters they need ----
# The plan's source=cpython becomes one source per interpreter that can run
# the point's mode: source=cpython-3.13.5 (threading, multiprocessing) on a
# build with the GIL, source=cpython-3.13.5t (threading, PYTHON_GIL=0) on a
# free-threaded one; source=cpython-newest only the newest of each kind (the
# startup and memory studies).  A rerun takes its interpreters from its
# meta.json.  Without a Python, a study other than calibrate leaves its
# CPython points out.
interpreters="" python_notes=()
declare -A interpreter_kind=() interpreter_python=()
if grep -qP '\tsource=cpython(-[^\t+]*)?(\+[^\t]*)?\t' "$plan"; then
    if [ -n "$rerun_of" ]; then
        interpreters=$(jq -r '.python.interpreters // [] | .[] | [.source, .kind, .executable] | @tsv' \
            "$rerun_of/meta.json")
    elif [ -z "${PYTHON:-}" ] && [[ ",$studies," != *,calibrate,* ]] &&
        ! interpreter_line gil /usr/bin/python3 >/dev/null 2>&1; then
        python_notes+=("no python3 (apt-get install -y python3): the studies' CPython points are left out")
        note "${python_notes[-1]}"
        awk -F'\t' '$2 !~ /^source=cpython/' "$plan" > "$plan.sources" && mv "$plan.sources" "$plan" ||
            die "cannot write $plan"
    else
        interpreters=$(cpython_interpreters) || exit 2
    fi
    while IFS=$'\t' read -r cpython_source kind python; do
        [ -n "$cpython_source" ] || continue
        interpreter_kind[$cpython_source]=$kind interpreter_python[$cpython_source]=$python
        note "CPython points on $python ($cpython_source$([ "$kind" = gil ] || echo ", free-threaded: PYTHON_GIL=0"))"
    done <<<"$interpreters"
    if [ -z "$rerun_of" ]; then
        # interp <-> subinterpreters with a GIL each, on a GIL build that has
        # them (3.13's _interpreters); under a pool only with 3.14's
        # InterpreterPoolExecutor, which pyrun does not drive.
        subinterpreters=" "
        if grep -qP '\tsource=cpython(-newest)?(\+[^\t]*)?\tinterp\t' "$plan"; then
            while IFS=$'\t' read -r cpython_source kind python; do
                [ "$kind" = gil ] || continue
                if env $(python_env gil) "$python" -c 'import _interpreters' >/dev/null 2>&1; then
                    subinterpreters+="$cpython_source "
                else
                    python_notes+=("$python ($cpython_source) has no subinterpreters (_interpreters, CPython 3.13 or later): its interp points are left out")
                    note "${python_notes[-1]}"
                fi
            done <<<"$interpreters"
        fi
        if grep -qP '\tsource=cpython(-newest)?(\+[^\t]*)?\tinterp\+pool\t' "$plan"; then
            python_notes+=("interp+pool has no CPython counterpart here (InterpreterPoolExecutor is CPython 3.14's)")
            note "${python_notes[-1]}"
        fi
        newest=" "
        for kind in gil free; do
            newest+="$(awk -F'\t' -v k="$kind" '$2 == k { print $1 }' <<<"$interpreters" | sort -V | tail -n1) "
        done
        awk -F'\t' -v OFS='\t' -v list="$interpreters" -v subinterpreters="$subinterpreters" -v newest="$newest" '
            BEGIN { n = split(list, line, "\n"); for (i = 1; i <= n; i++) { split(line[i], f, "\t"); source[i] = f[1]; kind[i] = f[2] } }
            $2 ~ /^source=cpython(-newest)?([+]|$)/ {
                if ($3 == "interp+pool") next
                only_newest = $2 ~ /^source=cpython-newest/
                settings = $2; sub(/^source=cpython(-newest)?/, "", settings) # +write=1, ...
                mode = $3; sub(/[+]pool$/, "", mode)
                for (i = 1; i <= n; i++) {
                    if (source[i] == "" || (kind[i] == "free") != (mode == "threads")) continue
                    if (only_newest && index(newest, " " source[i] " ") == 0) continue
                    if (mode == "interp" && index(subinterpreters, " " source[i] " ") == 0) continue
                    print $1, "source=" source[i] settings, $3, $4
                }
                next
            }
            { print }' "$plan" > "$plan.sources" && mv "$plan.sources" "$plan" || die "cannot write $plan"
        if ! grep -q $'\tfree\t' <<<"$interpreters" && grep -qP '\tsource=model\tthreads(\+pool)?\t' "$plan"; then
            python_notes+=("no free-threaded Python (make pythons builds one; or python3.14t, python3.13t, FREE_THREADED_PYTHON): the threads mode is measured without its CPython counterpart")
            note "${python_notes[-1]}"
        fi
    fi
fi
# ---- Python workloads: the interpreters that run them ----
# Each one runs on the newest interpreter of each kind that can load it (its
# imports: NumPy may be on one Python only): one with its GIL for every way
# but threads, a free-threaded one for threads.  The threads ways without
# such a Python are left out with one line, as is each way the chosen Python
# cannot run (pyrun --dry-run's exit 3, below).
declare -A python_for=()
notes_after_checks=() # lines said once every workload is checked (a refusal is then the only line)
if [ -n "$python_workloads" ]; then
    if [ -n "$rerun_of" ]; then
        candidates=$(jq -r '.python.interpreters // [] | .[] | [.source, .kind, .executable] | @tsv' \
            "$rerun_of/meta.json")
    else
        candidates=$(cpython_interpreters) || exit 2
    fi
    while IFS=$'\t' read -r cpython_source kind python; do
        [ -n "$cpython_source" ] || continue
        interpreter_kind[$cpython_source]=$kind interpreter_python[$cpython_source]=$python
    done <<<"$candidates"
    newest_first=$(sort -t$'\t' -k1,1Vr <<<"$candidates")
    for workload in ${python_workloads//,/ }; do
        declare -A load_reason=([gil]="" [free]="")
        for kind in gil free; do
            [ -z "${left[$workload]:-}" ] || break
            while IFS=$'\t' read -r cpython_source candidate_kind python; do
                [ "$candidate_kind" = "$kind" ] || continue
                # Loading the file runs it: bounded, as a run is.
                # shellcheck disable=SC2046
                why=$(bounded "$first_limit" "$live/load.$workload" env $(python_env "$kind") "$python" \
                    scripts/pyrun run --workload "$workload" \
                    --mode "$([ "$kind" = gil ] && echo gil || echo threads)" --dry-run 2>&1)
                case $? in
                    0) python_for[$workload.$kind]=$cpython_source; break ;;
                    3) load_reason[$kind]=${load_reason[$kind]:-${why#gilbench: }} ;; # this Python lacks something: the next one
                    124) leave_out "$workload" "workloads/$workload.py: loading the file (running its top level) did not end within $first_limit s"; break ;;
                    *) leave_out "$workload" "${why#gilbench: }"; break ;;  # the file itself
                esac
            done <<<"$newest_first"
        done
        [ -z "${left[$workload]:-}" ] || continue
        if [ -z "${python_for[$workload.gil]:-}" ]; then
            leave_out "$workload" "no Python here with a GIL can run $workload: ${load_reason[gil]:-none found (apt-get install -y python3)}"
            continue
        fi
        if [ -z "${python_for[$workload.free]:-}" ] && awk -F'\t' -v w="$workload" '$1 == w && $3 ~ /^threads/ { f = 1 } END { exit !f }' "$plan"; then
            python_notes+=("$workload: the threading (free-threaded) ways are left out: ${load_reason[free]:-no free-threaded Python here (make pythons builds one; or FREE_THREADED_PYTHON)}")
            notes_after_checks+=("${python_notes[-1]}")
            awk -F'\t' -v w="$workload" '!($1 == w && $3 ~ /^threads/)' "$plan" > "$plan.ways" && mv "$plan.ways" "$plan" ||
                die "cannot write $plan"
        fi
        # Said (as what is left out) once every setting is checked, so that
        # a refusal is the only line.
        notes_after_checks+=("$workload (workloads/$workload.py) on ${interpreter_python[${python_for[$workload.gil]}]} (${python_for[$workload.gil]})${python_for[$workload.free]:+ and, free-threaded, ${interpreter_python[${python_for[$workload.free]}]} (${python_for[$workload.free]})}")
    done
    # meta.json's interpreters: those of the CPython points and these.
    interpreters=$(printf '%s\n%s\n' "$interpreters" "$candidates" | awk -F'\t' 'NF == 3 && !seen[$1]++')
fi
params=$(parse_params "${PARAMS:-}" "$plan_workloads") || exit 2
# QUICK=1 is a first look: half of each workload's default work per run
# (unless PARAMS sets its units), so that its rounds fit in about 30 s.
given_params=$params
declare -A default_units=()
while read -r workload units; do
    default_units[$workload]=$units
done < <("$GILBENCH" run --help | sed -n 's/^  \([a-z_0-9]*\) (default \([0-9]*\) units,.*/\1 \2/p' |
    awk -v keep=",$plan_workloads," 'index(keep, "," $1 ",")'
    awk -F'\t' -v keep=",$python_workloads," '$2 ~ /^[0-9]+$/ && index(keep, "," $1 ",") { print $1, $2 }' <<<"$python_listing")
if [ "$QUICK" = 1 ] && [ -z "$rerun_of" ]; then
    for workload in "${!default_units[@]}"; do
        [[ " $params " == *" $workload.units="* ]] ||
            params+="${params:+ }$workload.units=$(( (${default_units[$workload]} + 1) / 2 ))"
    done
fi
# Every worker of every point gets work, on any machine: a workload whose
# units (its default, or QUICK's half) are fewer than the workers of its
# largest point (times the units of a task, under a pool) runs that many
# units instead, in every point (one line says so).  Units that PARAMS
# gives are kept: a point they leave a worker idle in is refused (the
# dry runs below), as `gilbench run` and pyrun refuse it.
if [ -z "$rerun_of" ]; then
    while read -r workload need; do
        [[ " $given_params " != *" $workload.units="* ]] && [ -n "${default_units[$workload]:-}" ] || continue
        units=${default_units[$workload]}
        [ "$QUICK" != 1 ] || units=$(( (units + 1) / 2 ))
        [ "$need" -gt "$units" ] || continue
        # A workload whose idle workers are what it measures (startup) runs as it is.
        [[ ",$python_workloads," == *",$workload,"* ]] ||
            ! "$GILBENCH" run --workload "$workload" --mode gil --workers "$need" --units "$units" --dry-run \
                >/dev/null 2>&1 || continue
        params=$(awk -v w="$workload." '{ for (i = 1; i <= NF; i++) if (index($i, w "units=") != 1) printf "%s%s", (n++ ? " " : ""), $i }' <<<"$params")
        params+="${params:+ }$workload.units=$need"
        # Said once every workload is checked, so that a refusal is the only line.
        notes_after_checks+=("$workload: $need units a run instead of $units, so that each worker of its largest point has work")
    done < <(awk -F'\t' -v c="$chunksize" '
        { per = 1
          if ($3 ~ /[+]pool$/) { per = c; if (match($2, /(^|[+])chunksize=[0-9]+/)) { per = substr($2, RSTART, RLENGTH); sub(/.*=/, "", per) } }
          if ($4 * per > need[$1]) need[$1] = $4 * per }
        END { for (w in need) print w, need[w] }' "$plan" | sort)
fi
# point_engine VARIANT WORKLOAD WAY: sets engine to what runs a point that
# is not an MPI one: the C engine, or pyrun on the interpreter its source
# names (make calibrate) or its Python workload's of the way's kind; and
# point_chunksize to the units per task to ask for.
point_engine() {
    local source="" setting kind=gil
    engine=("$GILBENCH") point_chunksize=$chunksize
    for setting in ${1//+/ }; do
        [ "${setting%%=*}" != source ] || { source=${setting#*=}; break; }
    done
    if [[ ",$python_workloads," == *",$2,"* ]]; then
        point_chunksize=$python_chunksize
        [ "${3%+pool}" != threads ] || kind=free
        source=${python_for[$2.$kind]:-}
    fi
    if [ -n "$source" ] && [ -n "${interpreter_kind[$source]:-}" ]; then
        # shellcheck disable=SC2207
        engine=(env $(python_env "${interpreter_kind[$source]}") "${interpreter_python[$source]}" scripts/pyrun)
    fi
}
# Every workload, variant and dispatch's settings, checked by what runs
# them.  A way a Python workload's interpreter cannot run (exit 3: no
# subinterpreters, a module or a setup that a subinterpreter refuses) is
# left out with one line.
unavailable=""
while IFS=$'\t' read -r workload variant way most_workers; do
    [ -z "${left[$workload]:-}" ] || continue
    [ "${way%+pool}" != mpi ] || way=gil
    point_engine "$variant" "$workload" "$way"
    # At its largest worker count: a point that would leave workers idle is refused.
    # shellcheck disable=SC2046
    refusal=$(bounded "$first_limit" "$live/load.$workload" "${engine[@]}" run --workload "$workload" \
        $(way_options "$way" "$variant" "$point_chunksize") --workers "$most_workers" \
        $(point_options "$params" "$workload" "$variant" "$interval") --dry-run 2>&1)
    status=$?
    if [[ ",$python_workloads," == *",$workload,"* ]] && [ "$status" -ne 0 ]; then
        case $status in
            3)
                python_notes+=("$workload: $(python_way_name "$way") is left out: ${refusal#gilbench: }")
                notes_after_checks+=("${python_notes[-1]}")
                unavailable+="$workload"$'\t'"$way"$'\n' ;;
            2) [[ $refusal == *"gilbench: workloads/$workload.py"* ]] || usage "PARAMS: ${refusal#gilbench: }"
                leave_out "$workload" "${refusal#gilbench: }" ;;
            124) leave_out "$workload" "workloads/$workload.py: loading the file (running its top level) under $(python_way_name "$way") did not end within $first_limit s" ;;
            *) leave_out "$workload" "${refusal#gilbench: }" ;;
        esac
    elif [ "$status" -ne 0 ]; then
        usage "PARAMS: ${refusal#gilbench: }"
    fi
done < <(awk -F'\t' -v OFS='\t' '{ k = $1 OFS $2 OFS $3; if (!(k in most) || $4 + 0 > most[k]) most[k] = $4 + 0 }
                  END { for (k in most) print k, most[k] }' "$plan" | sort)
if [ -n "$unavailable" ]; then
    awk -F'\t' 'NR == FNR { if (NF) gone[$1 "\t" $2] = 1; next } !(($1 "\t" $3) in gone)' \
        <(printf '%s' "$unavailable") "$plan" > "$plan.ways" && mv "$plan.ways" "$plan" || die "cannot write $plan"
fi
# A Python workload's file, tried once with its settings before any point:
# setup(), work() on unit 0 and its check (a bad file is one line, exit 2).
# It runs under the first run's limit, with stdin from /dev/null; what it
# leaves is stopped.
for workload in ${python_workloads//,/ }; do
    point_engine - "$workload" gil
    # shellcheck disable=SC2046
    refusal=$(bounded $((first_limit + 10)) "$live/check.$workload" "${engine[@]}" check --workload "$workload" \
        --timeout "$first_limit" \
        $(point_options "$params" "$workload" - "$interval" | sed 's/--switch-interval-us [0-9]* //; s/--units [0-9]* //') 2>&1)
    status=$?
    [ "$status" -eq 0 ] && continue
    refusal=$(grep '^gilbench: ' <<<"$refusal" | tail -n 1)
    [ -n "$refusal" ] || refusal="workloads/$workload.py: its check (setup(), work() on unit 0, check()) $(status_words "$status")"
    leave_out "$workload" "${refusal#gilbench: }"
done
for message in "${notes_after_checks[@]}"; do
    [ -z "${left[${message%%[ :]*}]:-}" ] && note "$message"
done
# A workload whose workers share one process cannot run as MPI ranks.
while read -r workload; do
    refusal=$("$GILBENCH_MPI" run --workload "$workload" --mode mpi --dry-run 2>&1) ||
        usage "MODES: ${refusal#gilbench: }"
done < <(awk -F'\t' '$3 == "mpi" { print $1 }' "$plan" | sort -u)
# The hosts of HOSTFILE, asked once before the first point: one that does
# not answer would fail every mpi point one by one.  Refused in one line
# naming it, or (MPI_HOSTS_DOWN=leave) left out of the hostfile the points
# use, in one line.  The MPI daemons an earlier sweep from here left on a
# host (cut off mid-run, it kept its orted) are removed, and this sweep's
# daemons carry its mark (GILBENCH_ORTED, through Open MPI's launch agent).
hosts_left_out="" hostfile_given=${HOSTFILE:-}
if [ -n "${HOSTFILE:-}" ] && grep -qP '\tmpi$|\tmpi\t' "$plan"; then
    ask_hosts "$HOSTFILE" "$live/hosts" "$LIST_MARKED_DAEMONS"
    mapfile -t silent < <(silent_in "$live/hosts")
    if [ ${#silent[@]} -gt 0 ]; then
        words=$(hosts_words "${silent[@]}")
        [ "${MPI_HOSTS_DOWN:-refuse}" = leave ] ||
            usage "HOSTFILE: $words of $HOSTFILE do$([ ${#silent[@]} -gt 1 ] || echo es) not answer ssh within 5 s: every mpi point would fail there; bring $([ ${#silent[@]} -gt 1 ] && echo them || echo it) back, or give MPI_HOSTS_DOWN=leave to run the mpi points on the other hosts"
        sed 's/#.*//' "$HOSTFILE" | awk -v gone=" ${silent[*]} " 'NF && index(gone, " " $1 " ") == 0' > "$live/hostfile"
        [ -s "$live/hostfile" ] || usage "HOSTFILE: $words of $HOSTFILE do not answer ssh within 5 s, and no other host is left"
        note "HOSTFILE: $words of $HOSTFILE do$([ ${#silent[@]} -gt 1 ] || echo es) not answer ssh within 5 s: the mpi points run on the other hosts (MPI_HOSTS_DOWN=leave)"
        hosts_left_out=$(printf '%s\n' "${silent[@]}")
        HOSTFILE=$live/hostfile
        # The mpi points of more ranks than the hosts left have slots
        # (when every line says its slots) would fail: left out, in one line.
        slots=$(awk '{ if (match($0, /slots=[0-9]+/)) n += substr($0, RSTART + 6, RLENGTH - 6); else unknown = 1 }
            END { if (!unknown) print n + 0 }' "$HOSTFILE")
        if [ -n "$slots" ]; then
            too_many=$(awk -F'\t' -v s="$slots" '$3 ~ /^mpi([+]|$)/ && $4 > s { print $1 " " $4 }' "$plan" | sort -u | paste -sd, - | sed 's/,/, /g')
            if [ -n "$too_many" ]; then
                awk -F'\t' -v s="$slots" '!($3 ~ /^mpi([+]|$)/ && $4 > s)' "$plan" > "$plan.slots" && mv "$plan.slots" "$plan" ||
                    die "cannot write $plan"
                note "HOSTFILE: the hosts left have $slots slot$([ "$slots" = 1 ] || echo s): the mpi points of more ranks are left out ($too_many)"
            fi
        fi
    fi
    for listing in "$live/hosts"/*; do
        [ -f "$listing" ] && [[ $listing != *.silent ]] || continue
        mapfile -t stale < <(stale_daemons "$listing")
        [ ${#stale[@]} -gt 0 ] || continue
        host=$(basename "$listing")
        reach_host "$host" kill -KILL "${stale[@]}" </dev/null >/dev/null 2>&1
        note "host $host: removed ${#stale[@]} MPI daemon$([ ${#stale[@]} -eq 1 ] || echo s) (orted) that an earlier sweep from here left there"
    done
fi
if [[ ",$modes," == *,mpi,* ]]; then
    export OMPI_MCA_orte_launch_agent="env GILBENCH_ORTED=$(hostname 2>/dev/null):$$:$(process_start $$) ${OMPI_MCA_orte_launch_agent:-orted}"
fi
# On one machine, the ranks' shared-memory files (Open MPI's vader, 4 MiB a
# rank) go to a folder of this sweep's in /dev/shm, removed with it: a rank
# killed mid-run (a failed point, an interrupted sweep) leaves its files,
# which would otherwise stay in /dev/shm, in memory, until a reboot.  A
# folder of a sweep that is gone is removed too.  (Across hosts the folder
# would have to exist on each: there Open MPI keeps its default.)
mpi_shm=""
if [[ ",$modes," == *,mpi,* ]] && [ -z "${HOSTFILE:-}" ] && [ -z "${OMPI_MCA_btl_vader_backing_directory:-}" ] &&
    [ -d /dev/shm ] && [ -w /dev/shm ]; then
    if mpi_shm=$(mktemp -d /dev/shm/gilbench-mpi.XXXXXX 2>/dev/null); then
        mark_owner "$mpi_shm"
        echo "$mpi_shm" > "$live/mpi_shm"
        export OMPI_MCA_btl_vader_backing_directory=$mpi_shm
    else
        mpi_shm=""
    fi
fi
[ -s "$plan" ] || usage "no point is left to run (see the lines above)"
total=$(wc -l < "$plan")

budget=${BUDGET:-$(awk -v n="$total" -v q="$QUICK" 'BEGIN { print int(n * (q == 1 ? 0.7 : 2) + 0.5) }')}

if [ "$DRY_RUN" = 1 ]; then
    for workload in $(cut -f1 "$plan" | awk '!seen[$0]++'); do
        units=${default_units[$workload]:-}
        for setting in $params; do [ "${setting%%=*}" != "$workload.units" ] || units=${setting#*=}; done
        echo "$workload ${units:-?}"
    done > "$live/units"
    reference=${ESTIMATE_FROM:-$RESULTS_DIR/latest}
    [ -d "$reference" ] || { [ -z "${ESTIMATE_FROM:-}" ] || usage "ESTIMATE_FROM='$ESTIMATE_FROM' is not a results folder"; reference=""; }
    /usr/bin/python3 scripts/sweep estimate "$plan" "$live/units" "$usable_cpus" "$runs" "$warmup" "$max_runs" "$reference"
    exit
fi

# Points of RERUN's folder that are kept as they were: those of every series
# (workload, variant, mode) with no failed point and no point wider than the
# folder's PRECISION.  A series is re-measured whole, so that no speedup
# divides one session's time by another's.
declare -A kept=()
if [ -n "$rerun_of" ]; then
    while read -r id; do kept[$id]=1; done < <(steady_series_points "$rerun_of" "$precision")
fi

# ---- the run folder ----
mkdir -p "$RESULTS_DIR" 2>/dev/null || die "cannot create the results folder $RESULTS_DIR"
[ -d "$RESULTS_DIR" ] && [ -w "$RESULTS_DIR" ] || die "the results folder $RESULTS_DIR is not writable"
run_dir=$(new_run_folder "$RESULTS_DIR") || exit 1
mkdir -p "$run_dir/raw" "$run_dir/hyperfine" "$run_dir/logs" || die "cannot fill $run_dir"
: > "$run_dir/failures.tsv" || die "cannot write in $run_dir"
printf 'round\tposition\tworkload\tvariant\tmode\tworkers\tstarted_utc\tseconds\tstatus\n' \
    > "$run_dir/schedule.tsv" || die "cannot write in $run_dir"
: > "$run_dir/noise.tsv" || die "cannot write in $run_dir"
# The three files each point appends to, open for the whole sweep: a write
# to an open file cannot meet a changed mode, so no point's line is lost to
# a shell error (require_writable_run_folder then stops the sweep).
exec {schedule_fd}>>"$run_dir/schedule.tsv" {noise_fd}>>"$run_dir/noise.tsv" \
    {failures_fd}>>"$run_dir/failures.tsv" || die "cannot write in $run_dir"
write_atomically "$run_dir/plan.tsv" < "$plan" || die "cannot write $run_dir/plan.tsv"

export GILBENCH
/usr/bin/python3 scripts/sweep machine "$run_dir/meta.json" "$workloads${python_workloads:+${workloads:+,}$python_workloads}" "$modes" "$workers" "$runs" "$warmup" \
    "$interval" "$QUICK" "$params" "$rerun_of" "$studies" || die "cannot write $run_dir/meta.json"
jq --argjson max_runs "$max_runs" --argjson precision "$precision" --argjson budget "$budget" \
    --argjson seed "$seed" \
    --arg dispatch "$dispatch" --argjson chunksize "$chunksize" \
    --argjson default_sweep "$([ -z "$studies" ] || [ "$BENCH_ALL" = 1 ] && echo true || echo false)" \
    --argjson resolution "$resolution" \
    '.settings += {max_runs: $max_runs, precision_pct: $precision, resolution_pct: $resolution, confidence: 0.95,
                   budget_s: $budget, seed: $seed, dispatch: ($dispatch | split(",")), chunksize: $chunksize,
                   default_sweep: $default_sweep}' "$run_dir/meta.json" |
    write_atomically "$run_dir/meta.json" || die "cannot write $run_dir/meta.json"
# The hostfile's lines too (it may be gone by the time the run is read),
# and the OMPI_MCA_* variables mpirun takes its settings from.
if [[ ",$modes," == *,mpi,* ]]; then
    jq --arg version "$(mpirun --version 2>/dev/null | head -n1)" --arg hostfile "$hostfile_given" \
        --arg hosts "$([ -z "${HOSTFILE:-}" ] || sed 's/#.*//; s/[[:space:]]*$//' "$HOSTFILE" | grep .)" \
        --arg left "$hosts_left_out" \
        --arg options "$(mpirun_options "${HOSTFILE:-}" | paste -sd' ' -)" \
        '.mpi = {version: $version, hostfile: (if $hostfile == "" then null else $hostfile end),
                 hostfile_lines: (if $hostfile == "" then null else ($hosts | split("\n") | map(select(. != ""))) end),
                 hosts_left_out: ($left | split("\n") | map(select(. != ""))),
                 mpirun_options: $options,
                 environment: (env | with_entries(select(.key | startswith("OMPI_MCA_"))))}' \
        "$run_dir/meta.json" |
        write_atomically "$run_dir/meta.json" || die "cannot write $run_dir/meta.json"
fi
if [ -n "$interpreters" ]; then
    python_versions <<<"$interpreters" | jq --slurpfile p /dev/stdin '.python = $p[0]' \
        "$run_dir/meta.json" | write_atomically "$run_dir/meta.json" || die "cannot write $run_dir/meta.json"
    for message in "${python_notes[@]}"; do add_warning "$run_dir/meta.json" "$message"; done
fi

# The Python workloads: their files, interpreters and checks, for the
# report; and the words their answer lines give (summarize's options).
answer_options=()
for way in ${PYTHON_DEFAULT_WAYS//,/ } threads+pool; do
    answer_options+=(--way-name "$way=$(python_way_name "$way")")
done
if [ -n "$python_workloads" ]; then
    python_entries=""
    for workload in ${python_workloads//,/ }; do
        gil_source=${python_for[$workload.gil]} free_source=${python_for[$workload.free]:-}
        answer_options+=(--python-workload "$workload=${gil_source/cpython-/CPython }${free_source:+, free-threaded ${free_source#cpython-}}")
        python_entries+=$(awk -F'\t' -v w="$workload" '$1 == w' <<<"$python_listing" |
            jq -cR --arg gil "$gil_source" --arg free "$free_source" 'split("\t") |
                {name: .[0], file: ("workloads/" + .[0] + ".py"), units: (.[1] | tonumber), unit: .[2],
                 checked: (.[3] == "checked"), description: .[4], python: $gil,
                 free_threaded_python: (if $free == "" then null else $free end)}')$'\n'
    done
    jq -s . <<<"$python_entries" | jq --slurpfile w /dev/stdin '.python_workloads = $w[0]' "$run_dir/meta.json" |
        write_atomically "$run_dir/meta.json" || die "cannot write $run_dir/meta.json"
    for workload in ${python_workloads//,/ }; do
        [ "$(awk -F'\t' -v w="$workload" '$1 == w { print $4 }' <<<"$python_listing")" != unchecked ] ||
            add_warning "$run_dir/meta.json" "$workload (workloads/$workload.py) has no check(): its results are unchecked" ||
            die "cannot write $run_dir/meta.json"
    done
fi

for message in "${left_out[@]}"; do
    add_warning "$run_dir/meta.json" "left out: $message" || die "cannot write $run_dir/meta.json"
done

if [ -z "$studies" ]; then
    python_part=""
    [ -z "$python_workloads" ] ||
        python_part="; Python: ${python_workloads//,/ } x $(cut -f1,3 "$plan" | awk -F'\t' -v p=",$python_workloads," 'index(p, "," $1 ",") && !seen[$2]++ { print $2 }' | paste -sd' ' -)"
    echo "gilbench: $total points (${workloads:+${workloads//,/ } x ${ways//,/ } x }workers ${workers//,/ }$python_part)$([[ ",$dispatch," != *,pool,* ]] || echo "; a pool's task is $chunksize unit$([ "$chunksize" = 1 ] || echo s)")"
else
    echo "gilbench: $total points ($([ "$BENCH_ALL" = 1 ] && echo "the default sweep and ")studies ${studies//,/ })"
fi
echo "gilbench: in rounds that take every point once, in an order shuffled per round (seed $seed):"
echo "gilbench:   $runs runs a point at least, then first the points each answer still needs (until it is"
echo "gilbench:   decided or a tie within ±$resolution %), then those whose speedup is not yet known to ±$precision %"
echo "gilbench:   (95 % interval), at most $max_runs runs, no new round for the latter after ${budget} s;"
echo "gilbench:   $warmup warm-up run$([ "$warmup" = 1 ] || echo s) first"
[ -z "$rerun_of" ] || echo "gilbench: re-measuring the series of $rerun_of with a failed or wide point; the others are kept"
echo "gilbench: results in $run_dir"

# The suite decides the parallelism: one OpenBLAS thread per caller, set
# here so that no timed process has to re-execute itself (see bench/commands/main.c).
export OPENBLAS_NUM_THREADS=1

# ---- interrupts: stop the point, keep the partial folder, leave latest ----
point_group="" point_tag=""
on_signal() {
    local name=$1 number=$2
    trap '' INT TERM HUP
    stop_group "$point_group"
    stop_tagged "$point_tag"
    mark_interrupted "$run_dir/meta.json" "SIG$name"
    echo >&2
    note "interrupted by SIG$name: the partial results in $run_dir are kept and marked incomplete; $RESULTS_DIR/latest is unchanged"
    exit $((128 + number))
}
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM
trap 'on_signal HUP 1' HUP

# A run folder that can no longer be written (its permissions changed, its
# file system full or read-only) ends the sweep with one line, before any
# of the point's lines would fail: its partial results stay, without
# "complete": true, and latest is left as it was.
require_writable_run_folder() {
    local dir
    for dir in "$run_dir" "$run_dir/raw" "$run_dir/logs" "$run_dir/hyperfine"; do
        folder_writable "$dir" || run_folder_unwritable "$dir"
    done
}
run_folder_unwritable() { # run_folder_unwritable PATH: the sweep's end, PATH what failed
    die "the run folder $run_dir can no longer be written ($1): the sweep stops; its partial results are kept, incomplete, and $RESULTS_DIR/latest is unchanged"
}

# ---- the sweep: interleaved rounds ----
# Each round runs every active point once (one hyperfine call of one run),
# in an order shuffled afresh, so that a drift of the machine's speed lands
# on every point alike and every N-worker run has runs of its 1-worker
# baseline near it in time.  The first call of a point also makes its
# warm-up runs.  What was run, when, is in schedule.tsv; the noise around
# each call (other processes' CPU time, steal, the clock) in noise.tsv.
started=$(date +%s) rounds_started=$(date +%s.%N)
failures=0
declare -A slowest_run calls failed_point point_command
mapfile -t points < <(awk -F'\t' '{ print $1 "\t" $2 "\t" $3 "\t" $4 }' "$plan")
active=()
for entry in "${points[@]}"; do
    IFS=$'\t' read -r workload variant mode n <<<"$entry"
    point_label_into label "$workload" "$variant"
    id="$label.$mode.$n"
    if [ -n "${kept[$id]:-}" ]; then
        for part in "$rerun_of/raw/$id.jsonl" "$rerun_of/logs/$id.log" "$rerun_of"/hyperfine/"$id".*.json; do
            [ ! -e "$part" ] || cp "$part" "$run_dir/${part#"$rerun_of"/}" || die "cannot copy $part"
        done
        [ ! -f "$rerun_of/noise.tsv" ] || awk -F'\t' -v id="$id" '$1 == id' "$rerun_of/noise.tsv" >> "$run_dir/noise.tsv"
        continue
    fi
    calls[$id]=0
    active+=("$entry")
done
measured=("${active[@]}")
[ ${#kept[@]} -eq 0 ] || echo "gilbench: ${#kept[@]} points kept from $(basename "$rerun_of")"
: > "$live/runs.tsv"
other_total=0 ticks_total=0
round=0 budget_spent=""
while [ ${#active[@]} -gt 0 ]; do
    round=$((round + 1))
    now_us round_started
    position=0 round_failed=""
    mapfile -t order < <(printf '%s\n' "${active[@]}" | shuffle_lines "$((seed + round))")
    for entry in "${order[@]}"; do
        IFS=$'\t' read -r workload variant mode n <<<"$entry"
        point_label_into label "$workload" "$variant"
        id="$label.$mode.$n"
        position=$((position + 1))
        per_run=$fixed_timeout
        [ -n "$per_run" ] || adaptive_timeout_into per_run "${slowest_run[$label]:-}"
        require_writable_run_folder
        point_engine "$variant" "$workload" "$mode"
        # hyperfine drops the command's output; mpirun's own messages (a
        # host that cannot be reached, a daemon or rank lost) are kept in
        # the point's log, where point_failure reads them.
        output=()
        if [ "$mode" = mpi ]; then
            mapfile -t options < <(mpirun_options "${HOSTFILE:-}")
            engine=(mpirun -n "$n" "${options[@]}" "$GILBENCH_MPI")
            output=(--output inherit)
        fi
        # The command as hyperfine takes it, one string of quoted words: a
        # point's settings, found once (its first call), then its call's own.
        if [ -z "${point_command[$id]:-}" ]; then
            # shellcheck disable=SC2207
            command=("${engine[@]}" run --workload "$workload" $(way_options "$mode" "$variant" "$point_chunksize") --workers "$n"
                $(point_options "$params" "$workload" "$variant" "$interval"))
            # A Python workload that declares itself DETERMINISTIC has a value
            # its check() accepted once accepted again by equality.
            [[ ",$python_workloads," != *",$workload,"* ]] || command+=(--accepted "$live/accepted.$workload.tsv")
            shell_words_into words "${command[@]}"
            point_command[$id]=$words
        fi
        shell_words_into call_words --timeout "$per_run" --append-json "$run_dir/raw/$id.jsonl" \
            --error-log "$run_dir/logs/$id.log"
        call_warmup=0
        [ "${calls[$id]}" -gt 0 ] || call_warmup=$warmup
        results=()
        [ ! -f "$run_dir/raw/$id.jsonl" ] || mapfile -t results < "$run_dir/raw/$id.jsonl"
        lines_before=${#results[@]}
        calls[$id]=$((${calls[$id]} + 1))
        cpu_ticks_into before
        now_us call_started
        { exec {log_fd}>>"$run_dir/logs/$id.log"; } 2>/dev/null || run_folder_unwritable "$run_dir/logs/$id.log"
        # timeout(1) puts hyperfine and everything under it in a process group of
        # its own: the backstop if anything hangs outside the engine's own
        # watchdog, and what an interrupt stops.
        # GILBENCH_POINT marks every process of the point, also those outside its group.
        point_tag="$run_dir/$id.${calls[$id]}"
        echo "$point_tag" > "$live/point_tag"
        GILBENCH_POINT=$point_tag timeout --kill-after=5 $(( (call_warmup + 1) * (per_run + 5) + 30 )) \
            hyperfine -N --style none "${output[@]}" --warmup "$call_warmup" --runs 1 \
            --command-name "$id" --export-json "$run_dir/hyperfine/$id.${calls[$id]}.json" \
            "${point_command[$id]} $call_words" >/dev/null 2>&"$log_fd" {keeper_fd}>&- {log_fd}>&- {schedule_fd}>&- \
            {noise_fd}>&- {failures_fd}>&- &
        point_group=$!
        echo "$point_group" > "$live/point"
        wait "$point_group"
        status=$?
        point_group=""
        : > "$live/point"
        # What the call left running outside its group (a workload's
        # process that outlives its run carries the tag): stopped after
        # every call, not only after a failed one.
        stop_tagged "$point_tag"
        point_tag=""
        : > "$live/point_tag"
        exec {log_fd}>&-
        cpu_ticks_into after
        now_us call_ended
        require_writable_run_folder
        # A call that exited 0 with its result lines is measured; anything
        # else is told apart by point_failure.
        results=()
        [ ! -f "$run_dir/raw/$id.jsonl" ] || mapfile -t results < "$run_dir/raw/$id.jsonl"
        reason=""
        [ "$status" -eq 0 ] && [ ${#results[@]} -eq $((lines_before + call_warmup + 1)) ] ||
            reason=$(point_failure "$status" "$run_dir" "$id" $((lines_before + call_warmup + 1)))
        # An mpi point that timed out across hosts: a host that vanished mid-run
        # (its network cut, its power lost) is named by no one; ask them.
        if [[ $mode == mpi && -n ${HOSTFILE:-} && $reason == *"timed out"* ]]; then
            silent=$(silent_hosts "$HOSTFILE")
            verb=does
            [[ $silent != hosts* ]] || verb=do
            [ -z "$silent" ] || reason+="; $silent $verb not answer ssh now"
        fi
        utc_stamp_into stamp "$call_started"
        us_seconds_into call_seconds $((call_ended - call_started))
        call_status=ok
        [ -z "$reason" ] || call_status=failed
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$position" "$workload" "$variant" "$mode" "$n" \
            "$stamp" "$call_seconds" "$call_status" >&"$schedule_fd"
        # CPU ticks of other processes and of the hypervisor during the call
        call_noise_into noise "$before" "$after"
        read -r other steal ticks <<<"$noise"
        cpu_mhz_into mhz
        other_total=$((other_total + other)) ticks_total=$((ticks_total + ticks))
        [ "$other" -ge 0 ] || other=0
        if [ "$ticks" -gt 0 ]; then
            printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$other" "$steal" "$ticks" "$mhz"
        else
            printf '%s\t-\t-\t-\t%s\n' "$id" "$mhz"
        fi >&"$noise_fd"
        if [ -n "$reason" ]; then
            failures=$((failures + 1))
            failed_point[$id]=1
            # Its earlier runs stay in raw/ (and runs.csv, marked), but the
            # answer and the rounds no longer count them.
            awk -F'\t' -v OFS='\t' -v w="$workload" -v v="$variant" -v m="$mode" -v n="$n" \
                '!($1 == w && $2 == v && $3 == m && $4 == n)' "$live/runs.tsv" > "$live/runs.tsv.kept" &&
                mv "$live/runs.tsv.kept" "$live/runs.tsv"
            printf '%s\t%s\t%s\t%s\t%s\n' "$workload" "$variant" "$mode" "$n" "$reason" >&"$failures_fd"
            printf '[round %d] %s %s %d workers FAILED: %s\n' "$round" "$label" "$mode" "$n" "$reason"
            round_failed+=" $id"
            continue
        fi
        # The run's time, from the last line the engine appended.
        seconds=""
        [[ ${results[-1]} =~ \"seconds\":([-+0-9.eE]+) ]] && seconds=${BASH_REMATCH[1]}
        printf '%s\t%s\t%s\t%s\t%s\t0\t0\t0\t0\n' "$workload" "$variant" "$mode" "$n" "$seconds" >> "$live/runs.tsv"
        seconds_to_us "$seconds" run_us
        seconds_to_us "${slowest_run[$label]:-0}" slowest_us
        [ "$run_us" -le "$slowest_us" ] || slowest_run[$label]=$seconds
    done
    elapsed=$(( $(date +%s) - started ))
    now_us round_ended
    us_seconds_into round_seconds $((round_ended - round_started))
    round_seconds=${round_seconds%??}
    # The next round: points below RUNS; then, up to MAX_RUNS, the points
    # an answer still needs (its leader, the ways not yet told apart from
    # it, the baseline), whatever the budget; and while the budget lasts,
    # points whose speedup is still wider than PRECISION (with their
    # 1-worker baseline).
    mapfile -t still < <(wide_live_points "$live" "$usable_cpus" "$precision")
    mapfile -t deciding < <(deciding_live_points "$live" "$usable_cpus" "$resolution" "$looks" "$max_runs")
    next=()
    declare -A wide_series=() wide=() needed=()
    for id in "${still[@]}"; do wide_series[${id%.*}]=1 wide[$id]=1; done
    for id in "${deciding[@]}"; do needed[$id]=1; done
    wanted_more=0 answer_rounds=0
    for entry in "${measured[@]}"; do
        IFS=$'\t' read -r workload variant mode n <<<"$entry"
        point_label_into label "$workload" "$variant"
        id="$label.$mode.$n"
        [ -z "${failed_point[$id]:-}" ] || continue
        done_runs=${calls[$id]}
        if [ "$done_runs" -lt "$runs" ]; then
            next+=("$entry")
        elif [ "$done_runs" -lt "$max_runs" ] && [ -n "${needed[$id]:-}" ]; then
            next+=("$entry")
            answer_rounds=$((answer_rounds + 1))
        elif [ "$done_runs" -lt "$max_runs" ] &&
            { [ -n "${wide[$id]:-}" ] || { [ "$n" = 1 ] && [ -n "${wide_series[${id%.*}]:-}" ]; }; }; then
            wanted_more=1
            [ "$elapsed" -lt "$budget" ] && next+=("$entry")
        fi
    done
    unset wide_series wide needed
    printf '[round %d] %d point%s in %s s; %d deciding an answer, %d still wider than ±%s %%  [%s elapsed]\n' "$round" \
        "${#active[@]}" "$([ ${#active[@]} -eq 1 ] || echo s)" "$round_seconds" "$answer_rounds" "${#still[@]}" "$precision" \
        "$(clock "$elapsed")"
    if [ "$wanted_more" = 1 ] && [ "$elapsed" -ge "$budget" ] && [ -z "$budget_spent" ]; then
        budget_spent=1
        echo "gilbench: the budget of $budget s is spent; ${#still[@]} points stay wider than ±$precision % (BUDGET or MAX_RUNS buys more rounds)"
    fi
    active=("${next[@]}")
done
rounds_ended=$(date +%s.%N)
busy_share=$(awk -v o="$other_total" -v t="$ticks_total" 'BEGIN { if (t > 0) printf "%.3f", (o < 0 ? 0 : o) / t }')
jq --argjson rounds "$round" --arg share "$busy_share" \
    '.rounds = $rounds | .other_cpu_share = (if $share == "" then null else ($share | tonumber) end)' \
    "$run_dir/meta.json" | write_atomically "$run_dir/meta.json" || die "cannot write $run_dir/meta.json"
load_warning=""
if awk -v s="$busy_share" 'BEGIN { exit !(s != "" && s > 0.10) }'; then
    load_warning="other processes used $(awk -v s="$busy_share" 'BEGIN { printf "%.0f", s * 100 }') % of the CPUs' time while the points ran: timings may be disturbed (see each point's other_cpu_share)"
    add_warning "$run_dir/meta.json" "$load_warning"
fi

# ---- tidy data, summary, plots ----
/usr/bin/python3 scripts/sweep tidy "$run_dir" "$warmup" || die "cannot write the tidy data of $run_dir"
if [ -s "$run_dir/runs.tsv" ]; then
    echo
    "$GILBENCH" summarize --runs "$run_dir/runs.tsv" --processes "$run_dir/processes.tsv" \
        --csv "$run_dir/summary.csv" --cpus "$usable_cpus" --precision "$precision" --table ||
        die "cannot summarise $run_dir"
    for form in answer decision; do
        "$GILBENCH" summarize --runs "$run_dir/runs.tsv" --processes "$run_dir/processes.tsv" \
            --cpus "$usable_cpus" --"$form" --resolution "$resolution" --looks "$looks" "${answer_options[@]}" |
            write_atomically "$run_dir/$form.txt" || die "cannot write $run_dir/$form.txt"
    done
    PLOTS_DIR=${PLOTS_DIR:-plots} /usr/bin/python3 scripts/sweep plots "$run_dir" || die "cannot draw the plots of $run_dir"
else
    note "no point succeeded; no summary and no plots, and $RESULTS_DIR/latest is unchanged"
fi
# make calibrate: the model / CPython table.
if [[ ",$studies," == *,calibrate,* ]] && [ -s "$run_dir/summary.csv" ]; then
    echo
    /usr/bin/python3 scripts/sweep calibration "$run_dir" ||
        add_warning "$run_dir/meta.json" "no calibration table (python3 scripts/sweep calibration $run_dir)"
fi
# Pictures of the GIL at work: traced runs apart from the timed ones.  A
# failure here costs the run its timelines, not its measurements.
if [[ ",$modes," == *,gil,* ]] && [ -n "$workloads" ] && [ -s "$run_dir/summary.csv" ]; then
    echo
    PLOTS_DIR=${PLOTS_DIR:-plots} GILBENCH=$GILBENCH /usr/bin/python3 scripts/sweep timeline "$run_dir" ||
        add_warning "$run_dir/meta.json" "the GIL timelines could not be drawn (python3 scripts/sweep timeline $run_dir)"
fi

# Points the budget left wider than PRECISION, and points the machine
# disturbed: said in meta.json (and so the report) and on the terminal.
wide=$(wide_points "$run_dir" "$precision")
if [ -n "$wide" ]; then
    count=$(wc -l <<<"$wide")
    wide_message="$count point$([ "$count" -eq 1 ] && echo " is" || echo "s are") known to less than ±$precision % at 95 % (their interval's half-width): $(paste -sd' ' <<<"$wide")"
    add_warning "$run_dir/meta.json" "$wide_message"
    jq --arg list "$wide" '.wide_points = ($list | split("\n") | map(capture("^(?<id>[^ ]+) \\(±(?<pct>[0-9.]+) %\\)$") | {id, precision_pct: (.pct | tonumber)}))' \
        "$run_dir/meta.json" | write_atomically "$run_dir/meta.json" || die "cannot write $run_dir/meta.json"
fi
disturbed=$(disturbed_points "$run_dir")
if [ -n "$disturbed" ]; then
    disturbed_message="other processes or the hypervisor took more than 10 % of the CPUs during: $(paste -sd' ' <<<"$disturbed")"
    add_warning "$run_dir/meta.json" "$disturbed_message"
fi
# Where the sweep's time went (meta.json's harness, one line at the end).
harness_line=$(/usr/bin/python3 scripts/sweep harness_cost "$run_dir" "$warmup" "$sweep_started" "$rounds_started" "$rounds_ended") ||
    die "cannot account for the time of $run_dir"
finish_meta "$run_dir/meta.json" "$started" "$failures" || die "cannot complete $run_dir/meta.json"
if [ -s "$run_dir/summary.csv" ]; then
    /usr/bin/python3 scripts/sweep report "$run_dir" >/dev/null || die "cannot write the report of $run_dir"
fi
# A link of a name of its own, renamed over latest: two sweeps finishing
# together never share it.  A sweep of which no point succeeded has no
# summary, plots or report to show: latest stays where it was.
also_latest=""
if [ -s "$run_dir/summary.csv" ]; then
    latest_tmp=$(mktemp -u "$RESULTS_DIR/.latest.XXXXXX")
    ln -s "$(basename "$run_dir")" "$latest_tmp" && mv -T "$latest_tmp" "$RESULTS_DIR/latest" ||
        { rm -f "$latest_tmp"; die "cannot point $RESULTS_DIR/latest at $run_dir"; }
    also_latest=" (also $RESULTS_DIR/latest)"
fi

echo
echo "gilbench: done in $(clock $(( $(date +%s) - started ))) ($round rounds); results in $run_dir$also_latest, plots in ${PLOTS_DIR:-plots}/"
[ ! -s "$run_dir/index.html" ] || echo "gilbench: open $RESULTS_DIR/latest/index.html for the report"
echo "$harness_line"
[ -z "$load_warning" ] || note "warning: $load_warning"
[ -z "$wide" ] || { note "warning: $wide_message"; note "re-measure their series with: make bench RERUN=$run_dir"; }
[ -z "$disturbed" ] || note "warning: $disturbed_message"
if [ -s "$run_dir/answer.txt" ]; then
    echo
    echo "The answer, from this run (at the usable CPU count, each way's speed against the fastest one-worker"
    echo "way, 95 % interval; decided, a tie within ±$resolution % or undecided: the ways' times compared directly;"
    echo "≈: a tie or not yet told apart from the leader; docs/statistics.md):"
    sed 's/^/  /' "$run_dir/answer.txt"
fi
if [ ${#left_out[@]} -gt 0 ]; then
    note "${#left_out[@]} of the workloads asked for $([ ${#left_out[@]} -eq 1 ] && echo was || echo were) left out (why: above, and in meta.json's warnings): $(printf '%s\n' "${!left[@]}" | sort | paste -sd' ' -)"
fi
if [ "$failures" -gt 0 ]; then
    note "$failures of $total points FAILED (no summary row or plot point comes from them; runs they made before are kept in runs.csv, marked point_failed):"
    while IFS=$'\t' read -r f_workload f_variant f_mode f_workers f_reason; do
        echo "  $(point_label "$f_workload" "$f_variant") $f_mode $f_workers workers: $f_reason" >&2
    done < "$run_dir/failures.tsv"
fi
[ "$failures" -eq 0 ] && [ ${#left_out[@]} -eq 0 ] || exit 1
