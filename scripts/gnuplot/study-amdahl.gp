# study-amdahl.gp - gil-mode speedup for each released share p against
# Amdahl's bound 1 / ((1 - p) + p / min(N, CPUs)) (the released share cannot
# use more CPUs than there are), with the threads mode for reference.
# Expects (from scripts/sweep/plots.py): term, out, csv, variants, cpus, maxw, machine.
width = 960
height = 640
load 'scripts/gnuplot/style.gp'
set logscale x 2
set xrange [0.8 : maxw * 1.3]
set xtics 2
set logscale y 2
set ytics 2
set format y '%g'
set yrange [0.01 < * < 0.7 : 1.3 * (maxw < cpus ? maxw : cpus)]
set xlabel 'workers (threads)'
set ylabel 'speedup = median T(1) / median T(N)'
set title "amdahl: gil-mode speedup when p of the work releases the GIL\n" . machine
set key top left box opaque font ',10'
set arrow 1 from cpus, graph 0 to cpus, graph 1 nohead ls 11
released(i) = setting_value(word(variants, i)) / 100
bound(n, p) = 1 / ((1 - p) + p / (n < cpus ? n : cpus))
plot for [i = 1 : words(variants)] csv using 'workers' : \
        (summary_value('speedup', 'amdahl', word(variants, i), 'gil')) \
        with linespoints lw 2 pt 7 lc i title sprintf('gil, p = %g', released(i)), \
     for [i = 1 : words(variants)] bound(x, released(i)) with lines dt 2 lw 1.5 lc i \
        title sprintf("Amdahl's bound, p = %g", released(i)), \
     csv using 'workers' : (summary_value('speedup', 'amdahl', 'released_pct=90', 'threads')) \
        with linespoints ls 2 title 'threads (no GIL), p = 0.9'
