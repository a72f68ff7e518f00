# style.gp - what every gilbench plot shares: the terminal, colours per
# mode, fonts.  The caller sets term ('png' or 'svg'), out, width, height.
if (term eq 'png') {
    set terminal pngcairo size width, height font 'Sans,11' noenhanced linewidth 1.2
} else {
    set terminal svg size width, height font 'Sans,11' noenhanced dynamic background '#ffffff'
}
set output out
set datafile separator ','
set datafile columnheaders   # columns are read by name: column('speedup')
set grid lc rgb '#e0e0e0' lw 1
set border lc rgb '#444444'
set key top left box opaque samplen 2.5 spacing 1.1 width 1 font ',10'

# One colour and point shape per mode, the same in every plot.
set style line 1 lc rgb '#c62828' lw 2 pt 7 ps 1.1
set style line 2 lc rgb '#1565c0' lw 2 pt 5 ps 1.0
set style line 3 lc rgb '#2e7d32' lw 2 pt 9 ps 1.3
set style line 4 lc rgb '#6a1b9a' lw 2 pt 11 ps 1.3
# The same mode through a pool (gil+pool, ...): its colour, dashed, open points.
set style line 5 lc rgb '#c62828' lw 2 pt 6 ps 1.1 dt (8, 4)
set style line 6 lc rgb '#1565c0' lw 2 pt 4 ps 1.0 dt (8, 4)
set style line 7 lc rgb '#2e7d32' lw 2 pt 8 ps 1.3 dt (8, 4)
# interp (interpreters with a GIL each), and through a pool.
set style line 8 lc rgb '#ef6c00' lw 2 pt 13 ps 1.3
set style line 9 lc rgb '#ef6c00' lw 2 pt 12 ps 1.3 dt (8, 4)
# spawn and forkserver (CPython's multiprocessing start methods).
set style line 12 lc rgb '#00838f' lw 2 pt 15 ps 1.3
set style line 13 lc rgb '#6d4c41' lw 2 pt 3 ps 1.3
set style line 10 lc rgb '#9e9e9e' lw 1.5 dt 2
set style line 11 lc rgb '#616161' lw 1 dt 3
pooled(m) = strlen(m) > 5 && m[strlen(m) - 4 :] eq '+pool'
base_mode(m) = pooled(m) ? m[1 : strlen(m) - 5] : m
mode_style(m) = base_mode(m) eq 'interp' ? (pooled(m) ? 9 : 8) : base_mode(m) eq 'spawn' ? 12 : \
                base_mode(m) eq 'forkserver' ? 13 : \
                (pooled(m) ? 4 : 0) + (base_mode(m) eq 'gil' ? 1 : base_mode(m) eq 'threads' ? 2 : \
                base_mode(m) eq 'procs' ? 3 : 4)
# Long titles for a plot of its own, short ones where panels share a page.
if (!exists('short_titles')) short_titles = 0
# A Python workload's curves (python_ways = 1) are Python's ways, named so.
if (!exists('python_ways')) python_ways = 0
mode_title(m) = short_titles ? m : python_ways ? python_title(m) : \
                pooled(m) ? base_title(base_mode(m)) . ', through a pool' : base_title(m)
python_title(m) = m eq 'gil' ? 'threading (with the GIL)' : m eq 'threads' ? 'threading, free-threaded' : \
                  m eq 'procs' ? 'multiprocessing, fork' : m eq 'forkserver' ? 'multiprocessing, forkserver' : \
                  m eq 'spawn' ? 'multiprocessing, spawn' : m eq 'interp' ? 'subinterpreters, a GIL each' : \
                  m eq 'gil+pool' ? 'ThreadPoolExecutor (with the GIL)' : \
                  m eq 'threads+pool' ? 'ThreadPoolExecutor, free-threaded' : \
                  m eq 'procs+pool' ? 'ProcessPoolExecutor, fork' : m
base_title(m) = m eq 'gil' ? 'gil: threads under the GIL model' : \
                m eq 'threads' ? 'threads: no GIL (free-threaded)' : \
                m eq 'procs' ? 'procs: forked processes' : \
                m eq 'interp' ? 'interp: interpreters with a GIL each' : \
                m eq 'spawn' ? 'spawn: fresh processes (multiprocessing, spawn)' : \
                m eq 'forkserver' ? 'forkserver: processes forked by a server (multiprocessing)' : \
                m eq 'mpi' ? 'mpi: Open MPI ranks' : m

# shell_word(s): s as one word of the shell that gnuplot starts for '< ...'
# and system(), whatever it holds: in single quotes, each ' written '\''.
shell_word(s) = "'" . shell_quoted(s) . "'"
shell_quoted(s) = strstrt(s, "'") == 0 ? s : \
    s[1 : strstrt(s, "'") - 1] . "'\\''" . shell_quoted(s[strstrt(s, "'") + 1 :])
# For the study pages: one series of a CSV file (select.awk), the rows of
# one point, and the number in a variant such as 'switch_interval_us=100'
# (NaN for none: gnuplot reads the titles of a plot 'for' over no variant).
# The file is read from stdin, so awk never takes a name with '=' for an
# assignment, and the condition from the environment, so it never reads
# backslashes as escapes.
series(file, where) = sprintf('< GB_WHERE=%s awk -F, -f scripts/gnuplot/select.awk < %s', \
    shell_word(where), shell_word(file))
is_point(w, v, m) = strcol('workload') eq w && strcol('variant') eq v && strcol('mode') eq m
summary_value(col, w, v, m) = is_point(w, v, m) ? column(col) : NaN
setting_value(v) = strstrt(v, '=') > 0 ? real(v[strstrt(v, '=') + 1 :]) : NaN
