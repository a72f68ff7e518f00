"""sweep - the sweep layer of gilbench in Python (standard library only,
Python 3.11 or newer): one module per command (compare, reproduce, ...),
each with a main(argv), run as `python3 scripts/sweep COMMAND ARGS...`
(see __main__.py), and the pieces they share: messages (the one-line
"gilbench: ..." exits), tables (CSV and TSV files read by column name),
meta (a run folder's meta.json, atomic writes, new folders) and plotting
(gnuplot, which draws every plot).
"""
