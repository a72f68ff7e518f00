"""pyrun - the Python runner: runs a Python workload (a file under
workloads/, or a study's built-in one) under one of Python's own ways of
using many cores, with the options, exit codes and JSON line of `gilbench
run`.  Run it as `python3 scripts/pyrun COMMAND ...`; cli.py says what each
command does.

Its modules, bottom up: runner_common (messages, exit), gilbench_kit (what
a workload file may import), workload (what the runner needs of one),
study_workloads and workload_files (the two kinds), process_memory, ways
(threads, processes, interpreters), pool (the executors), options, values,
run, check_file, cli.
"""
