# timeline.gp - one traced gil-mode run, worker by worker, over its first
# milliseconds: when each worker holds the GIL, waits for it, or has
# released it for I/O or C work, and where drop requests were made.
# Expects (from scripts/sweep/timeline.py): term, out, data (the trace as blocks),
# title_text, window (ms), workers, summary (a line of totals); optionally
# xlabel_text (a trace of CPython by gilbench gil-trace starts elsewhere).
width = 1100
height = 190 + 46 * workers
load 'scripts/gnuplot/style.gp'
set datafile separator whitespace
set datafile nocolumnheaders
set xrange [0 : window]
set yrange [workers - 0.4 : -0.6]
set ytics 1 scale 0
set for [k = 0 : workers - 1] ytics add (sprintf('worker %d', k) k)
set grid noytics
set grid xtics
if (!exists('xlabel_text')) xlabel_text = 'milliseconds after the timed region began'
set xlabel xlabel_text
set title title_text . "\n" . summary font ',11'
set bmargin 6
set key at screen 0.5, screen 0.015 center bottom horizontal box samplen 1.5 font ',10'
set style fill solid 1.0 noborder
bar = 0.32
plot data index 0 using (($2 + $3) / 2) : 1 : 2 : 3 : ($1 - bar) : ($1 + bar) \
         with boxxyerror lc rgb '#c62828' title 'holds the GIL', \
     data index 1 using (($2 + $3) / 2) : 1 : 2 : 3 : ($1 - bar * 0.55) : ($1 + bar * 0.55) \
         with boxxyerror lc rgb '#ffb74d' title 'waits for it', \
     data index 2 using (($2 + $3) / 2) : 1 : 2 : 3 : ($1 - bar * 0.55) : ($1 + bar * 0.55) \
         with boxxyerror lc rgb '#64b5f6' title 'released (I/O, C work)', \
     data index 3 using 2 : ($1 - bar - 0.08) with points pt 11 ps 0.9 lc rgb '#212121' \
         title 'drop request'
