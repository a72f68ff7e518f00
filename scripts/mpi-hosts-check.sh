#!/bin/bash
# mpi-hosts-check.sh - `make mpi-hosts-check`: the mpi mode across hosts,
# on this machine: MPI_HOSTS (default 2) network namespaces as machines
# (scripts/netns-hosts.sh), reached by mpirun over ssh, and a small sweep
# `MODES=procs,mpi HOSTFILE=...` over them; checks that the multi-rank
# points ran on more than one host, prints their MPI start-up beside the
# 1-rank points', and removes every namespace, sshd and key, also when it
# fails or is interrupted.
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
env WORKLOADS="${WORKLOADS:-cpu_loop,io_wait}" MODES=procs,mpi WORKERS="1,$hosts" HOSTFILE="$work/hosts/hostfile" \
    RESULTS_DIR="$results" GILBENCH="$GILBENCH" scripts/bench.sh
status=$?
[ "$status" -eq 0 ] || die "the sweep across $hosts hosts failed (status $status)"
run=$(readlink -f "$results/latest")
spread=$(jq -s --argjson n "$hosts" '[.[] | select(.workers == $n) | .hosts | unique | length] | min' \
    "$run"/raw/*.mpi."$hosts".jsonl)
[ "${spread:-0}" -eq "$hosts" ] || die "the $hosts-rank points did not run on $hosts hosts (at least on $spread)"
jq -rs 'group_by(.workers) | .[] | "gilbench: mpi_init_seconds at \(.[0].workers) rank(s) on \(.[0].hosts | unique | length) host(s): median \(map(.mpi_init_seconds) | sort | .[length / 2 | floor] * 1000 | round) ms"' \
    "$run"/raw/*.mpi.*.jsonl
echo "gilbench: the mpi mode ran across $hosts hosts ($run)"
