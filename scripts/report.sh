#!/bin/bash
# report.sh - writes a run folder's index.html: the answer first (one line
# per workload, answer.txt), the warnings and failures, every plot of plots/
# (SVG, linked to the PNG), the speedup table of summary.csv, then the
# machine and the settings from meta.json.  Static, no script, no network:
# open it from the folder.
# Usage: report.sh RUN_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ $# -eq 1 ] || usage "report.sh takes one results folder"
run_dir=${1%/}
check_results_folder RUN "$run_dir"
meta=$run_dir/meta.json

# html TEXT: TEXT with &, <, > and " escaped.
html() {
    sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g' <<<"$1"
}

machine_rows=$(jq -r '
    def row($k; $v): "<tr><th>\($k)</th><td>\(if $v == null then "–" else $v end | tostring | gsub("&"; "&amp;") | gsub("<"; "&lt;") | gsub(">"; "&gt;"))</td></tr>";
    row("date (UTC)"; .date_utc), row("host"; .host), row("command"; .command),
    row("complete"; .complete), row("CPU"; .cpu_model),
    row("CPUs online / usable"; "\(.cpus_online) / \(.cpus_usable)"), row("kernel"; .kernel),
    row("OS"; .os), row("compiler"; .compiler), row("build flags"; .build_flags),
    row("OpenBLAS"; .openblas_config), row("OpenBLAS threading"; .openblas_threading),
    row("OPENBLAS_* variables"; (.openblas_environment // {} | to_entries | map("\(.key)=\(.value)") | join(" ")) ),
    row("hyperfine"; .hyperfine_version), row("gnuplot"; .gnuplot_version),
    row("git commit"; .git_commit), row("load average before"; (.loadavg_before // [] | map(tostring) | join(" "))),
    row("CPU share of other processes"; (if .other_cpu_share == null then null else "\(.other_cpu_share * 100 | round) %" end)),
    row("rounds"; .rounds)' "$meta")
settings_rows=$(jq -r '
    def row($k; $v): "<tr><th>\($k)</th><td>\(if $v == null or $v == "" or $v == [] then "–" else $v end | tostring | gsub("&"; "&amp;") | gsub("<"; "&lt;") | gsub(">"; "&gt;"))</td></tr>";
    .settings | row("workloads"; (.workloads // []) | join(", ")), row("modes"; (.modes // []) | join(", ")),
    row("workers"; (.workers // []) | map(tostring) | join(", ")),
    row("runs per point"; "at least \(.runs), at most \(.max_runs // .runs)"),
    row("precision asked"; if .precision_pct then "±\(.precision_pct) % (95 % interval)" else null end),
    row("a tie for the answer"; if .resolution_pct then "within ±\(.resolution_pct) %" else null end),
    row("time budget"; if .budget_s then "\(.budget_s) s" else null end),
    row("warm-up runs"; .warmup), row("GIL switch interval"; "\(.switch_interval_us) µs"),
    row("shuffle seed"; .seed), row("workload settings"; .params), row("studies"; (.studies // []) | join(", ")),
    row("quick"; .quick)' "$meta")
# html_items FILE: each line of FILE as a list item (none if FILE is unreadable).
html_items() {
    readable_file "$1" || return 0
    while IFS= read -r line; do printf '<li>%s</li>\n' "$(html "$line")"; done < "$1"
}
answer=$(html_items "$run_dir/answer.txt")
decision=$(html_items "$run_dir/decision.txt")

# The Python workloads: their files, the interpreters that ran them, their checks.
python_workloads=$(jq -r '.python_workloads // [] | .[] |
    def h: tostring | gsub("&"; "&amp;") | gsub("<"; "&lt;") | gsub(">"; "&gt;");
    "<tr><td>\(.name | h)</td><td>\(.file | h)</td><td>\(.description | h)</td><td>\(.units) × \(.unit | h)</td>" +
    "<td>\(.python | h)\(if .free_threaded_python then ", " + (.free_threaded_python | h) else "" end)</td>" +
    "<td>\(if .checked then "checked" else "<span class=\"warning\">unchecked: no check()</span>" end)</td></tr>"' "$meta")
warnings=$(jq -r '.warnings[]? | "<li>\(gsub("&"; "&amp;") | gsub("<"; "&lt;") | gsub(">"; "&gt;"))</li>"' "$meta")
failures=""
if readable_file "$run_dir/failures.tsv"; then
    failures=$(awk -F'\t' '{ gsub(/&/, "\\&amp;"); gsub(/</, "\\&lt;"); gsub(/>/, "\\&gt;");
        printf "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", $1, $2, $3, $4, $5 }' \
        "$run_dir/failures.tsv")
fi

precision=$(jq -r '.settings.precision_pct // 100' "$meta")
table=$(awk -F, -v target="$precision" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    function r(x, d) { return x == "" ? "" : sprintf("%." d "f", x) }
    { half = $col["precision"]; s = $col["speedup"]
      d = (half == "" || half <= 0) ? 2 : (half * s >= 0.05 ? 1 : (half * s >= 0.005 ? 2 : 3))
      notes = ((half != "" && (half * 100 > target || $col["ci_level"] < 0.95)) ? "wide " : "") ($col["disturbed"] == "yes" ? "disturbed" : "")
      one = $col["workers"] == 1
      printf "<tr%s><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
        (notes != "" ? " class=\"flagged\"" : ""),
        $col["workload"], $col["variant"], $col["mode"], $col["workers"], r($col["median_s"], 3), r(s, d),
        ($col["speedup_ci_lo"] == "" || one ? "" : r($col["speedup_ci_lo"], d) " – " r($col["speedup_ci_hi"], d)),
        (half == "" || one ? "" : sprintf("%.1f %%", half * 100)),
        r($col["speedup_vs_fastest"], d) ($col["fastest_mode"] == "" ? "" : " (" $col["fastest_mode"] ")"),
        ($col["other_cpu_share"] == "" ? "" : sprintf("%.0f %%", $col["other_cpu_share"] * 100)), notes }' \
    "$run_dir/summary.csv")

# The overview first: the whole story in one picture; then the rest by name.
figures="" drawn=" "
for svg in "$run_dir"/plots/overview.svg "$run_dir"/plots/*.svg; do
    [ -e "$svg" ] || continue
    name=$(basename "$svg" .svg)
    [[ $drawn == *" $name "* ]] && continue
    drawn+="$name "
    figures+="<figure><a href=\"plots/$name.png\"><img src=\"plots/$name.svg\" alt=\"$name\"></a><figcaption>$name</figcaption></figure>"$'\n'
done

# make calibrate's table: model / CPython per point.
calibration=""
if readable_file "$run_dir/calibration.csv"; then
    calibration=$(awk -F, 'NR > 1 {
        printf "<tr%s><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
            ($11 == "yes" ? " class=\"differs\"" : ""), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }' "$run_dir/calibration.csv")
    # Each interpreter, and how its blas_dgemm reached OpenBLAS.
    interpreters=$(jq -r '.python.interpreters // [] | .[] |
        "<li>\(.source | @html): \(.executable | @html) (\(if .kind == "free" then "free-threaded, PYTHON_GIL=0" else "with its GIL" end);
         blas_dgemm through \(.blas // "unknown" | @html))</li>"' "$run_dir/meta.json")
fi
single_thread=""
if readable_file "$run_dir/single_thread.csv"; then
    single_thread=$(awk -F, 'NR > 1 {
        printf "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", $1, $2, $3, $4, $5, $6 }' \
        "$run_dir/single_thread.csv")
fi

# run_modes_phrase META: the modes of the run, in words ("a model of
# CPython's GIL (gil), free threads (threads) and forked processes (procs)").
run_modes_phrase() {
    jq -r '{gil: "a model of CPython'"'"'s GIL (gil)", threads: "free threads (threads)",
            procs: "forked processes (procs)", mpi: "Open MPI ranks (mpi)",
            interp: "interpreters with a GIL each (interp)",
            forkserver: "processes from a fork server (forkserver)", spawn: "spawned processes (spawn)"} as $words
        | [(.settings.modes // ["gil", "threads", "procs"])[] | $words[.] // .]
        | if length < 2 then .[0] // "its modes" else (.[:-1] | join(", ")) + " and " + .[-1] end' "$1" 2>/dev/null ||
        echo "its modes"
}

# convoy_caption RESULT_LINE: the convoy's timeline told from its own traced
# run: the server's time, the round trips' median and p99, the interval.
convoy_caption() {
    jq -r 'select(.latency_p50_us != null and .params.server_us != null)
        | "Worker 0 makes round trips to a server that answers after \(.params.server_us) µs; " + (if .workers == 2 then "the other is" else "the other \(.workers - 1) are" end) + " CPU-bound. "
          + "In this traced run its round trips took \(.latency_p50_us / 1000 * 10 | round / 10) ms at the median "
          + "(p99 \(.latency_p99_us / 1000 * 10 | round / 10) ms) against \(.params.server_us / 1000 * 10 | round / 10) ms for the server alone, "
          + "with a switch interval of \(.switch_interval_us / 1000 * 10 | round / 10) ms: "
          + "coming back from the server, it waits for the holder to yield (the convoy effect)."' "$1" 2>/dev/null | head -n 1 | grep . ||
        echo "Worker 0 makes round trips to an echo server; the others are CPU-bound; each time worker 0 comes back it waits for the holder to yield the GIL: the convoy effect."
}

# The timelines of `make timeline` / make bench, with what each one shows.
timeline_caption() {
    case $1 in
        cpu_loop) echo "CPU-bound threads take turns: a waiter asks for the GIL after one switch interval (a drop request), the holder yields at its next check point, and the operating system, not a queue, picks who runs next. One thread runs at a time." ;;
        io_wait) echo "Each worker holds the GIL only for the instant between two waits (the mean hold above), so the waits of all workers overlap and threads scale like processes." ;;
        convoy) convoy_caption "$run_dir/timeline/convoy.json" ;;
        *) echo "Holding, waiting and released time of each worker." ;;
    esac
}
timelines=""
# The three of make bench in the order of the story they tell, then any other.
for name in cpu_loop io_wait convoy $(ls "$run_dir"/timeline/ 2>/dev/null | sed -n 's/\.svg$//p' |
        grep -vx -e cpu_loop -e io_wait -e convoy); do
    [ -e "$run_dir/timeline/$name.svg" ] || continue
    timelines+="<figure><a href=\"timeline/$name.png\"><img src=\"timeline/$name.svg\" alt=\"timeline of $name\"></a><figcaption>$(html "$name: $(timeline_caption "$name")") Trace: <a href=\"timeline/$name.tsv\">timeline/$name.tsv</a>.</figcaption></figure>"$'\n'
done

{
    cat <<EOF
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gilbench: $(html "$(basename "$run_dir")")</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1500px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
#speedups td { text-align: right; } #speedups td:nth-child(-n+3) { text-align: left; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
.warning { color: #8a4b00; } .failure { color: #b00020; } tr.differs, tr.flagged { background: #fff3e0; }
.answer { font-size: 18px; line-height: 1.6; }
</style>
</head>
<body>
<h1>gilbench run $(html "$(basename "$run_dir")")</h1>
<p>When threads help and when only processes do, measured on this machine ($(html "$(jq -r '.cpu_model // "unknown CPU"' "$meta")"),
$(jq -r '.cpus_usable' "$meta") usable CPUs), every workload under $(html "$(run_modes_phrase "$meta")").
Tidy data beside this page: summary.csv, figures.csv, runs.csv, meta.json.</p>
EOF
    if [ -n "$decision" ]; then
        cat <<EOF
<h2>The decision</h2>
<ul id="decision" class="answer">
$decision
</ul>
EOF
    fi
    if [ -n "$answer" ]; then
        cat <<EOF
<h2>The answer</h2>
<p>Each way's speed at the usable CPU count against the fastest way with one worker, with its 95 % interval.
Whether the leader is faster is decided by comparing the ways' times directly (docs/statistics.md): decided,
a tie within ±$(html "$(jq -r '.settings.resolution_pct // 5' "$meta")") %, or undecided, with the runs that would decide it;
≈ joins a way to the leader when they are a tie or not yet told apart, ; when they are told apart.
Each way's own speedup (over its own single worker) is in the table below.</p>
<ul id="answer" class="answer">
$answer
</ul>
EOF
    fi
    if [ -n "$python_workloads" ]; then
        cat <<EOF
<h2>Python workloads</h2>
<p>Files under workloads/, run by scripts/pyrun under Python's own ways: threading (gil; threads on a free-threaded build), multiprocessing with fork (procs), forkserver and spawn, ThreadPoolExecutor (gil+pool), ProcessPoolExecutor (procs+pool) and subinterpreters (interp). What a Python could not run is listed under the warnings.</p>
<table id="python-workloads"><tr><th>workload</th><th>file</th><th>what it does</th><th>default units</th><th>Python</th><th>results</th></tr>
$python_workloads
</table>
EOF
    fi
    cat <<EOF
<h2>Warnings and failures</h2>
EOF
    if [ -z "$warnings$failures" ]; then
        echo "<p>None.</p>"
    fi
    [ -z "$warnings" ] || printf '<ul class="warning">\n%s\n</ul>\n' "$warnings"
    if [ -n "$failures" ]; then
        echo '<table id="failures" class="failure"><tr><th>workload</th><th>variant</th><th>mode</th><th>workers</th><th>why</th></tr>'
        echo "$failures"
        echo '</table>'
    fi
    cat <<EOF
<h2>Plots</h2>
$figures
EOF
    if [ -n "$timelines" ]; then
        cat <<EOF
<h2>The GIL at work</h2>
<p>Traced gil-mode runs (<code>gilbench run --trace</code>), separate from the timed runs: red, a
worker holds the GIL; orange, it waits for it; blue, it has released it for I/O or C work;
triangles, drop requests.</p>
$timelines
EOF
    fi
    if [ -n "$calibration" ]; then
        cat <<EOF
<h2>The model beside CPython</h2>
<p>make calibrate: each point measured as the C model and as its Python version in each CPython
(gil: threading; procs: multiprocessing with fork, on a build with the GIL; threads: threading on a
free-threaded build). Ratios are model / CPython; highlighted rows differ in speedup by more than
15 % (docs/gil-model.md, "Calibration", says why). The interpreters:</p>
<ul>
$interpreters
</ul>
<table id="calibration">
<tr><th>workload</th><th>mode</th><th>workers</th><th>interpreter</th><th>model median (s)</th><th>CPython median (s)</th><th>time ratio</th><th>model speedup</th><th>CPython speedup</th><th>speedup ratio</th></tr>
$calibration
</table>
EOF
        if [ -n "$single_thread" ]; then
            cat <<EOF
<p>What free threading costs one thread: each workload's one-worker median time on the
free-threaded build against the same version with its GIL.</p>
<table id="single-thread">
<tr><th>workload</th><th>GIL build</th><th>free-threaded build</th><th>GIL build median (s)</th><th>free-threaded median (s)</th><th>free-threaded / GIL</th></tr>
$single_thread
</table>
EOF
        fi
    fi
    cat <<EOF
<h2>Speedups</h2>
<p>speedup: T(1 worker) / T(N workers) of the same mode, the median over all pairs of runs, with its
95 % interval (docs/statistics.md); ±: the interval's half-width; against the fastest: over the
fastest 1-worker time of any mode; other CPU: what other processes took of the CPUs while the point
ran. Flagged rows: wider than ±${precision} % (wide), or disturbed. Times in seconds.</p>
<table id="speedups">
<tr><th>workload</th><th>variant</th><th>mode</th><th>workers</th><th>median (s)</th><th>speedup</th><th>95 % interval</th><th>±</th><th>against the fastest</th><th>other CPU</th><th>notes</th></tr>
$table
</table>
<h2>Machine</h2>
<table id="machine">
$machine_rows
</table>
<h2>Settings</h2>
<table id="settings">
$settings_rows
</table>
</body>
</html>
EOF
} | write_atomically "$run_dir/index.html" || die "cannot write $run_dir/index.html"
echo "gilbench: report in $run_dir/index.html"
