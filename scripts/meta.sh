#!/bin/bash
# meta.sh - writes a run folder's meta.json: the machine, the build, the
# tools and the settings of the sweep, so that a result can be read (and
# compared) without the machine it ran on.  The run starts incomplete;
# bench.sh marks it complete at the end.
# Usage: meta.sh FILE WORKLOADS MODES WORKERS RUNS WARMUP INTERVAL_US QUICK PARAMS RERUN_OF STUDIES
# (the points themselves are in the run folder's plan.tsv)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
out=$1 workloads=$2 modes=$3 workers=$4 runs=$5 warmup=$6 interval=$7 quick=$8 params=$9 rerun_of=${10} studies=${11}
GILBENCH=${GILBENCH:-build/gilbench}

cpu_model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null)
[ -n "$cpu_model" ] || cpu_model=$(uname -m)
os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}") || os=""
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit (with uncommitted changes)"
fi
# Every OPENBLAS_* variable as the user had it (the runs themselves use
# OPENBLAS_NUM_THREADS=1, recorded under "run_environment").
openblas_env=$(env | grep '^OPENBLAS_' | jq -R 'split("=") | {(.[0]): (.[1:] | join("="))}' |
    jq -s 'add // {}')
# The single-core FMA peak, measured (not the nominal clock), for the study
# that compares BLAS GFLOP/s with it.
peak=null
case ",$studies," in
    *,blas_threads,*) peak=$("$GILBENCH" peak | jq '.fma_gflops_single_core') || peak=null ;;
esac

jq -n \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg host "$(hostname 2>/dev/null || echo unknown)" \
    --arg command "${GILBENCH_COMMAND:-scripts/bench.sh}" \
    --arg cpu_model "$cpu_model" \
    --argjson cpus_online "$(getconf _NPROCESSORS_ONLN)" \
    --argjson cpus_usable "$(nproc)" \
    --arg kernel "$(uname -sr)" \
    --arg os "$os" \
    --argjson build "$("$GILBENCH" info)" \
    --argjson openblas_env "$openblas_env" \
    --arg hyperfine "$(hyperfine --version 2>/dev/null | head -n1)" \
    --arg gnuplot "$(gnuplot --version 2>/dev/null | head -n1)" \
    --arg commit "$commit" \
    --arg loadavg "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" \
    --arg workloads "$workloads" --arg modes "$modes" --arg workers "$workers" \
    --argjson runs "$runs" --argjson warmup "$warmup" --argjson interval "$interval" \
    --argjson quick "$quick" --arg params "$params" --arg rerun_of "$rerun_of" \
    --arg studies "$studies" --argjson peak "$peak" \
    '{
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
        cpu_model: $cpu_model,
        cpus_online: $cpus_online,
        cpus_usable: $cpus_usable,
        kernel: $kernel,
        os: $os,
        compiler: $build.compiler,
        build_flags: $build.build_flags,
        openblas_config: $build.openblas_config,
        openblas_threading: $build.openblas_threading,
        openblas_default_threads: $build.openblas_default_threads,
        fma_gflops_single_core: $peak,
        openblas_environment: $openblas_env,
        run_environment: {OPENBLAS_NUM_THREADS: "1"},
        hyperfine_version: $hyperfine,
        gnuplot_version: $gnuplot,
        git_commit: $commit,
        loadavg_before: ($loadavg | split(" ") | map(tonumber)),
        warnings: []
    }' | write_atomically "$out"
