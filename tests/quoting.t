#!/bin/bash
# quoting.t - the plots and timelines are drawn whatever the paths and values
# hold (a checkout in "o'brien dir", a results folder "bob's results", a CPU
# model with quotes, backslashes and $), several sweep plots at once on one
# folder all succeed, and study pages without their variant points are still
# drawn, or left out with a note.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

# complete FILE...: each is a whole PNG (ends with IEND) or SVG (ends with </svg>).
complete() {
    local file
    for file in "$@"; do
        case $file in
            *.png) tail -c 12 "$file" | grep -qa IEND ;;
            *.svg) tail -c 16 "$file" | grep -q '</svg>' ;;
            *) false ;;
        esac || { diag "incomplete or missing: $file"; return 1; }
    done
}
# no_temporary_file DIR: no hidden file (a temporary one) is left in DIR.
no_temporary_file() {
    [ -z "$(find "$1" -maxdepth 1 -name '.*' ! -name . -print -quit)" ]
}

# The two layers of quoting, on their own: a value becomes a gnuplot string
# (the sweep's plotting.gp_string) and, inside gnuplot, a word of the shell it
# starts (shell_word).
weird="'lead, ''doubled'', \\back\\slash, \$HOME, \"double\", \`id\`, @macro; & | < trail'"
gp_value=$(/usr/bin/python3 -c 'import sys; sys.path.insert(0, "scripts"); from sweep.plotting import gp_string
print(gp_string(sys.argv[1]))' "$weird")
carried=$(LC_ALL=C gnuplot -e "v=$gp_value; term=\"svg\"; out=\"/dev/null\";
    width = 100; height = 100; load \"scripts/gnuplot/style.gp\"; set print \"-\";
    print system(\"printf %s \" . shell_word(v))" 2>&1)
check "gp_string and shell_word carry quotes, backslashes, \$ and backquotes as they are" \
    test "$carried" = "$weird"
[ "$carried" = "$weird" ] || diag "carried: $carried"

# A copy of the scripts in a folder with a quote, drawing into folders with quotes.
tree="$TEST_TMP/o'brien dir"
mkdir -p "$tree"
cp -r scripts "$tree/"
results="$TEST_TMP/bob's results"
model="Bob's \"quoted\" CPU \\ \$HOME \`id\` @x"
run="$results/sweep"
mkdir -p "$run"
jq --arg model "$model" '.cpu_model = $model' tests/fixtures/run/meta.json > "$run/meta.json"
"$GILBENCH" summarize --runs tests/fixtures/run/runs.tsv \
    --processes tests/fixtures/run/processes.tsv --csv "$run/summary.csv"
plots="$results/plots of 'bob'"
run_capture env PLOTS_DIR="$plots" /usr/bin/python3 "$tree/scripts/sweep" plots "$run"
check "sweep plots in \"o'brien dir\" draws a folder of \"bob's results\"" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
names="cpu_loop io_wait overview efficiency gil_wait"
for name in $names; do
    check "$name.png and .svg are complete, in the run folder and in PLOTS_DIR" \
        complete "$run/plots/$name".{png,svg} "$plots/$name".{png,svg}
done
check "the CPU model reaches the titles as it is" grep -qF "$model" "$run/plots/overview.svg"
check "no temporary file is left" no_temporary_file "$run/plots"

# Study pages, whose series come through awk (series() in style.gp) and the
# tasks page's task_us through grep (system()): startup and tasks points,
# their figures, and PARAMS in meta.json.
study="$results/studies"
mkdir -p "$study"
jq --arg model "$model" '.cpu_model = $model | .settings.workloads = [] | .settings.studies = ["startup", "tasks"]
    | .settings.params = "tasks.task_us=20"' tests/fixtures/run/meta.json > "$study/meta.json"
{
    for n in 1 2; do
        printf 'startup\t-\tthreads\t%d\t0.0%d\t1000\t0\t0\t0.000%d\n' "$n" "$n" "$n"
        printf 'startup\t-\tprocs\t%d\t0.0%d\t1000\t0\t0\t0.000%d\n' "$n" "$n" "$((n + 1))"
        printf 'startup\tspawn=1\tthreads\t%d\t0.0%d\t1000\t0\t0\t0.000%d\n' "$n" "$n" "$n"
        for mode in gil threads procs; do
            printf 'tasks\t-\t%s\t%d\t0.%d\t1000\t0\t0\t0.0001\n' "$mode" "$n" "$n"
            printf 'tasks\tchunksize=1\t%s+pool\t%d\t0.%d\t1000\t0\t0\t0.0001\n' "$mode" "$n" "$n"
        done
    done
} > "$TEST_TMP/study-runs.tsv"
"$GILBENCH" summarize --runs "$TEST_TMP/study-runs.tsv" --csv "$study/summary.csv"
{
    echo workload,variant,mode,workers,figure,runs,median,min,max
    for n in 1 2; do
        echo "startup,spawn=1,threads,$n,spawn_startup_seconds,1,0.00$n,0.00$n,0.00$n"
        for mode in gil threads procs; do
            echo "tasks,-,$mode,$n,worker_us_per_task,1,$((40 + 10 * n)),40,90"
            echo "tasks,chunksize=1,$mode+pool,$n,worker_us_per_task,1,$((45 + 10 * n)),40,90"
        done
    done
} > "$study/figures.csv"
run_capture env PLOTS_DIR="$plots" /usr/bin/python3 "$tree/scripts/sweep" plots "$study"
check "sweep plots draws study pages under paths with quotes" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
check "startup and tasks pages are complete" complete "$study/plots"/{startup,tasks}.{png,svg}
check "every series was read (gnuplot skipped no data file)" test -z "$(grep -i 'skipping\|sh: ' <<<"$ERR")"
check "the tasks page read task_us from meta.json" grep -qF 'task_us = 20 ' "$study/plots/tasks.svg"
check "the tasks page has every mode as shares and through the pool (6 key entries)" \
    test "$(grep -c '<text>\(gil\|threads\|procs\): .*\(one share per worker\|a task at a time\)<' "$study/plots/tasks.svg")" -eq 6
check "PLOTS_DIR now holds this run's plots alone" \
    test "$(ls "$plots" | sort | paste -sd' ' -)" = "startup.png startup.svg tasks.png tasks.svg"

# A timeline of a trace whose path has quotes, with a temporary folder that has one too.
trace="$results/o'brien's \"trace\".tsv"
run_capture "$GILBENCH" run --workload cpu_loop --mode gil --workers 2 --units 200 --trace "$trace"
check "a trace can be written under a path with quotes" test "$STATUS" -eq 0
mkdir -p "$TEST_TMP/tmp 'dir'"
run_capture env TMPDIR="$TEST_TMP/tmp 'dir'" /usr/bin/python3 "$tree/scripts/sweep" timeline --draw "$trace"
check "sweep timeline --draw draws it" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
check "... as a complete PNG and SVG" complete "${trace%.tsv}".{png,svg}
run_capture env TMPDIR="$TEST_TMP/tmp 'dir'" TIMELINE_WORKLOADS=cpu_loop TIMELINE_WORKERS=2 \
    PLOTS_DIR="$plots" GILBENCH="$(realpath "$GILBENCH")" /usr/bin/python3 "$tree/scripts/sweep" timeline "$run"
check "sweep timeline RUN traces and draws under paths with quotes" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
check "... into the run folder and PLOTS_DIR" \
    complete "$run/timeline/cpu_loop".{png,svg} "$plots/timeline-cpu_loop".{png,svg}
check "... leaving no temporary file" no_temporary_file "$run/timeline"

# Studies whose variant points all failed: startup (spawn=1) and convoy
# (its gil points) are drawn from the others, with a note; amdahl, whose
# points all have a variant, is not drawn, with a note; sweep plots carries on.
partial="$TEST_TMP/partial"
mkdir -p "$partial"
jq '.settings.workloads = [] | .settings.studies = ["startup", "convoy", "amdahl"]' \
    tests/fixtures/run/meta.json > "$partial/meta.json"
{
    grep -v spawn= "$TEST_TMP/study-runs.tsv" | grep '^startup'
    for n in 1 2; do
        for workload_mode in convoy:threads convoy:procs amdahl:gil; do
            printf '%s\t-\t%s\t%d\t0.%d\t1000\t0\t0\t0.0001\n' "${workload_mode%:*}" "${workload_mode#*:}" "$n" "$n"
        done
    done
} > "$TEST_TMP/partial-runs.tsv"
"$GILBENCH" summarize --runs "$TEST_TMP/partial-runs.tsv" --csv "$partial/summary.csv"
{
    echo workload,variant,mode,workers,figure,runs,median,min,max
    for n in 1 2; do
        for mode in threads procs; do
            echo "convoy,-,$mode,$n,round_trips_per_s,1,$((1000 / n)),900,1100"
            echo "convoy,-,$mode,$n,latency_p99_us,1,$((100 * n)),90,300"
        done
    done
} > "$partial/figures.csv"
run_capture env PLOTS_DIR="$TEST_TMP/partial-plots" /usr/bin/python3 scripts/sweep plots "$partial"
check "sweep plots on studies without their variant points exits 0" test "$STATUS" -eq 0
[ "$STATUS" -eq 0 ] || diag "$ERR"
check "... draws the startup and convoy pages" complete "$partial/plots"/{startup,convoy}.{png,svg}
check "... and says their variant points are missing" \
    test "$(grep -c 'no point of the \(startup\|convoy\) study with a variant' <<<"$ERR")" -eq 2
check "... draws no amdahl page, and says why" \
    test ! -e "$partial/plots/amdahl.png" -a -n "$(grep 'no measured point of the amdahl study' <<<"$ERR")"
check "... and says it is done" grep -q '^gilbench: plots of ' <<<"$OUT"

# Three sweep plots at once on one folder and one PLOTS_DIR, five times: each
# succeeds, and the files are complete; a stale plot of another run goes.
shared="$TEST_TMP/shared"
mkdir -p "$shared/run" "$shared/plots"
cp tests/fixtures/run/meta.json "$shared/run/"
"$GILBENCH" summarize --runs tests/fixtures/run/runs.tsv \
    --processes tests/fixtures/run/processes.tsv --csv "$shared/run/summary.csv"
failures=0
for round in 1 2 3 4 5; do
    echo stale > "$shared/plots/stale.png"
    pids=()
    for k in 1 2 3; do
        PLOTS_DIR="$shared/plots" /usr/bin/python3 scripts/sweep plots "$shared/run" > /dev/null 2> "$TEST_TMP/concurrent.$k" &
        pids+=($!)
    done
    for k in 1 2 3; do
        wait "${pids[k - 1]}" || { failures=$((failures + 1)); diag "round $round, sweep plots $k:" "$(cat "$TEST_TMP/concurrent.$k")"; }
    done
    for name in $names; do
        complete "$shared/run/plots/$name".{png,svg} "$shared/plots/$name".{png,svg} || failures=$((failures + 1))
    done
    [ ! -e "$shared/plots/stale.png" ] || { failures=$((failures + 1)); diag "round $round: stale.png is left"; }
done
check "3 sweep plots at once, 5 rounds: all exit 0 and every file is complete" test "$failures" -eq 0
check "... the plots folder holds the plots alone" \
    test "$(ls -A "$shared/plots" | wc -l)" -eq 10 -a "$(ls -A "$shared/run/plots" | wc -l)" -eq 10

done_testing
