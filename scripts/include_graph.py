#!/usr/bin/env python3
"""Prints core's include graph and fails on a cycle.

A unit is a header and its .cpp (core/lenet/trainer.h and trainer.cpp are the unit
lenet/trainer); an edge is a quoted "lenet/..." include in either file. Prints one line per
unit, "unit -> included units", then either "no cycles" (exit 0) or each cycle found, as
"cycle: a -> b -> ... -> a" (exit 1).

Usage: scripts/include_graph.py [CORE_DIR]   (default: core/ next to this script's folder)
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"(lenet/[^"]+)\.(?:h|cpp)"', re.MULTILINE)


def include_graph(core):
    """{unit: set of units it includes} for every .h and .cpp under `core`."""
    graph = {}
    for path in sorted(core.rglob("*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        unit = path.relative_to(core).with_suffix("").as_posix()
        edges = graph.setdefault(unit, set())
        edges.update(INCLUDE.findall(path.read_text(encoding="utf-8")))
        edges.discard(unit)
    return graph


def cycles(graph):
    """One cycle (a list of units, first == last) per strongly connected set of units that
    holds one, found by depth-first search."""
    found = []
    state = {}  # unit -> "open" while on the search path, "done" after
    path = []

    def visit(unit):
        state[unit] = "open"
        path.append(unit)
        for next_unit in sorted(graph.get(unit, ())):
            if state.get(next_unit) == "open":
                found.append(path[path.index(next_unit):] + [next_unit])
            elif next_unit not in state:
                visit(next_unit)
        path.pop()
        state[unit] = "done"

    for unit in sorted(graph):
        if unit not in state:
            visit(unit)
    return found


def main():
    default = pathlib.Path(__file__).resolve().parent.parent / "core"
    core = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else default
    graph = include_graph(core)
    if not graph:
        print(f"no sources under {core}", file=sys.stderr)
        return 2
    for unit in sorted(graph):
        print(f"{unit} -> {' '.join(sorted(graph[unit])) or '(nothing)'}")
    found = cycles(graph)
    for cycle in found:
        print("cycle: " + " -> ".join(cycle))
    if not found:
        print("no cycles")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
