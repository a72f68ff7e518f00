"""messages - the one-line messages of gilbench, as scripts/lib.sh has them:
"gilbench: WHAT" on stderr; die() ends with status 1 (a failure of the run
itself), usage() with status 2 (a bad setting or input: nothing is done),
note() goes on.  Both exits raise SystemExit, so that finally blocks still
remove temporary files; stdout is flushed first, to keep the two streams
in order on one terminal.  Also the texts the messages share: a list
setting's items, a whole-number setting, a duration as m:ss (clock).
"""
import math
import re
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


def printable(text):
    """TEXT as a message may echo it: control characters (an escape
    sequence, a carriage return) as ?, at most 200 characters."""
    text = "".join("?" if ord(c) < 32 or c == "\x7f" else c for c in text)
    return text if len(text) <= 200 else text[:200] + "..."


def split(value):
    """The items of a comma- or space-separated list."""
    return [item for item in re.split(r"[, \t\n]", value or "") if item]


def parse_number(name, value, low, high):
    """VALUE (a setting's text) as a whole number in [LOW, HIGH], or exit 2
    naming NAME."""
    if not value or not all("0" <= c <= "9" for c in value):
        usage("%s='%s' is not a whole number; accepted: %d to %d" % (name, value, low, high))
    if len(value) > 9 or not low <= int(value) <= high:
        usage("%s='%s' is out of range; accepted: %d to %d" % (name, value, low, high))
    return int(value)


def parse_list(name, value, accepted):
    """VALUE (items separated by commas or blanks) as a list of ACCEPTED's
    items, or exit 2 naming NAME and an unknown, repeated or missing item."""
    items = split(value)
    if not items:
        usage("%s is empty; accepted: %s" % (name, ", ".join(accepted)))
    for k, item in enumerate(items):
        if item not in accepted:
            usage("%s: unknown '%s'; accepted: %s" % (name, item, ", ".join(accepted)))
        if item in items[:k]:
            usage("%s: '%s' is given twice" % (name, item))
    return items


def clock(seconds):
    """SECONDS as m:ss, as awk's %d prints the minutes and the seconds left
    (truncated: 125.7 is 2:05)."""
    return "%d:%02d" % (int(seconds / 60), int(math.fmod(seconds, 60)))


def last_words(stderr):
    """The last line of a command's stderr (bytes), without its "gilbench: "."""
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    line = lines[-1] if lines else ""
    return line[len("gilbench: "):] if line.startswith("gilbench: ") else line
