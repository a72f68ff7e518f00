# study-blas_threads.gp - GFLOP/s of N callers with T OpenBLAS threads each,
# per mode, against this machine's measured single-core FMA peak (times the
# CPUs, the most any combination can reach).
# Expects (from scripts/sweep/plots.py): term, out, figures, variants (blas_threads=T),
# study_workers, cpus, peak (0 when not measured), machine.
width = 960
height = 640
load 'scripts/gnuplot/style.gp'
set logscale x 2
set xrange [0.7 : maxw * 1.4]
set xtics 2
set yrange [0 : *]
if (peak > 0) { set yrange [0 : peak * cpus * 1.12] }
set xlabel 'callers (workers)'
set ylabel 'GFLOP/s, all callers together'
set title "blas_threads: callers x OpenBLAS threads per caller\n" . machine
set key bottom right box opaque font ',10'
if (peak > 0) {
    set arrow 1 from graph 0, first peak to graph 1, first peak nohead ls 10
    set label 1 sprintf('FMA peak, 1 core: %.1f GFLOP/s', peak) at graph 0.02, first peak offset 0, 0.7 font ',9' tc rgb '#616161'
    set arrow 2 from graph 0, first peak * cpus to graph 1, first peak * cpus nohead ls 10
    set label 2 sprintf('FMA peak, %d cores', cpus) at graph 0.02, first peak * cpus offset 0, 0.7 font ',9' tc rgb '#616161'
}
threads_of(v) = setting_value(v)
blas(mode, v) = series(figures, sprintf('workload=blas_threads;mode=%s;variant=%s;figure=gflops', mode, v))
plot for [i = 1 : words(variants)] blas('procs', word(variants, i)) using 'workers' : 'median' \
        with linespoints ls 3 dt i pt (7 + i) title sprintf('procs, %g OpenBLAS thread%s each', threads_of(word(variants, i)), threads_of(word(variants, i)) == 1 ? '' : 's'), \
     for [i = 1 : words(variants)] blas('threads', word(variants, i)) using 'workers' : 'median' \
        with linespoints ls 2 dt i pt (4 + i) title sprintf('threads, %g OpenBLAS thread%s each', threads_of(word(variants, i)), threads_of(word(variants, i)) == 1 ? '' : 's')
