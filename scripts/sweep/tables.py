"""tables - the sweep's CSV and TSV files, read by column name (never by
position: a file may gain or reorder columns), and CSV written atomically.
A missing column is a bad input: exit 2, naming the file and the column.
"""
import csv
import io
import math
import re

from sweep.messages import usage
from sweep.meta import jq_number, write_atomically


def read_table(path, required=(), optional=(), delimiter=","):
    """The rows of PATH as dicts {column: text}, the header giving the names.
    Every REQUIRED column must be in the header (else exit 2); an OPTIONAL
    one missing, or a field a short row lacks, reads as "".  Blank lines
    are skipped; of two columns of one name, the last counts."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
            lines = list(csv.reader(f, delimiter=delimiter))
    except (OSError, csv.Error) as error:
        usage("cannot read %s: %s" % (path, getattr(error, "strerror", None) or error))
    if not lines:
        usage("%s is empty: it has no header line" % path)
    column = {name: i for i, name in enumerate(lines[0])}
    for name in required:
        if name not in column:
            usage("%s has no column %s" % (path, name))
    rows = []
    for fields in lines[1:]:
        if fields:
            row = {name: fields[i] if i < len(fields) else "" for name, i in column.items()}
            rows.append({**dict.fromkeys(optional, ""), **row})
    return rows


def csv_text(header, rows):
    """HEADER and ROWS (lists, or dicts by HEADER's names) as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row[name] for name in header] if isinstance(row, dict) else row)
    return out.getvalue()


def write_csv(path, header, rows):
    """HEADER and ROWS to PATH atomically; False if it cannot be written."""
    return write_atomically(path, csv_text(header, rows))


def number(text):
    """TEXT as a finite float, or None (empty, not a number, inf, nan)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def aligned(rows, gap="  "):
    """ROWS (lists of texts) as lines of columns aligned as `column -t`
    aligns them: each column as wide as its widest text, GAP between
    columns, nothing after the last."""
    widths = {}
    for row in rows:
        for i, text in enumerate(row[:-1]):
            widths[i] = max(widths.get(i, 0), len(text))
    return [gap.join([text.ljust(widths[i]) for i, text in enumerate(row[:-1])] + row[-1:]) for row in rows]


def _jq_field(value, text):
    """A field of jq's @csv or @tsv row: a number as jq prints it, true,
    false, null as nothing, a string as TEXT makes it; an array or an
    object cannot be a field (ValueError, as jq fails)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return jq_number(value)
    if isinstance(value, str):
        return text(value)
    raise ValueError("%s is not valid in a csv row" % type(value).__name__)


def jq_csv_row(values):
    """VALUES as jq's @csv writes them: every string in double quotes (a
    quote doubled), numbers bare."""
    return ",".join(_jq_field(v, lambda s: '"%s"' % s.replace('"', '""')) for v in values)


def jq_tsv_row(values):
    """VALUES as jq's @tsv writes them: a backslash, tab, newline or
    carriage return in a string as \\\\, \\t, \\n or \\r."""
    escapes = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
    return "\t".join(_jq_field(v, lambda s: s.translate(escapes)) for v in values)


NUMBER_PREFIX = re.compile(r"[ \t\n]*([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)")


def leading_number(text):
    """TEXT as awk reads it in a sum: its leading number ("0.3 s" is 0.3),
    0 when it starts with none ("", "?", "unknown").  Narrower than c_number
    on purpose, as the estimate's and harness_cost's figures were always
    read: decimal only ("inf", "nan", "0x10" read 0), after blanks, tabs
    and newlines only."""
    found = NUMBER_PREFIX.match(text)
    return float(found.group(1)) if found else 0.0


def records(text):
    """TEXT's lines as awk reads them: a last line without its newline
    counts, there is no line after the last newline."""
    lines = text.split("\n")
    return lines[:-1] if lines[-1] == "" else lines


# ---- numbers in text as C's strtod (and so awk) reads them ----

_STRTOD = re.compile(r"[ \t\n\v\f\r]*([-+]?)(?:0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][-+]?[0-9]+)?)"
                     r"|((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)|([iI][nN][fF]|[nN][aA][nN]))")
_AWK_NUMERIC = re.compile(r"[ \t]*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?[ \t\n]*")


def c_number(text):
    """The number TEXT starts with, as C's strtod reads it and awk turns a
    field or a variable into a number: leading white space skipped, hex,
    inf and nan too, an overflow as inf; 0.0 where no number starts."""
    m = _STRTOD.match(text)
    if not m:
        return 0.0
    sign, hexa, decimal, word = m.groups()
    try:
        value = float.fromhex("0x" + hexa) if hexa else float(decimal or word)
    except OverflowError:  # a hex exponent past the largest double
        value = math.inf
    return -value if sign == "-" else value


def awk_numeric(text):
    """TEXT looks like a number to awk (a field or -v variable that is
    compared as a number, not as text): a decimal number with blanks around."""
    return _AWK_NUMERIC.fullmatch(text) is not None
