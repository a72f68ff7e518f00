#!/bin/bash
# plan.t - the points of a sweep (scripts/lib.sh sweep_plan): the default
# sweep, the studies, and a point both ask for measured once, so that no two
# points share an id (and a raw file).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
. scripts/lib.sh

plan=$(sweep_plan startup threads,procs 1,2,4,8 startup 1 1,2,4,8 2)
ids=$(while IFS=$'\t' read -r workload variant mode n; do
    echo "$(point_label "$workload" "$variant").$mode.$n"
done <<<"$plan")
check "bench-all WORKLOADS=startup: every point id appears once" test -z "$(sort <<<"$ids" | uniq -d)"
check "  the shared points are in the plan (startup.threads.1)" grep -qx 'startup.threads.1' <<<"$ids"
check "  and so are the study's own (startup.threads.64, startup@spawn=1.threads.64)" \
    test -n "$(grep -x 'startup.threads.64' <<<"$ids")" -a -n "$(grep -x 'startup@spawn=1.threads.64' <<<"$ids")"
check "the sweep's points come first, in order" \
    test "$(head -n1 <<<"$plan")" = "startup	-	threads	1"
only_sweep=$(sweep_plan cpu_loop,io_wait gil 1,2 "" 0 1,2 2 | wc -l)
check "the default sweep alone: workloads x modes x workers" test "$only_sweep" -eq 4
(sweep_plan cpu_loop gil 1 nosuchstudy 0 1 2 >/dev/null 2>&1)
check "a missing study plan fails the plan" test $? -ne 0

done_testing
