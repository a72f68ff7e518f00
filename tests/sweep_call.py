"""sweep_call.py - one function of the sweep package (scripts/sweep/), for
the shell tests: python3 tests/sweep_call.py MODULE FUNCTION ARG...

An ARG that reads as JSON is passed decoded (2, [1, 2], null, true), any
other as text; "-" is stdin's lines, as a list.  What the function returns
is printed: text as it is, a tuple on one line (items joined by spaces), a
list one item a line (a tuple item's fields joined by tabs), None not at
all.  A usage error of the function exits 2 with its line, as the sweep would.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.chdir(ROOT)


def argument(text):
    if text == "-":
        return sys.stdin.read().splitlines()
    try:
        return json.loads(text)
    except ValueError:
        return text


def shown(value):
    if value is None:
        return []
    if isinstance(value, tuple):
        return [" ".join(str(v) for v in value)]
    if isinstance(value, list):
        return ["\t".join(str(v) for v in item) if isinstance(item, (tuple, list)) else str(item) for item in value]
    return [str(value)]


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: python3 tests/sweep_call.py MODULE FUNCTION ARG...")
    module = __import__("sweep." + sys.argv[1], fromlist=[sys.argv[2]])
    result = getattr(module, sys.argv[2])(*[argument(a) for a in sys.argv[3:]])
    for line in shown(result):
        print(line)
