#!/bin/bash
# report.t - `make report RUN=...` writes a static index.html with the
# answer first, every plot, the speedup table, the run's warnings and
# failures (escaped), the machine and the settings, with its own stylesheet
# inside it and each workload's plot beside its rows of the table; where
# Chromium is installed, the page is loaded headless as a person would,
# every image must load, the answer must end above the fold at 1280 x 900,
# each table sit beside its plot there and below it on a narrow screen,
# and screenshots are taken.
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

# The page's layout: its own stylesheet inside it, the decision first, each
# workload's plot beside its rows of the speedup table.
check "the page has one stylesheet, scripts/sweep/report.css, inside it" \
    test "$(grep -c '^<style>$' "$page")" -eq 1 -a \
        "$(awk '/^<style>$/ { on = 1; next } /^<\/style>/ { on = 0 } on' "$page" | cmp - scripts/sweep/report.css && echo same)" = same
check "  self-contained: no linked sheet, no url(), @import or web font" \
    test -z "$(grep -iE '<link|url\(|@import|@font-face' "$page")"
first_line() { grep -n -m1 -e "$1" "$page" | cut -d: -f1; }
check "the decision and the answer come before the first plot" \
    test "$(first_line 'id="decision"')" -lt "$(first_line 'id="answer"')" -a \
        "$(first_line 'id="answer"')" -lt "$(first_line '<img src="plots/')"
while read -r wl; do
    section=$(awk -v open="<section class=\"workload\" id=\"workload-$wl\">" '$0 == open { on = 1 } on { print } on && /^<\/section>/ { exit }' "$page")
    check "$wl: its plot and its table in one section, the plot first (the left column)" \
        test "$(grep -n -m1 "<img src=\"plots/$wl.svg\"" <<<"$section" | cut -d: -f1)" -lt \
            "$(grep -n -m1 '<table class="points"' <<<"$section" | cut -d: -f1)"
    check "  the table has the workload's rows of summary.csv" \
        test "$(grep -cE '^<tr( class="flagged")?><td>' <<<"$section")" -eq \
            "$(awk -F, -v w="$wl" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
                $1 == w && $col["variant"] == "-"' "$run/summary.csv" | wc -l)"
done < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["variant"] == "-" && !seen[$1]++ { print $1 }' "$run/summary.csv")
check "  and the decision of the workload above its plot" \
    grep -q '^<p class="verdict-line">cpu_loop on this machine at 2 workers: threads leads so far' "$page"
check "a plot is shown no larger than gnuplot drew it (its own width and height)" \
    grep -q '<img src="plots/overview.svg" width="[0-9]*" height="[0-9]*"' "$page"

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
    # Where things land: the answer's bottom edge, and each workload's
    # table beside its plot or below it, told by a probe in another copy.
    layout="$run/layout.html"
    sed 's|</body>|<script>addEventListener("load", () => { const b = document.body, a = document.querySelector("#answer"), where = []; b.setAttribute("data-answer-bottom", a ? Math.round(a.getBoundingClientRect().bottom) : -1); for (const s of document.querySelectorAll("section.workload")) { const f = s.querySelector("figure").getBoundingClientRect(), t = s.querySelector("table").getBoundingClientRect(); where.push(f.right <= t.left \&\& t.top < f.bottom ? "beside" : f.bottom <= t.top ? "below" : "overlapping") } b.setAttribute("data-layout", where.join(" ")) })</script></body>|' \
        "$page" > "$layout"
    workloads=$(grep -c '^<section class="workload"' "$page")
    body_at() { # body_at WIDTH,HEIGHT: the probe's <body> tag at that window size
        # shellcheck disable=SC2086
        timeout 60 "$browser" $flags --window-size="$1" --virtual-time-budget=5000 --dump-dom "file://$layout" 2>/dev/null |
            grep -o '<body [^>]*>'
    }
    wide=$(body_at 1280,900)
    check "at 1280 x 900 the answer ends above the fold" \
        test "$(sed -n 's/.*data-answer-bottom="\([-0-9]*\)".*/\1/p' <<<"$wide")" -gt 0 -a \
            "$(sed -n 's/.*data-answer-bottom="\([-0-9]*\)".*/\1/p' <<<"$wide")" -le 900
    check "  and each workload's table is beside its plot" \
        test "$(grep -o 'data-layout="[^"]*"' <<<"$wide")" = "data-layout=\"$(yes beside | head -n "$workloads" | paste -sd' ' -)\""
    check "on a narrow screen (600 px) it is below it" \
        test "$(body_at 600,900 | grep -o 'data-layout="[^"]*"')" = "data-layout=\"$(yes below | head -n "$workloads" | paste -sd' ' -)\""
    # shellcheck disable=SC2086
    (cd "$TEST_TMP" && timeout 60 "$browser" $flags --window-size=1280,900 --screenshot="$TEST_TMP/fold.png" \
        "file://$page" >/dev/null 2>&1)
    check "Chromium takes a 1280 x 900 screenshot (the first screen)" test -s "$TEST_TMP/fold.png"
    [ -z "${REPORT_FOLD_SCREENSHOT:-}" ] || cp "$TEST_TMP/fold.png" "$REPORT_FOLD_SCREENSHOT"
fi

done_testing
