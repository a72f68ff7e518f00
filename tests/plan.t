#!/bin/bash
# plan.t - the points of a sweep (sweep.plan's sweep_plan): the default
# sweep, the studies, and a point both ask for measured once, so that no two
# points share an id (and a raw file).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
# call MODULE FUNCTION ARG...: a function of scripts/sweep (tests/sweep_call.py).
call() { python3 tests/sweep_call.py "$@"; }

plan=$(call plan sweep_plan '["startup"]' '["threads","procs"]' '[1,2,4,8]' '["startup"]' true 1,2,4,8 2 '[]' '[]')
ids=$(while IFS=$'\t' read -r workload variant mode n; do
    label=$workload
    [ "$variant" = - ] || label=$workload@$variant
    echo "$label.$mode.$n"
done <<<"$plan")
check "bench-all WORKLOADS=startup: every point id appears once" test -z "$(sort <<<"$ids" | uniq -d)"
check "  the shared points are in the plan (startup.threads.1)" grep -qx 'startup.threads.1' <<<"$ids"
check "  and so are the study's own (startup.threads.64, startup@spawn=1.threads.64)" \
    test -n "$(grep -x 'startup.threads.64' <<<"$ids")" -a -n "$(grep -x 'startup@spawn=1.threads.64' <<<"$ids")"
check "the sweep's points come first, in order" \
    test "$(head -n1 <<<"$plan")" = "startup	-	threads	1"
only_sweep=$(call plan sweep_plan '["cpu_loop","io_wait"]' '["gil"]' '[1,2]' '[]' false 1,2 2 '[]' '[]' | wc -l)
check "the default sweep alone: workloads x modes x workers" test "$only_sweep" -eq 4
(call plan sweep_plan '["cpu_loop"]' '["gil"]' '[1]' '["nosuchstudy"]' false 1 2 '[]' '[]' >/dev/null 2>&1)
check "a missing study plan fails the plan" test $? -ne 0

# A study line's variants: several NAME=V1,V2 lists make every
# combination, settings joined by +; point_options passes each setting
# (not source=) and variant_source names the implementation.
dir=$TEST_TMP/plans
mkdir -p "$dir"
printf 'shared_input procs 1,2 source=model,cpython write=0,1\n' > "$dir/combined.plan"
combined=$(call plan study_plan "$dir/combined.plan" 1,2 2 | cut -f2 | sort -u | paste -sd' ' -)
check "two variant lists make four combinations" \
    test "$combined" = "source=cpython+write=0 source=cpython+write=1 source=model+write=0 source=model+write=1"
options="$(call plan point_options '["shared_input.write=0","shared_input.size_mib=8"]' shared_input \
    "source=cpython-3.13.5+write=1" 5000 | paste -sd' ' -) "
check "point_options: the variant's settings override PARAMS, source= is no setting" \
    test "$options" = "--switch-interval-us 5000 --param size_mib=8 --param write=1 "
check "variant_source names the source of a combined variant" \
    test "$(call plan variant_source "write=1+source=cpython-3.13.5")" = cpython-3.13.5
check "variant_source of a variant without one is empty" test -z "$(call plan variant_source "write=1")"
printf 'startup spawn 1,2 -\n' > "$dir/spawn.plan"
run_capture python3 tests/sweep_call.py plan study_plan "$dir/spawn.plan" 1,2 2
check "the spawn mode without source=cpython is refused, exit 2, one line" \
    test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1

# ---- DRY_RUN=1: the plan for another machine, nothing run ----
results="$TEST_TMP/dry-results"
run_capture env RESULTS_DIR="$results" DRY_RUN=1 PLAN_CPUS=64 WORKLOADS=cpu_loop,io_wait MODES=gil,procs \
    python3 scripts/sweep bench
check "DRY_RUN=1 PLAN_CPUS=64 plans the sweep for 64 CPUs, exit 0" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
check "  its default workers reach 128" grep -q '^  cpu_loop  *gil  *1 2 4 8 16 32 64 128$' <<<"$OUT"
check "  it counts the points" grep -q '^gilbench: the plan on 64 usable CPUs (PLAN_CPUS; this machine has [0-9]*): 32 points$' <<<"$OUT"
check "  io_wait runs 128 units, said once" \
    test "$(grep -c 'io_wait: 128 units a run instead of 32' <<<"$ERR")" -eq 1 -a -n "$(grep '^  io_wait  *128 units' <<<"$OUT")"
check "  it names the limits the 128-worker point meets" grep -q '^  processes (procs: 128 forks): ulimit -u' <<<"$OUT"
check "  and runs nothing: no results folder" test ! -e "$results"
# A reference folder: each way's 1-worker time per unit.
ref="$TEST_TMP/ref"
mkdir -p "$ref/raw"
printf '{"seconds":0.5,"units":1000}\n{"seconds":0.7,"units":1000}\n{"seconds":0.6,"units":1000}\n' > "$ref/raw/cpu_loop.gil.1.jsonl"
printf '{"harness":{"process_rest_s":2}}\n' > "$ref/meta.json"
printf 'round\n1\n2\n3\n4\n' > "$ref/schedule.tsv"
run_capture env RESULTS_DIR="$results" DRY_RUN=1 PLAN_CPUS=4 WORKLOADS=cpu_loop MODES=gil WORKERS=1,4 RUNS=2 \
    WARMUP=0 ESTIMATE_FROM="$ref" python3 scripts/sweep bench
check "ESTIMATE_FROM: a workload's 1-worker time is its units x the median time per unit there" \
    grep -q '^  cpu_loop  *6000 units  3.600 s$' <<<"$OUT"
# 1 worker: 2 x (3.6 + 0.5); 4 workers: 2 x (0.9 + 0.5) to 2 x (3.6 + 0.5): 11.0 s to 16.4 s
check "  the expected time spans perfect scaling and none, with the per-call cost" \
    grep -q 'expected time of the measured points: 0:11 to 0:16 (warm-up + 2 runs a point.* 0.500 s a call' <<<"$OUT"
run_capture env PLAN_CPUS=64 python3 scripts/sweep bench
check "PLAN_CPUS without DRY_RUN is refused, exit 2" test "$STATUS" -eq 2 -a "$(grep -c . <<<"$ERR")" -eq 1
run_capture env DRY_RUN=1 ESTIMATE_FROM="$TEST_TMP/none" python3 scripts/sweep bench
check "a missing ESTIMATE_FROM folder is refused, exit 2" test "$STATUS" -eq 2

done_testing
