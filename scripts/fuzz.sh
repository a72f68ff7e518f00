#!/bin/bash
# fuzz.sh - what `make fuzz` runs once the harnesses are built: each
# libFuzzer harness of tests/fuzz/ for FUZZ_SECONDS (default 60) from its
# seeds (tests/fuzz/seeds/HARNESS/) and every input it ever failed on
# (tests/fuzz/regressions/HARNESS/, replayed first: each must pass), then
# the shell, awk and jq readers on mutated files (tests/fuzz/mutate_readers.py)
# for FUZZ_SECONDS in all.  Prints one line per harness: executions,
# findings; a finding's input is kept under build/fuzz/findings/HARNESS/.
# Usage: fuzz.sh HARNESS...   (FUZZ_BUILD: where the harnesses are)
# Exit status: 0 no finding, 1 findings, 2 bad settings.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

seconds=$(parse_number FUZZ_SECONDS "${FUZZ_SECONDS:-60}" 1 86400) || exit 2
build=${FUZZ_BUILD:-build/fuzz/fuzz}
[ $# -gt 0 ] || usage "fuzz.sh needs the names of the harnesses"
work=build/fuzz/work findings_dir=build/fuzz/findings
mkdir -p "$work" "$findings_dir" || die "cannot create $work"
# The harnesses whose refused inputs jump out of the command (see
# tests/fuzz/fuzz_support.c) leave what it had allocated: their leaks are
# the jump's, not the program's (which exits there).  summarize frees what
# it read before refusing, so its harness looks for leaks.
jumping=" fuzz_whole_number fuzz_run_options "

report=$(mktemp) || die "cannot make a temporary file"
trap 'rm -f "$report"' EXIT
total_findings=0
printf '%-22s %14s %9s  %s\n' harness executions findings notes
for harness in "$@"; do
    binary=$build/$harness
    [ -x "$binary" ] || die "no harness $binary; run make fuzz"
    leaks=1
    [[ "$jumping" != *" $harness "* ]] || leaks=0
    notes=""
    # Every input that once failed must pass now.
    regressions=(tests/fuzz/regressions/"$harness"/*)
    if [ -e "${regressions[0]}" ]; then
        if ! (cd "$work" && "$OLDPWD/$binary" -detect_leaks=$leaks "${regressions[@]/#/$OLDPWD/}") >"$work/$harness.replay.log" 2>&1; then
            notes="a regression input fails again ($work/$harness.replay.log)"
            total_findings=$((total_findings + 1))
        else
            notes="${#regressions[@]} regression input(s) pass"
        fi
    fi
    corpus=build/fuzz/corpus/$harness
    mkdir -p "$corpus" "$findings_dir/$harness" "$work/$harness"
    cp -n tests/fuzz/seeds/"$harness"/* "$corpus"/ 2>/dev/null
    before=$(find "$findings_dir/$harness" -type f | wc -l)
    # Each harness in a scratch folder of its own: --error-log and the like
    # may create files where it runs.
    (cd "$work/$harness" && exec "$OLDPWD/$binary" -max_total_time="$seconds" -print_final_stats=1 \
        -detect_leaks=$leaks -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$OLDPWD/$findings_dir/$harness/" "$OLDPWD/$corpus") \
        >"$work/$harness.log" 2>&1
    status=$?
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$harness.log" | tail -n1)
    found=$(( $(find "$findings_dir/$harness" -type f | wc -l) - before ))
    if [ "$found" -gt 0 ]; then
        notes="${notes:+$notes; }kept in $findings_dir/$harness/, log $work/$harness.log"
    elif [ "$status" -ne 0 ]; then # died without saving its input: a finding too
        found=1 notes="${notes:+$notes; }ended with status $status and kept no input: see $work/$harness.log"
    fi
    total_findings=$((total_findings + found))
    printf '%-22s %14s %9s  %s\n' "$harness" "${executions:-?}" "$found" "$notes"
    printf '%s\t%s\t%s\n' "$harness" "${executions:-}" "$found" >> "$report"
done

# The readers written in shell, awk and jq: mutated results folders, traces
# and comparisons, each command's status and output checked.
readers_log=$work/readers.log
python3 tests/fuzz/mutate_readers.py --seconds "$seconds" --work "$work/readers" \
    --findings "$findings_dir/readers" > "$readers_log" 2>&1
status=$?
line=$(tail -n1 "$readers_log")
executions=$(sed -n 's/^readers: \([0-9]*\) commands.*/\1/p' <<<"$line")
found=$(sed -n 's/.* \([0-9]*\) findings.*/\1/p' <<<"$line")
[ "$status" -le 1 ] || { found=${found:-1}; line="the mutation driver failed: see $readers_log"; }
total_findings=$((total_findings + ${found:-0}))
printf '%-22s %14s %9s  %s\n' "shell/awk/jq readers" "${executions:-?}" "${found:-?}" "$line"
printf 'readers\t%s\t%s\n' "${executions:-}" "${found:-}" >> "$report"
cp "$report" build/fuzz/report.tsv
echo "gilbench: fuzzing: $total_findings finding(s); table in build/fuzz/report.tsv"
[ "$total_findings" -eq 0 ]
