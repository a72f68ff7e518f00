"""plotting - gnuplot draws every plot: draw_plot runs a script of
scripts/gnuplot/ for BASE.png and BASE.svg, each drawn into a temporary
file of its own beside it and renamed once complete (it appears whole or
not at all), and gp_string makes a gnuplot string of any text;
require_gnuplot refuses to start without gnuplot, and interval_text writes
a switch interval for a title.
"""
import os
import shutil
import sys
import subprocess
import tempfile

from sweep.messages import die, usage
from sweep.meta import file_mode
from sweep.tables import awk_numeric, c_number


# gnuplot in the locale the shell scripts give it (numbers with ".", UTF-8
# text), whatever the user's LC_ALL.
GNUPLOT_ENV = {name: value for name, value in os.environ.items() if name != "LANGUAGE"}
GNUPLOT_ENV["LC_ALL"] = "C.UTF-8"


def gp_string(value):
    """A gnuplot expression for the string VALUE, whatever it holds.  In
    single quotes gnuplot takes every character as it is but the single
    quote, which is joined in as "\\047" (gnuplot 5.4 misreads a doubled ''
    at the start of a string, and after "'" it expands @macros)."""
    return "('%s')" % value.replace("'", "'.\"\\047\".'")


def draw_complete(path, term):
    """PATH is a complete TERM image: a PNG ends with its IEND chunk, an SVG
    with </svg> (gnuplot does not report a failed write, e.g. a full disk)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - (12 if term == "png" else 16)))
            tail = f.read()
    except OSError:
        return False
    return (b"IEND" if term == "png" else b"</svg>") in tail


def draw_plot(script, base, settings):
    """Runs scripts/gnuplot/SCRIPT for BASE.png and BASE.svg with the gnuplot
    statements SETTINGS (term and out are set here; make each string in
    SETTINGS with gp_string); dies naming the file that cannot be drawn."""
    folder, name = os.path.split(base)
    sys.stdout.flush()
    for term in ("png", "svg"):
        target = "%s.%s" % (base, term)
        try:
            fd, tmp = tempfile.mkstemp(prefix=".%s.%s." % (name, term), dir=folder or ".")
            os.close(fd)
        except OSError:
            die("cannot write %s" % target)
        try:
            # gnuplot would take an output name that starts with "|" for a command.
            out = tmp if os.path.isabs(tmp) else "./" + tmp
            command = ["gnuplot", "-e", "term=%s; out=%s; %s" % (gp_string(term), gp_string(out), settings),
                       "scripts/gnuplot/" + script]
            try:
                drawn = subprocess.run(command, stdin=subprocess.DEVNULL, env=GNUPLOT_ENV).returncode == 0
            except OSError:
                drawn = False
            if not (drawn and draw_complete(tmp, term)):
                die("gnuplot could not draw %s" % target)
            try:
                os.chmod(tmp, file_mode())
                os.replace(tmp, target)
            except OSError:
                die("cannot write %s" % target)
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)


def require_gnuplot():
    """Exits 2, naming the package, unless gnuplot is on the PATH."""
    if shutil.which("gnuplot") is None:
        usage("gnuplot is missing; install with: apt-get install -y gnuplot-nox")


def interval_text(us):
    """A switch interval for a title, "5 ms" or "100 us", from its
    microseconds as text (a JSON number, or digits).  Text that is no
    number is compared with 1000 as text, as awk did: "null" reads "0 ms"."""
    value = c_number(us)
    in_ms = value >= 1000 if awk_numeric(us) else us >= "1000"
    return "%g ms" % (value / 1000) if in_ms else "%g us" % value
