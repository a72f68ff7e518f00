#!/bin/bash
# mpi-hosts-check.sh - `make mpi-hosts-check`: the mpi mode across hosts,
# on this machine: MPI_HOSTS (default 2) network namespaces as machines
# (scripts/netns-hosts.sh), reached by mpirun over ssh.  Two sweeps: one
# `MODES=procs,mpi` with one rank per host (the hostfile's slots=1), one
# `MODES=mpi` with the same ranks all on the first host (slots=MPI_HOSTS);
# checks that the multi-rank points of the first ran on every host and
# those of the second on one, prints what crossing hosts cost (speedup,
# MPI_Init, the collectives after the region, the process time beyond the
# region) side by side, and removes every namespace, sshd and key, also
# when it fails or is interrupted.  The sweeps take the sweep's settings
# from the environment (RUNS, PARAMS, RESULTS_DIR...); WORKLOADS defaults
# to cpu_loop,io_wait.
# Exit status: 0 checked, 1 a check failed, 2 not possible here (not root,
# no namespaces, no Open MPI or sshd).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

hosts=$(parse_number MPI_HOSTS "${MPI_HOSTS:-2}" 2 8) || exit 2
GILBENCH=${GILBENCH:-build/gilbench}
command -v mpirun >/dev/null && [ -x "$(dirname "$GILBENCH")/gilbench-mpi" ] ||
    usage "the mpi mode needs Open MPI: apt-get install -y openmpi-bin libopenmpi-dev, then make"
work=$(mktemp -d "${TMPDIR:-/tmp}/gilbench-hosts.XXXXXX") || die "cannot make a temporary folder"
trap 'scripts/netns-hosts.sh down "$work/hosts"; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
scripts/netns-hosts.sh up "$hosts" "$work/hosts" || exit $?
export OMPI_MCA_plm_rsh_agent
OMPI_MCA_plm_rsh_agent=$(cat "$work/hosts/rsh_agent")
results=${RESULTS_DIR:-results}
workloads=${WORKLOADS:-cpu_loop,io_wait}
echo "$(head -n1 "$work/hosts/hostfile" | cut -d' ' -f1) slots=$hosts" > "$work/hosts/one_host"

# sweep MODES HOSTFILE: a sweep at 1 and $hosts ranks; prints its folder.
sweep() {
    env WORKLOADS="$workloads" MODES="$1" WORKERS="1,$hosts" HOSTFILE="$2" \
        RESULTS_DIR="$results" GILBENCH="$GILBENCH" /usr/bin/python3 scripts/sweep bench >&2 ||
        die "the sweep MODES=$1 over $2 failed (status $?)"
    readlink -f "$results/latest"
}
# point_hosts JSONL: how many distinct hosts the runs of a point ran on.
point_hosts() {
    jq -s '[.[].hosts[]] | unique | length' "$1"
}
# spread RUN: the fewest distinct hosts of any multi-rank mpi point of RUN.
spread() {
    local point
    for point in "$1"/raw/*.mpi."$hosts".jsonl; do point_hosts "$point"; done | sort -n | head -n1
}

across=$(sweep procs,mpi "$work/hosts/hostfile") || exit 1
on=$(spread "$across")
[ "${on:-0}" -eq "$hosts" ] || die "the $hosts-rank points did not run on $hosts hosts (on $on at least)"
one=$(sweep mpi "$work/hosts/one_host") || exit 1
on=$(spread "$one")
[ "${on:-0}" -eq 1 ] || die "the $hosts-rank points of the one-host sweep ran on $on hosts"

# rows RUN: per mpi point a tab-separated "workload ranks hosts speedup
# init_ms collect_ms beyond_s", from its summary, figures and JSON lines.
rows() {
    local run=$1 workload ranks speedup beyond spread_of
    awk -F, -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["mode"] == "mpi" {
            interval = ""
            if ($c["workers"] != 1 && $c["speedup_ci_lo"] != "")
                interval = sprintf(" (%.2f-%.2f)", $c["speedup_ci_lo"], $c["speedup_ci_hi"])
            print $c["workload"], $c["workers"], sprintf("%.2f", $c["speedup"]) interval,
                  $c["process_median_s"] - $c["median_s"] }' "$run/summary.csv" |
    while IFS=$'\t' read -r workload ranks speedup beyond; do
        spread_of=$(point_hosts "$run/raw/$workload.mpi.$ranks.jsonl")
        awk -F, -v w="$workload" -v n="$ranks" -v hosts="$spread_of" -v speedup="$speedup" -v beyond="$beyond" '
            $1 == w && $3 == "mpi" && $4 == n { median[$5] = $7 }
            END { printf "%s\t%s\t%s\t%s\t%.0f\t%.2f\t%.2f\n", w, n, hosts, speedup,
                         median["mpi_init_seconds"] * 1000, median["mpi_collect_seconds"] * 1000, beyond }' \
            "$run/figures.csv"
    done
}
echo "gilbench: the mpi mode, $hosts ranks across $hosts hosts against the same ranks on one (medians; speedups over 1 rank):"
{ rows "$across"; rows "$one" | awk -F'\t' -v n="$hosts" '$2 == n'; } | sort -t$'\t' -k1,1 -k2,2n -k3,3nr |
    awk -F'\t' 'BEGIN { printf "  %-12s %5s %5s  %-17s %9s %12s %17s\n", "workload", "ranks", "hosts",
                        "speedup (95 %)", "MPI_Init", "collectives", "process - region" }
         { printf "  %-12s %5s %5s  %-17s %6s ms %9s ms %15s s\n", $1, $2, $3, $4, $5, $6, $7 }'
echo "gilbench: the mpi mode ran across $hosts hosts ($across; on one host: $one)"
