"""messages - the one-line messages of gilbench, as scripts/lib.sh has them:
"gilbench: WHAT" on stderr; die() ends with status 1 (a failure of the run
itself), usage() with status 2 (a bad setting or input: nothing is done),
note() goes on.  Both exits raise SystemExit, so that finally blocks still
remove temporary files; stdout is flushed first, to keep the two streams
in order on one terminal.
"""
import sys


def note(message):
    sys.stdout.flush()
    sys.stderr.write("gilbench: %s\n" % message)
    sys.stderr.flush()


def die(message):
    """A failure of the run itself: exit status 1."""
    note(message)
    raise SystemExit(1)


def usage(message):
    """A bad setting or input (nothing was done): exit status 2."""
    note(message)
    raise SystemExit(2)


class Signalled(Exception):
    """SIGTERM or SIGHUP arrived (see raise_signalled)."""

    def __init__(self, signum):
        super().__init__("signal %d" % signum)
        self.signum = signum


def raise_signalled(signum, _frame):
    """A signal handler that stops the command by an exception."""
    raise Signalled(signum)
