#!/bin/bash
# memcheck.sh - the engine's main paths once under Valgrind's memcheck
# (Debian's valgrind): each mode and dispatch, a trace, the study workloads'
# set-ups, summarize and list, forked workers followed (--trace-children).
# One line per path: errors and bytes definitely or indirectly lost.
# Usage: memcheck.sh   (GILBENCH: the engine, default build/gilbench)
# Exit status: 0 no error and no leak, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh
require_command valgrind "apt-get install -y valgrind"
GILBENCH=${GILBENCH:-build/gilbench}
out=$(mktemp -d) || die "cannot make a temporary folder"
trap 'rm -rf "$out"' EXIT
export OPENBLAS_NUM_THREADS=1
"$GILBENCH" summarize --runs tests/fixtures/run/runs.tsv --csv "$out/summary.csv" >/dev/null ||
    die "summarize failed outside valgrind"
paths=(
    "gil:run --workload cpu_loop --mode gil --workers 2 --units 40"
    "threads:run --workload cpu_loop --mode threads --workers 2 --units 40"
    "procs:run --workload io_wait --mode procs --workers 2 --units 4 --param sleep_us=1000"
    "interp:run --workload shared_input --mode interp --workers 2 --units 4 --param size_mib=4"
    "threads+pool:run --workload tasks --mode threads --workers 2 --units 40 --dispatch pool --chunksize 3"
    "procs+pool:run --workload ipc --mode procs --workers 2 --units 8 --dispatch pool --param payload_kib=64"
    "blas:run --workload blas_dgemm --mode gil --workers 2 --units 2 --param n=64"
    "convoy:run --workload convoy --mode gil --workers 2 --units 20"
    "trace:run --workload cpu_loop --mode gil --workers 2 --units 40 --trace $out/trace.tsv"
    "summarize:summarize --runs tests/fixtures/run/runs.tsv --processes tests/fixtures/run/processes.tsv --csv $out/s.csv --table --answer"
    "list:list"
)
failed=0
printf '%-14s %8s %14s %14s\n' path errors definitely indirectly
for entry in "${paths[@]}"; do
    name=${entry%%:*} args=${entry#*:}
    # shellcheck disable=SC2086
    valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
        --trace-children=yes --child-silent-after-fork=no --log-file="$out/$name.%p.log" \
        "$GILBENCH" $args >/dev/null 2>"$out/$name.stderr"
    status=$?
    errors=$(cat "$out/$name".*.log | sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
    definite=$(cat "$out/$name".*.log | sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' | tr -d , | awk '{ s += $1 } END { print s + 0 }')
    indirect=$(cat "$out/$name".*.log | sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' | tr -d , | awk '{ s += $1 } END { print s + 0 }')
    printf '%-14s %8s %14s %14s%s\n' "$name" "$errors" "$definite" "$indirect" "$([ "$status" -eq 0 ] || echo "  (exit $status: $(tail -n1 "$out/$name.stderr"))")"
    if [ "$errors" -gt 0 ] || [ "$definite" -gt 0 ] || [ "$indirect" -gt 0 ] || [ "$status" -ne 0 ]; then
        failed=1
        mkdir -p build/memcheck && cp "$out/$name".* build/memcheck/ 2>/dev/null
    fi
done
[ "$failed" -eq 0 ] || note "the logs of the paths with findings are in build/memcheck/"
exit "$failed"
