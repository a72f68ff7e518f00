#!/bin/bash
# list.sh - every workload a sweep can run (make list): the engine's C
# workloads (build/gilbench list; "[Python twin]" where workloads/NAME.py
# is make calibrate's CPython side of it), then the Python workload files
# (workloads/NAME.py without a C twin), marked [Python], with whether they
# check their results; a file that cannot be read says why.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh
GILBENCH=${GILBENCH:-build/gilbench}
[ -x "$GILBENCH" ] || die "no engine at $GILBENCH; run make first"
c_list=$("$GILBENCH" list) || die "$GILBENCH list failed"
c_names=$(awk '{ print $1 }' <<<"$c_list" | paste -sd, -)
lister=$(listing_python)
listing=""
if [ -n "$lister" ]; then
    listing=$(python_workload_list "$c_names" "$lister") || die "cannot list the Python workload files"
fi
while read -r name rest; do
    [ -n "$name" ] || continue
    twin=""
    # A file of its name that the listing does not show as shadowed is its twin.
    if [ -f "workloads/$name.py" ] && { [ -z "$lister" ] ||
        ! awk -F'\t' -v w="$name" '$1 == w { found = 1 } END { exit !found }' <<<"$listing"; }; then
        twin=" [Python twin: workloads/$name.py]"
    fi
    printf '%-14s %s%s\n' "$name" "$rest" "$twin"
done <<<"$c_list"
if [ -z "$lister" ]; then
    ls workloads/*.py >/dev/null 2>&1 && note "no python3 here: the Python workloads (workloads/*.py) are not listed"
    exit 0
fi
while IFS=$'\t' read -r name units unit checked description; do
    [ -n "$name" ] || continue
    if [ "$checked" = bad ] || [ "$checked" = shadowed ]; then
        printf '%-14s [Python] cannot be run: %s\n' "$name" "$description"
    else
        printf '%-14s %s [Python: workloads/%s.py, %s units of %s%s]\n' "$name" "$description" "$name" "$units" \
            "$unit" "$([ "$checked" = checked ] || echo "; unchecked: no check()")"
    fi
done <<<"$listing"
