#!/bin/bash
# readers_faults.t - what `make fuzz` found in the readers of results
# folders (tests/fuzz/mutate_readers.py), kept as regression tests: a
# meta.json whose fields have the wrong types, a file of the folder that is
# a folder, each refused by plots, report and compare with one line and
# exit 2 (or, for an optional file, read as absent), never a jq or awk error.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

fresh() { # fresh NAME: a good results folder from the fixture
    local run="$TEST_TMP/$1"
    rm -rf "$run"
    mkdir -p "$run"
    cp tests/fixtures/run/meta.json "$run/"
    "$GILBENCH" summarize --runs tests/fixtures/run/runs.tsv --processes tests/fixtures/run/processes.tsv \
        --csv "$run/summary.csv" --answer > "$run/answer.txt"
    echo "$run"
}
good=$(fresh good)

refused() { # refused DESCRIPTION WHAT-THE-LINE-SAYS FOLDER
    local script
    for script in plots report; do
        run_capture env PLOTS_DIR="$TEST_TMP/plots" /usr/bin/python3 scripts/sweep $script "$3"
        check "sweep $script refuses $1: exit 2, one line" test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1
        check "... saying what is wrong" grep -q "$2" <<<"$ERR"
    done
    run_capture env RESULTS_DIR="$TEST_TMP/compare" python3 scripts/sweep compare "$good" "$3"
    check "sweep compare refuses $1 as B: exit 2, one line" test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1
}

# Found: report.sh ended with jq's "Cannot iterate over string" (exit 5).
run=$(fresh workloads-text)
jq '.settings.workloads = "1; rm -rf /"' "$good/meta.json" > "$run/meta.json"
refused "workload names that are text, not a list" "settings.workloads" "$run"
run=$(fresh workers-text)
jq '.settings.workers = "1,2"' "$good/meta.json" > "$run/meta.json"
refused "worker counts that are text" "settings.workers is not a list of numbers" "$run"
run=$(fresh interval-text)
jq '.settings.switch_interval_us = "fast"' "$good/meta.json" > "$run/meta.json"
refused "a switch interval that is text" "a setting that is not a number" "$run"
run=$(fresh cpus-list)
jq '.cpus_usable = [2]' "$good/meta.json" > "$run/meta.json"
refused "a CPU count that is a list" "machine figure that is not a number" "$run"
run=$(fresh python-workloads)
jq '.python_workloads = [{"name": 1}]' "$good/meta.json" > "$run/meta.json"
refused "Python workloads not as the sweep writes them" "python_workloads" "$run"
run=$(fresh broken-json)
printf '{"settings": {"workloads": ["cpu_loop"]' > "$run/meta.json"
refused "a meta.json that is not JSON" "not valid JSON" "$run"
run=$(fresh array-json)
echo '[1, 2]' > "$run/meta.json"
refused "a meta.json that is a list" "is not a JSON object" "$run"

# Found: awk's "read error (Is a directory)" for a summary.csv that is a folder.
run=$(fresh summary-folder)
rm "$run/summary.csv" && mkdir "$run/summary.csv"
refused "a summary.csv that is a folder" "no readable summary.csv" "$run"

# Found: report.sh's "read: read error: Is a directory" for answer.txt.
run=$(fresh answer-folder)
rm "$run/answer.txt" && mkdir "$run/answer.txt"
run_capture python3 scripts/sweep report "$run"
check "sweep report reads an answer.txt that is a folder as no answer, and succeeds" \
    test "$STATUS" -eq 0 -a -s "$run/index.html" -a -z "$ERR"
check "... without an answer section" bash -c "! grep -q 'id=\"answer\"' '$run/index.html'"

run_capture python3 scripts/sweep report "$good"
check "the good folder's report has its answer" grep -q 'id="answer"' "$good/index.html"

done_testing
