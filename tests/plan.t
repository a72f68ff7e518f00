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

# A study line's variants: several NAME=V1,V2 lists make every
# combination, settings joined by +; point_options passes each setting
# (not source=) and variant_source names the implementation.
dir=$TEST_TMP/plans
mkdir -p "$dir"
printf 'shared_input procs 1,2 source=model,cpython write=0,1\n' > "$dir/combined.plan"
combined=$(study_plan "$dir/combined.plan" 1,2 2 | cut -f2 | sort -u | paste -sd' ' -)
check "two variant lists make four combinations" \
    test "$combined" = "source=cpython+write=0 source=cpython+write=1 source=model+write=0 source=model+write=1"
options=$(point_options "shared_input.write=0 shared_input.size_mib=8" shared_input "source=cpython-3.13.5+write=1" 5000)
check "point_options: the variant's settings override PARAMS, source= is no setting" \
    test "$options" = "--switch-interval-us 5000 --param size_mib=8 --param write=1 "
check "variant_source names the source of a combined variant" \
    test "$(variant_source "write=1+source=cpython-3.13.5")" = cpython-3.13.5
check "variant_source of a variant without one is empty" test -z "$(variant_source "write=1")"
printf 'startup spawn 1,2 -\n' > "$dir/spawn.plan"
run_capture study_plan "$dir/spawn.plan" 1,2 2
check "the spawn mode without source=cpython is refused, exit 2, one line" \
    test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1

done_testing
