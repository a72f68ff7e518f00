#!/bin/bash
# plan_estimate.sh - what `make bench DRY_RUN=1` prints instead of running:
# the sweep's plan (its points by workload and way, the units each
# workload's runs do), its expected wall time from the unit times a results
# folder measured on this machine, and the machine's limits that its
# largest point meets.  PLAN_CPUS=N plans it for N usable CPUs: the default
# worker list and each study's "cpus" follow N.
#
# Usage: plan_estimate.sh PLAN UNITS CPUS RUNS WARMUP MAX_RUNS [REFERENCE]
#   PLAN       plan.tsv: workload, variant, way, workers per line
#   UNITS      lines "workload units": what one run of each does
#   REFERENCE  a results folder whose 1-worker runs give each workload's
#              time per unit here (raw/<point>.jsonl: seconds / units); the
#              per-call cost of starting a run is its meta.json harness's
#              process time per call
#
# The estimate is a range, not a figure: a point of N workers takes between
# its 1-worker time divided by min(N, CPUS) (every way scaling perfectly)
# and its 1-worker time (no way scaling: the GIL serialising pure Python),
# for warm-up + RUNS calls; MAX_RUNS calls where the answer needs more.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh
[ $# -ge 6 ] || usage "plan_estimate.sh PLAN UNITS CPUS RUNS WARMUP MAX_RUNS [REFERENCE]"
plan=$1 units=$2 cpus=$3 runs=$4 warmup=$5 max_runs=$6 reference=${7:-}

# Each plan point's time per unit here, from REFERENCE's 1-worker run of the
# same label (workload@variant) and way, else of the workload in that way.
per_unit=""
per_call=""
if [ -n "$reference" ] && [ -d "$reference/raw" ]; then
    per_unit=$(for file in "$reference"/raw/*.1.jsonl; do
        [ -s "$file" ] || continue
        id=$(basename "$file" .1.jsonl)
        jq -rs --arg id "$id" 'map(select(.units > 0) | .seconds / .units) | sort |
            if length == 0 then empty else "\($id)\t\(.[length / 2 | floor])" end' "$file" 2>/dev/null
    done)
    per_call=$(jq -r '.harness as $h | if $h.process_rest_s == null then empty else $h.process_rest_s end' \
        "$reference/meta.json" 2>/dev/null)
    calls=$(($(wc -l < "$reference/schedule.tsv" 2>/dev/null || echo 1) - 1))
    [ -z "$per_call" ] || [ "$calls" -le 0 ] ||
        per_call=$(awk -v s="$per_call" -v c="$calls" 'BEGIN { printf "%.4f", s / c }')
fi

machine_cpus=$(usable_cpus)
echo "gilbench: the plan on $cpus usable CPU$([ "$cpus" = 1 ] || echo s)$([ "$cpus" = "$machine_cpus" ] || echo " (PLAN_CPUS; this machine has $machine_cpus)"): $(wc -l < "$plan") points"
awk -F'\t' -v units_file="$units" -v per_unit="$per_unit" -v per_call="${per_call:-0}" -v cpus="$cpus" \
    -v runs="$runs" -v warmup="$warmup" -v max_runs="$max_runs" -v reference="${reference:-none}" '
    BEGIN {
        while ((getline line < units_file) > 0) { split(line, f, " "); units[f[1]] = f[2] }
        n = split(per_unit, lines, "\n")
        for (i = 1; i <= n; i++) { split(lines[i], f, "\t"); unit_s[f[1]] = f[2] }
    }
    {
        label = ($2 == "-" ? $1 : $1 "@" $2)
        key = label "\t" $3
        if (!(key in seen)) { seen[key] = 1; order[++keys] = key }
        if (!($1 in known)) { known[$1] = 1; workload[++workloads] = $1 }
        workers[key] = workers[key] (workers[key] == "" ? "" : " ") $4
        # time per unit: this variant in this way, else the workload in that way
        t = ($1 "@" $2 "." $3 in unit_s) ? unit_s[$1 "@" $2 "." $3] : (($1 "." $3 in unit_s) ? unit_s[$1 "." $3] : "")
        if (t == "") { if (!(key in missing)) { missing[key] = 1; unmeasured = unmeasured (unmeasured == "" ? "" : ", ") label " " $3 }; next }
        one = t * units[$1]
        if (!($1 in one_worker) || one > one_worker[$1]) one_worker[$1] = one
        eff = ($4 + 0 < cpus + 0 ? $4 : cpus)
        low += (warmup + runs) * (one / eff + per_call)
        high += (warmup + runs) * (one + per_call)
        most_high += (warmup + max_runs) * (one + per_call)
    }
    function clock(s) { return sprintf("%d:%02d", int(s / 60), int(s % 60)) }
    END {
        printf "  %-30s %-14s %s\n", "workload", "way", "workers"
        for (i = 1; i <= keys; i++) { split(order[i], f, "\t"); printf "  %-30s %-14s %s\n", f[1], f[2], workers[order[i]] }
        if (reference == "none")
            printf "gilbench: units a run (no results folder to take times from: ESTIMATE_FROM=DIR, or a make bench first):\n"
        else
            printf "gilbench: units a run, and the slowest way'"'"'s 1-worker run time from %s:\n", reference
        for (i = 1; i <= workloads; i++) {
            w = workload[i]
            line = sprintf("  %-20s %12s units  %s", w, units[w],
                (reference == "none" ? "" : (w in one_worker ? sprintf("%.3f s", one_worker[w]) : "not measured there")))
            sub(/ +$/, "", line)
            print line
        }
        if (low > 0)
            printf "gilbench: expected time of the measured points: %s to %s (warm-up + %d runs a point, every way scaling perfectly to min(N, %d) workers, or none at all; %.3f s a call to start and end its processes); up to %s if every point took %d runs\n",
                clock(low), clock(high), runs, cpus, per_call, clock(most_high), max_runs
        if (unmeasured != "" && reference != "none")
            printf "gilbench: not in the estimate (no 1-worker run of theirs in %s): %s\n", reference, unmeasured
    }' "$plan"

# The machine's limits that the largest point meets, read here.
most=$(cut -f4 "$plan" | sort -n | tail -n1)
threads_max=$(cat /proc/sys/kernel/threads-max 2>/dev/null || echo unknown)
nproc_limit=$(ulimit -u 2>/dev/null || echo unknown)
files_hard=$(ulimit -Hn 2>/dev/null || echo unknown)
pipe_pages=$(cat /proc/sys/fs/pipe-user-pages-soft 2>/dev/null || echo unknown)
echo "gilbench: the largest point has $most workers; this machine's limits:"
within() { # within NEED LIMIT: "ok" or "over"
    if [ "$2" = unknown ] || [ "$2" = unlimited ] || [ "$1" -le "$2" ] 2>/dev/null; then echo ok; else echo over; fi
}
echo "  threads of one process ($most workers, plus the collector): kernel.threads-max $threads_max, ulimit -u $nproc_limit: $(within $((most + 2)) "$threads_max")/$(within $((most + 2)) "$nproc_limit") (over: the run fails in one line, could not create worker thread K of N)"
echo "  processes (procs: $most forks): ulimit -u $nproc_limit: $(within $((most + 2)) "$nproc_limit") (over: could not fork worker K of N)"
if grep -qP '\tprocs[+]pool\t' "$plan"; then
    echo "  descriptors (a process pool: 2 a worker, $((2 * most + 64)) in all): hard limit $files_hard: $(within $((2 * most + 64)) "$files_hard") (the engine raises its soft limit to what it needs; over the hard one: cannot make the result pipe of worker K)"
    echo "  pipe buffers (one pipe a worker, 16 pages each: $(((most + 1) * 16)) pages): fs.pipe-user-pages-soft $pipe_pages: $(within $(((most + 1) * 16)) "$pipe_pages") (over: the kernel gives later pipes one page; the pool still runs, with more wake-ups)"
fi
if grep -qP '^shared_input\t[^\t]*\t(interp|spawn|forkserver)(\t|[+])' "$plan"; then
    echo "  memory (shared_input's interpreters and spawned workers each build the input): MemAvailable $(awk '/^MemAvailable:/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo 2>/dev/null || echo unknown) (over: refused in one line before the run)"
fi
