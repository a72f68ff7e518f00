#!/bin/bash
# meta.sh - writes a run folder's meta.json: the machine, the build, the
# tools and the settings of the sweep, so that a result can be read (and
# compared) without the machine it ran on.  The run starts incomplete;
# bench.sh marks it complete at the end.
# Usage: meta.sh FILE WORKLOADS MODES WORKERS RUNS WARMUP INTERVAL_US QUICK PARAMS RERUN_OF STUDIES
# (the points themselves are in the run folder's plan.tsv)
# Anything read from the machine may be missing elsewhere (no "model name"
# on ARM, no git checkout in a release tarball, a tool without a version
# line): it is then null, with a warning, and never stops the sweep.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh
out=$1 workloads=$2 modes=$3 workers=$4 runs=$5 warmup=$6 interval=$7 quick=$8 params=$9 rerun_of=${10} studies=${11}
GILBENCH=${GILBENCH:-build/gilbench}
warnings=()
unknown() { # unknown WHAT: records that WHAT could not be read
    warnings+=("$1 unknown: $2")
    note "warning: $1 unknown: $2"
}

# first_line COMMAND...: the first line COMMAND prints, or nothing.
first_line() {
    "$@" 2>/dev/null | awk 'NR == 1 { print; exit }'
}

cpuinfo=${GILBENCH_CPUINFO:-/proc/cpuinfo}
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' "$cpuinfo" 2>/dev/null)
[ -n "$cpu_model" ] ||
    cpu_model=$(LC_ALL=C lscpu 2>/dev/null | awk -F': *' '/^Model name/ { print $2; exit }')
[ -n "$cpu_model" ] || unknown "CPU model" "no 'model name' in $cpuinfo and none from lscpu"
cpus_online=$(getconf _NPROCESSORS_ONLN 2>/dev/null)
case $cpus_online in "" | *[!0-9]*) cpus_online=null; unknown "online CPUs" "getconf _NPROCESSORS_ONLN gave nothing" ;; esac
os=$( (. /etc/os-release && echo "${PRETTY_NAME:-}") 2>/dev/null)
[ -n "$os" ] || unknown "OS" "no PRETTY_NAME in /etc/os-release"
# The commit of this checkout, not of a repository that happens to enclose
# it (a release tarball unpacked inside another project).
commit=""
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$(pwd -P)" ]; then
    commit=$(git rev-parse HEAD 2>/dev/null)
    if [ -n "$commit" ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
        commit="$commit (with uncommitted changes)"
    fi
fi
[ -n "$commit" ] || unknown "git commit" "$(pwd -P) is not a git checkout"
hyperfine_version=$(first_line hyperfine --version)
[ -n "$hyperfine_version" ] || unknown "hyperfine version" "hyperfine --version printed nothing"
gnuplot_version=$(first_line gnuplot --version)
[ -n "$gnuplot_version" ] || unknown "gnuplot version" "gnuplot --version printed nothing"
loadavg=$(awk '{ print "[" $1 "," $2 "," $3 "]" }' /proc/loadavg 2>/dev/null)
jq -e . <<<"$loadavg" >/dev/null 2>&1 || { loadavg=null; unknown "load average" "/proc/loadavg cannot be read"; }
build=$("$GILBENCH" info) || die "$GILBENCH info failed"
# The single-core FMA peak, measured (not the nominal clock), for the study
# that compares BLAS GFLOP/s with it.
peak=null
case ",$studies," in
    *,blas_threads,*) peak=$("$GILBENCH" peak | jq '.fma_gflops_single_core') || peak=null ;;
esac

jq -n \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg host "$(uname -n)" \
    --arg command "${GILBENCH_COMMAND:-scripts/bench.sh}" \
    --arg cpu_model "$cpu_model" \
    --argjson cpus_online "$cpus_online" \
    --argjson cpus_usable "$(usable_cpus)" \
    --arg kernel "$(uname -sr)" \
    --arg os "$os" \
    --argjson build "$build" \
    --arg hyperfine "$hyperfine_version" \
    --arg gnuplot "$gnuplot_version" \
    --arg commit "$commit" \
    --argjson loadavg "$loadavg" \
    --arg workloads "$workloads" --arg modes "$modes" --arg workers "$workers" \
    --argjson runs "$runs" --argjson warmup "$warmup" --argjson interval "$interval" \
    --argjson quick "$quick" --arg params "$params" --arg rerun_of "$rerun_of" \
    --arg studies "$studies" --argjson peak "$peak" \
    --argjson warnings "$(jq -n '$ARGS.positional' --args ${warnings[@]+"${warnings[@]}"})" \
    'def known: if . == "" then null else . end;
    {
        complete: false,
        date_utc: $date,
        host: $host,
        command: $command,
        settings: {
            workloads: ($workloads | split(",")),
            modes: ($modes | split(",")),
            workers: ($workers | split(",") | map(tonumber)),
            runs: $runs, warmup: $warmup, switch_interval_us: $interval, quick: ($quick == 1),
            params: $params,
            studies: ($studies | split(",") | map(select(length > 0)))
        },
        rerun_of: (if $rerun_of == "" then null else $rerun_of end),
        cpu_model: ($cpu_model | known),
        cpus_online: $cpus_online,
        cpus_usable: $cpus_usable,
        kernel: $kernel,
        os: ($os | known),
        compiler: $build.compiler,
        build_flags: $build.build_flags,
        openblas_config: $build.openblas_config,
        openblas_threading: $build.openblas_threading,
        openblas_default_threads: $build.openblas_default_threads,
        fma_gflops_single_core: $peak,
        # Every OPENBLAS_* variable as the user had it, none if none (the
        # runs themselves use OPENBLAS_NUM_THREADS=1: run_environment).
        openblas_environment: (env | with_entries(select(.key | startswith("OPENBLAS_")))),
        run_environment: {OPENBLAS_NUM_THREADS: "1"},
        hyperfine_version: ($hyperfine | known),
        gnuplot_version: ($gnuplot | known),
        git_commit: ($commit | known),
        loadavg_before: $loadavg,
        warnings: $warnings
    }' | write_atomically "$out"
