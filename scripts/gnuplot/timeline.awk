# timeline.awk - turns a `gilbench run --trace` file (worker, time_us, event)
# into what timeline.gp draws, in milliseconds, clipped to [0, window] ms:
#   block 0  "worker start end" while the worker holds the GIL
#   block 1  ... while it waits for it (also the forced-switch wait after a yield)
#   block 2  ... while it has released it for I/O or C work
#   block 3  "worker time" for each drop request
#   block 4  one line of totals over the whole trace: workers, holds, mean
#            hold (ms), drop requests, yields, releases
# Blocks are separated by two blank lines (gnuplot's `index`).  A worker's
# time after its last release (it has finished) is not drawn.
# Usage: awk -v window=MS -f timeline.awk TRACE
BEGIN { FS = "\t"; n_blocks = 4 }
/^#/ || $1 == "worker" || NF < 3 { next }
{
    w = $1 + 0; t = $2 / 1000; ev = $3
    if (!(w in state)) { state[w] = ""; workers++ }
    if (ev == "wait") {
        if (state[w] != "waiting") { close_span(w, t); open_span(w, "waiting", t) }
    } else if (ev == "acquire") {
        close_span(w, t); open_span(w, "holding", t); holds++
    } else if (ev == "yield") {
        close_span(w, t); open_span(w, "waiting", t); yields++
        held += t - since[w, "hold"]
    } else if (ev == "release") {
        close_span(w, t); open_span(w, "released", t); releases++
        held += t - since[w, "hold"]
    } else if (ev == "drop_request") {
        requests++
        if (t <= window) block[3] = block[3] sprintf("%d %.4f\n", w, t)
    }
    if (ev == "acquire") since[w, "hold"] = t
}
function open_span(w, s, t) { state[w] = s; start[w] = t }
function close_span(w, t,    b) {
    if (state[w] == "") return
    b = state[w] == "holding" ? 0 : state[w] == "waiting" ? 1 : 2
    if (start[w] < window)
        block[b] = block[b] sprintf("%d %.4f %.4f\n", w, start[w], (t < window ? t : window))
    state[w] = ""
}
END {
    # Spans still open at the end: a worker still waiting or holding when the
    # buffer filled is drawn to the window's edge; one that released for the
    # last time has finished and is not.
    for (w in state)
        if (state[w] == "waiting" || state[w] == "holding") close_span(w, window)
    for (b = 0; b < n_blocks; b++) {
        # gnuplot rejects an empty index block: give it one point off the plot.
        printf "%s", (block[b] != "" ? block[b] : (b == 3 ? "-1 -1\n" : "-1 -1 -1\n"))
        printf "\n\n"
    }
    printf "%d %d %.4f %d %d %d\n", workers, holds, (holds ? held / holds : 0), requests, yields, releases
}
