#!/usr/bin/env python3
"""include_graph.py - the include graph of bench/ (and of the workloads and
tests built on it), between folders and between files, and its circles.

    scripts/include_graph.py            the folder graph, its layers, then any circle
    scripts/include_graph.py --files    the file graph as well
    scripts/include_graph.py --check    only the circles; exit 1 if there is one

Headers are included by plain name (the Makefile puts every bench/ folder on
the include path), so `#include "x.h"` is resolved in the including file's
own folder first, then in bench/'s folders (a name found twice is reported).

Folder graph: folder A -> folder B when a file of A includes a file of B.

File graph: x.c and x.h of one folder are one node, x (a header and the
source that builds what it declares); x -> y when a file of x includes a
file of y.  So run.c -> pool.h -> workers.h -> run.h is a circle although no
header includes itself.  With --files each header's "=>" line also names
every source that defines something it declares (for reading, not checked:
a folder's private header, such as the process pool's, is built by the
sources of the public one it serves).
"""
import os
import re
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCANNED = ("bench", "workloads", "tests")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def source_files():
    files = []
    for top in SCANNED:
        for folder, subfolders, names in os.walk(os.path.join(ROOT, top)):
            subfolders[:] = sorted(d for d in subfolders if d != "fixtures")
            files += [os.path.relpath(os.path.join(folder, n), ROOT)
                      for n in sorted(names) if n.endswith((".c", ".h"))]
    return files


def strip(text):
    """The text without comments, strings, characters and preprocessor lines."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(\\.|[^'\\\n])*'", "''", text)
    text = re.sub(r"^\s*#(.*\\\n)*.*$", " ", text, flags=re.M)
    return re.sub(r"__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)", " ", text)


def top_level_statements(text):
    """(statement text, what ended it: ';' or '{') at brace depth 0."""
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch == "{":
            if depth == 0:
                yield text[start:i], "{"
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                start = i + 1
        elif ch == ";" and depth == 0:
            yield text[start:i], ";"
            start = i + 1


def function_name(statement):
    m = re.search(r"([A-Za-z_]\w*)\s*\(", statement)
    return m.group(1) if m else None


def variable_name(statement):
    """The name declared before any initialiser: the last identifier, past its [size]."""
    m = re.search(r"([A-Za-z_]\w*)\s*(\[[^\]]*\]\s*)*$", statement.split("=")[0].rstrip())
    return m.group(1) if m else None


def declared(text):
    """Names a header declares: prototypes and extern variables."""
    names = set()
    for statement, end in top_level_statements(strip(text)):
        words = statement.split()
        if end != ";" or not words or words[0] in ("typedef", "struct", "enum", "union"):
            continue
        if "(" in statement and "static" not in words:
            names.add(function_name(statement))
        elif words[0] == "extern":
            names.add(variable_name(statement))
    names.discard(None)
    return names


def defined(text):
    """Names a source defines with external linkage: functions and variables."""
    names = set()
    for statement, end in top_level_statements(strip(text)):
        words = statement.split()
        if not words or words[0] in ("static", "typedef", "extern"):
            continue
        if "(" in statement.split("=")[0]:
            if end == "{":  # a function's body follows; else a prototype
                names.add(function_name(statement))
        elif "=" in statement or end == ";" and \
                len(words) > (2 if words[0] in ("struct", "enum", "union") else 1):
            names.add(variable_name(statement))  # not a type's definition
    names.discard(None)
    return names


def build():
    files = source_files()
    by_name = defaultdict(list)
    for f in files:
        by_name[os.path.basename(f)].append(f)
    problems = [f"{name} is in {' and '.join(paths)}" for name, paths in sorted(by_name.items())
                if name.endswith(".h") and len(paths) > 1]
    texts = {f: open(os.path.join(ROOT, f), encoding="utf-8", errors="replace").read() for f in files}
    includes = defaultdict(set)
    for f in files:
        for name in INCLUDE.findall(texts[f]):
            here = os.path.normpath(os.path.join(os.path.dirname(f), name))
            if here in texts:
                includes[f].add(here)
            elif len(by_name.get(name, [])) == 1:
                includes[f].add(by_name[name][0])
            elif name != "registry.c":
                problems.append(f"{f}: cannot resolve #include \"{name}\"")
    declares = {f: declared(texts[f]) for f in files if f.endswith(".h")}
    defines = {f: defined(texts[f]) for f in files if f.endswith(".c")}
    implements = defaultdict(set)  # header -> sources that define what it declares
    for h, names in declares.items():
        for c, own in defines.items():
            if names & own:
                implements[h].add(c)
    return files, includes, implements, problems


def circles(nodes, edges):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return found


def one_circle(component, edges):
    """A shortest path around the component, from its first node back to it."""
    members = set(component)
    start = component[0]
    paths, seen = [[start]], set()
    while paths:
        path = paths.pop(0)
        for w in sorted(edges.get(path[-1], ())):
            if w == start:
                return path + [start]
            if w in members and w not in seen:
                seen.add(w)
                paths.append(path + [w])
    return component


def layers(folders, edges):
    """Folders by level, bottom up: a folder is one above the highest it includes."""
    level = {}

    def of(folder, seen=()):
        if folder not in level:
            below = [of(b, seen + (folder,)) for b in edges.get(folder, ()) if b not in seen]
            level[folder] = 1 + max(below) if below else 0
        return level[folder]

    by_level = defaultdict(list)
    for f in folders:
        by_level[of(f)].append(f)
    return [sorted(by_level[n]) for n in sorted(by_level)]


def main(argv):
    check = "--check" in argv
    show_files = "--files" in argv
    files, includes, implements, problems = build()

    folder_edges = defaultdict(set)
    why = defaultdict(list)
    for f, targets in includes.items():
        for t in targets:
            a, b = os.path.dirname(f), os.path.dirname(t)
            if a != b:
                folder_edges[a].add(b)
                why[(a, b)].append(f"{os.path.basename(f)}>{os.path.basename(t)}")
    folders = sorted({os.path.dirname(f) for f in files})

    def unit(f):
        return os.path.splitext(f)[0]

    file_edges = defaultdict(set)
    for f, targets in includes.items():
        file_edges[unit(f)] |= {unit(t) for t in targets} - {unit(f)}
    units = sorted({unit(f) for f in files})

    folder_circles = circles(folders, folder_edges)
    file_circles = circles(units, file_edges)
    if not check:
        print("Folder graph (A -> B: a file of A includes a file of B):")
        for a in folders:
            for b in sorted(folder_edges.get(a, ())):
                print(f"  {a} -> {b}    ({', '.join(sorted(why[(a, b)]))})")
        if not folder_circles:
            print("Layers, bottom up (each folder includes only folders of the layers below it):")
            for n, layer in enumerate(layers(folders, folder_edges)):
                print(f"  {n}: {' '.join(layer)}")
        if show_files:
            print("File graph (x: x.c and x.h; h => the sources that define what header h declares):")
            for u in units:
                if file_edges.get(u):
                    print(f"  {u} -> {' '.join(sorted(file_edges[u]))}")
                if implements.get(u + ".h"):
                    print(f"  {u}.h => {' '.join(sorted(implements[u + '.h']))}")
    for p in problems:
        print(f"problem: {p}")
    for c in folder_circles:
        print(f"folder circle among {', '.join(c)}: e.g. " + " -> ".join(one_circle(c, folder_edges)))
    for c in file_circles:
        print(f"file circle among {', '.join(c)}: e.g. " + " -> ".join(one_circle(c, file_edges)))
    if not folder_circles and not file_circles and not problems:
        print("no circle: folders and files")
    return 1 if folder_circles or file_circles or problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
