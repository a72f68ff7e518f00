# gil-wait.gp - in the gil mode, the share of the workers' time spent
# waiting for the GIL: gil_wait_s / (workers x median wall time).  It is what
# flattens the gil curves of CPU-bound work: one worker runs, the rest wait.
# Expects (from scripts/sweep/plots.py): term, out, csv, workloads, cpus, maxw, machine.
width = 960
height = 600
load 'scripts/gnuplot/style.gp'
set logscale x 2
set xrange [0.8 : maxw * 1.3]
set xtics 2
set yrange [0 : 105]
set xlabel 'workers (threads)'
set ylabel 'time waiting for the GIL (% of workers x wall time)'
set title 'gil mode: share of time spent waiting for the GIL' . "\n" . machine
set arrow 1 from cpus, graph 0 to cpus, graph 1 nohead ls 11
set label 1 sprintf(' %d usable CPU%s', cpus, cpus == 1 ? '' : 's') at cpus, graph 0.97 left font ',9' tc rgb '#616161'
share(w) = (strcol('workload') eq w && strcol('mode') eq 'gil' && strcol('variant') eq '-') \
    ? column('gil_wait_share') * 100 : NaN
plot for [k = 1 : words(workloads)] csv using 'workers' : (share(word(workloads, k))) \
    with linespoints lw 2 pt 7 ps 1.1 lc k title word(workloads, k)
