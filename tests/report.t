#!/bin/bash
# report.t - `make report RUN=...` writes a static index.html with the
# answer first, every plot, the speedup table, the run's warnings and
# failures (escaped), the machine and the settings; where Chromium is installed, the page is loaded
# headless as a person would, every image must load and a screenshot is
# taken.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
run="$TEST_TMP/results/example"
mkdir -p "$run"
cp tests/fixtures/run/meta.json tests/fixtures/run/plan.tsv "$run/"
jq '.warnings = ["a point with a <spread> of 12 %"]' tests/fixtures/run/meta.json > "$run/meta.json"
printf 'io_wait\t-\tgil\t8\tworker 1 (pid 7) was killed by signal 11 <Segmentation fault>\n' > "$run/failures.tsv"
"$GILBENCH" summarize --runs tests/fixtures/run/runs.tsv --csv "$run/summary.csv" --cpus 2
"$GILBENCH" summarize --runs tests/fixtures/run/runs.tsv --answer --cpus 2 > "$run/answer.txt"
"$GILBENCH" summarize --runs tests/fixtures/run/runs.tsv --decision --cpus 2 > "$run/decision.txt"
make --no-print-directory plots RUN="$run" PLOTS_DIR="$TEST_TMP/plots" >/dev/null
# A convoy timeline: its picture and the result line of its traced run.
mkdir -p "$run/timeline"
echo '<svg xmlns="http://www.w3.org/2000/svg"/>' > "$run/timeline/convoy.svg"
echo '{"workload":"convoy","workers":3,"switch_interval_us":2000,"params":{"server_us":250},"latency_p50_us":2312.5,"latency_p99_us":4125}' \
    > "$run/timeline/convoy.json"

run_capture make --no-print-directory report RUN="$run"
page="$run/index.html"
check "make report writes index.html" test "$STATUS" -eq 0 -a -s "$page"
check "it shows the machine" grep -q '<th>CPU</th><td>Test CPU' "$page"
check "it embeds every plot of the run" \
    test "$(grep -o '<img src="plots/[^"]*\.svg"' "$page" | wc -l)" -eq "$(ls "$run"/plots/*.svg | wc -l)"
missing=""
for src in $(grep -o '<img src="[^"]*"' "$page" | sed 's/<img src="//; s/"$//'); do
    [ -s "$run/$src" ] || missing="$missing $src"
done
ok $([ -z "$missing" ]; echo $?) "every image it refers to exists${missing:+ (missing:$missing)}"
check "the speedup table has a row per point" \
    test "$(awk '/<table id="speedups">/ { on = 1; next } on && /<\/table>/ { on = 0 } on && /^<tr[ >]<td>|^<tr class/' "$page" | wc -l)" \
        -eq "$(tail -n +2 "$run/summary.csv" | wc -l)"
check "the page opens with the decision, then the answer, before warnings and plots" \
    test "$(grep -n -e '<h2>The decision' -e '<h2>The answer' -e '<h2>Warnings' -e '<h2>Plots' "$page" | cut -d: -f2 | paste -sd' ' -)" = \
        "<h2>The decision</h2> <h2>The answer</h2> <h2>Warnings and failures</h2> <h2>Plots</h2>"
check "  the decision in words, from decision.txt" \
    grep -q '<li>cpu_loop on this machine at 2 workers: threads leads so far, 1.7× the speed of one worker of threads; not yet decided: ' "$page"
check "  one line per workload of answer.txt" \
    grep -q '<li>cpu_loop at 2 workers (2 usable CPUs): threads 1.7× (1.6–2.0); gil 0.95× (0.91–1.00) \[undecided: ' "$page"
check "the convoy's caption tells its own traced run: server, median and p99, interval" \
    grep -q 'answers after 250 µs; the other 2 are CPU-bound. In this traced run its round trips took 2.3 ms at the median (p99 4.1 ms) against 0.3 ms for the server alone, with a switch interval of 2 ms' "$page"
check "its opening names the run's modes in words" \
    grep -qF "every workload under a model of CPython's GIL (gil), free threads (threads) and forked processes (procs)." "$page"
mpi_run="$TEST_TMP/results/mpi-example"
cp -r "$run" "$mpi_run" && jq '.settings.modes = ["procs", "mpi"]' "$run/meta.json" > "$mpi_run/meta.json"
make --no-print-directory report RUN="$mpi_run" >/dev/null 2>&1
check "  only the run's: a procs and mpi run's" \
    grep -qF "every workload under forked processes (procs) and Open MPI ranks (mpi)." "$mpi_run/index.html"
check "the settings are a table, not raw JSON" \
    test -n "$(grep '<th>runs per point</th>' "$page")" -a -z "$(grep -F '{"workloads"' "$page")"
check "warnings are shown, escaped" grep -q '<li>a point with a &lt;spread&gt; of 12 %</li>' "$page"
check "failures are shown, escaped" grep -q 'signal 11 &lt;Segmentation fault&gt;' "$page"
check "the page has no script and loads nothing from the network" \
    test -z "$(grep -iE '<script|https?://' "$page")"
run_capture make --no-print-directory report
check "make report without RUN is refused" test "$STATUS" -ne 0 -a -n "$ERR"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "ok $((TEST_COUNT + 1)) # skip Chromium is not installed"
    TEST_COUNT=$((TEST_COUNT + 1))
else
    # A copy of the page with a probe that marks each image loaded or not;
    # the product page itself has no script.
    probe="$run/probe.html"
    sed 's|</body>|<script>addEventListener("load", () => { for (const i of document.images) i.setAttribute("data-loaded", i.complete \&\& i.naturalWidth > 0 ? "yes" : "no") })</script></body>|' \
        "$page" > "$probe"
    flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$TEST_TMP/profile"
    # shellcheck disable=SC2086
    dom=$(timeout 60 "$browser" $flags --virtual-time-budget=5000 --dump-dom "file://$probe" 2>/dev/null)
    check "Chromium loads the page with its table" grep -q 'id="speedups"' <<<"$dom"
    check "every image loads in Chromium" \
        test "$(grep -o 'data-loaded="yes"' <<<"$dom" | wc -l)" -eq "$(grep -o '<img ' "$page" | wc -l)" -a \
        -z "$(grep -o 'data-loaded="no"' <<<"$dom")"
    # shellcheck disable=SC2086
    (cd "$TEST_TMP" && timeout 60 "$browser" $flags --window-size=1400,3000 --screenshot="$TEST_TMP/report.png" \
        "file://$page" >/dev/null 2>&1)
    check "Chromium takes a screenshot of it" test -s "$TEST_TMP/report.png"
    [ -z "${REPORT_SCREENSHOT:-}" ] || cp "$TEST_TMP/report.png" "$REPORT_SCREENSHOT"
fi

done_testing
