"""__main__.py - `python3 scripts/pyrun COMMAND ...`: the runner as a program.
Python puts this folder on sys.path; the package is imported from the
folder above it, so that its modules are pyrun.* (and a spawned or forked
worker, or a subinterpreter, finds them by those names)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path and os.path.abspath(sys.path[0] or ".") == HERE:
    sys.path[0] = os.path.dirname(HERE)
else:
    sys.path.insert(0, os.path.dirname(HERE))

from pyrun.cli import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
