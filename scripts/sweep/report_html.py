"""report_html - the few HTML makers of the report (sweep.report): the one
place where text read from a run folder is escaped (escape), and the
elements built from such text: table rows, list items, figures, links.
Everything that comes from a file goes through escape() here; the report's
modules put together only these pieces and literal markup of their own.
"""
import urllib.parse


class Markup(str):
    """Markup made here or literal in the report's code: escape() keeps it."""


def escape(value):
    """VALUE (any text; None is the empty text) with &, <, > and " as
    entities: safe both between tags and in a double-quoted attribute.
    Markup is returned as it is."""
    if isinstance(value, Markup):
        return value
    text = "" if value is None else str(value)
    return (text.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def url(path):
    """A relative PATH (a file beside the page) as an attribute's value:
    percent-encoded where a URL needs it, then escaped."""
    return escape(urllib.parse.quote(path, safe="/"))


def row(cells, header=None, attrs=""):
    """A table row: HEADER (if any) as its <th>, then CELLS as <td>s; ATTRS
    is literal markup (e.g. ' class="flagged"'), never text from a file."""
    head = "" if header is None else "<th>%s</th>" % escape(header)
    return "<tr%s>%s%s</tr>" % (attrs, head, "".join("<td>%s</td>" % escape(cell) for cell in cells))


def items(lines):
    """Each of LINES as a list item, one a line."""
    return "\n".join("<li>%s</li>" % escape(line) for line in lines)


def link(path, text=None):
    """A link to the file PATH beside the page, its text TEXT (or PATH)."""
    return '<a href="%s">%s</a>' % (url(path), escape(path if text is None else text))


def figure(svg, png, alt, caption_html, size=None, css=""):
    """An SVG image linked to its PNG, with CAPTION_HTML (already made of
    escaped pieces) beneath it; SIZE (width, height) its own size, CSS a
    class of the figure."""
    return '<figure%s><a href="%s"><img src="%s"%s alt="%s"></a><figcaption>%s</figcaption></figure>' % (
        ' class="%s"' % escape(css) if css else "", url(png), url(svg),
        ' width="%d" height="%d"' % size if size else "", escape(alt), caption_html)


def header_row(names):
    """A table's header row: each of NAMES as a <th>."""
    return "<tr>%s</tr>" % "".join("<th>%s</th>" % escape(name) for name in names)
