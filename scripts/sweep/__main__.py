"""python3 scripts/sweep COMMAND ARGS...: runs sweep.COMMAND.main(ARGS).

Works from any working directory: like the shell scripts it replaces, it
first moves to the project's root (paths in ARGS and RESULTS_DIR are read
from there), then puts scripts/ first on sys.path so that the package
imports as `sweep`.  Python runs in UTF-8 mode whatever the locale (LC_ALL
may be de_DE, C or a name that does not exist): folder names are read and
printed byte for byte and files are written in UTF-8.  A command is any
module of the package that defines main(argv); it returns the exit status.
"""
import os
import sys

if sys.version_info < (3, 11):
    sys.stderr.write("gilbench: scripts/sweep needs Python 3.11 or newer; install with: apt-get install -y python3\n")
    sys.exit(2)
if not sys.flags.utf8_mode and sys.executable:
    # Re-run in UTF-8 mode (same process, same pid: signals still reach it).
    os.execv(sys.executable, [sys.executable, "-X", "utf8"] + sys.argv)

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[0] = SCRIPTS
os.chdir(os.path.dirname(SCRIPTS))

import importlib.util  # noqa: E402  (after sys.path is set)
import re  # noqa: E402
import signal  # noqa: E402

from sweep import messages  # noqa: E402


def commands():
    """The package's modules that define main(), sorted."""
    here = os.path.join(SCRIPTS, "sweep")
    found = []
    for name in sorted(os.listdir(here)):
        if name.endswith(".py") and not name.startswith("_"):
            with open(os.path.join(here, name), encoding="utf-8") as source:
                if re.search(r"^def main\(", source.read(), re.M):
                    found.append(name[:-3])
    return found


def run(argv):
    if not argv or not re.fullmatch(r"[a-z][a-z0-9_]*", argv[0]) \
            or importlib.util.find_spec("sweep." + argv[0]) is None:
        what = "needs a command" if not argv else "has no command '%s'" % argv[0]
        messages.usage("scripts/sweep %s: python3 scripts/sweep COMMAND ARGS...; commands: %s"
                       % (what, ", ".join(commands())))
    module = importlib.import_module("sweep." + argv[0])
    if not callable(getattr(module, "main", None)):
        messages.usage("sweep.%s is not a command; commands: %s" % (argv[0], ", ".join(commands())))
    return module.main(argv[1:])


def die_of(signum):
    """Ends this process by SIGNUM, as a shell script would end."""
    try:
        sys.stdout.flush()
    except OSError:
        pass
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


# SIGTERM and SIGHUP become an exception, so that temporary files are
# removed on the way out (try/finally); Ctrl-C is KeyboardInterrupt.  A
# command may install handlers of its own (reproduce does).
for _signum in (signal.SIGTERM, signal.SIGHUP):
    if signal.getsignal(_signum) != signal.SIG_IGN:
        signal.signal(_signum, messages.raise_signalled)
try:
    status = run(sys.argv[1:])
except KeyboardInterrupt:
    die_of(signal.SIGINT)
    status = 130
except messages.Signalled as stop:
    die_of(stop.signum)
    status = 128 + stop.signum
except BrokenPipeError:
    # Whoever read our output has gone (| head): end as a shell tool would.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    die_of(signal.SIGPIPE)
    status = 128 + signal.SIGPIPE
sys.exit(status or 0)
