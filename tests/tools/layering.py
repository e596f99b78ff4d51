#!/usr/bin/env python3
"""The layering check of make check.

Fails (exit 1, one line per finding) when
  - a file in formats/ includes a header from protocol/, host/ or tests/;
  - a file in protocol/ includes a header from host/ or tests/;
  - two files include each other (header level), or two objects of the
    build use each other's functions (symbol level, from `nm` of BUILD);
  - a source file (.c/.h under formats, protocol, host, tests) passes
    MAX_LINES lines.

usage: layering.py [--build DIR] [--max-lines N]
"""
import argparse
import os
import re
import subprocess
import sys

LAYERS = ("formats", "protocol", "host")
ALLOWED = {
    "formats": {"formats"},
    "protocol": {"formats", "protocol"},
    "host": {"formats", "protocol", "host"},
}
SEARCH = [".", "formats", "protocol", "host", "tests/sim", "tests/unit"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources():
    for top in ("formats", "protocol", "host", "tests"):
        for root, _, files in os.walk(top):
            for f in files:
                if f.endswith((".c", ".h")):
                    yield os.path.normpath(os.path.join(root, f))


def resolve(src, name):
    for base in [os.path.dirname(src)] + SEARCH:
        p = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(p):
            return p
    return None


def layer(path):
    top = path.split(os.sep, 1)[0]
    return top if top in LAYERS else ("tests" if top == "tests" else None)


def symbol_cycles(build):
    """Pairs of objects under BUILD (formats/, protocol/, host/) that use each other."""
    objs = []
    for top in LAYERS:
        for root, _, files in os.walk(os.path.join(build, top)):
            for f in files:
                o = os.path.join(root, f)
                # only objects whose source still exists (a moved file leaves its old .o)
                if f.endswith(".o") and os.path.isfile(os.path.relpath(o, build)[:-2] + ".c"):
                    objs.append(o)
    defined, undefined = {}, {}
    for o in objs:
        out = subprocess.run(["nm", o], capture_output=True, text=True).stdout
        undefined[o] = set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "U":
                undefined[o].add(parts[1])
            elif len(parts) == 3 and parts[1] in "TDBR":
                defined.setdefault(parts[2], o)
    uses = {o: {defined[s] for s in undefined[o] if s in defined and defined[s] != o}
            for o in objs}
    found = []
    for a in sorted(objs):
        for b in sorted(uses[a]):
            if a < b and a in uses.get(b, ()):
                found.append((a, b))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--max-lines", type=int, default=800)
    args = ap.parse_args()
    bad = []
    includes = {}
    for src in sources():
        text = open(src, encoding="utf-8", errors="replace").read()
        n = text.count("\n")
        if n > args.max_lines:
            bad.append(f"{src}: {n} lines (split files past {args.max_lines})")
        includes[src] = set()
        for name in INCLUDE.findall(text):
            dst = resolve(src, name)
            if not dst:
                continue
            includes[src].add(dst)
            a, b = layer(src), layer(dst)
            if a in ALLOWED and b not in ALLOWED[a]:
                bad.append(f"{src}: includes {dst} ({a}/ must not depend on {b}/)")
    for a in sorted(includes):
        for b in sorted(includes[a]):
            if a < b and a in includes.get(b, ()):
                bad.append(f"{a} and {b} include each other")
    if os.path.isdir(args.build):
        for a, b in symbol_cycles(args.build):
            rel = lambda p: os.path.relpath(p, args.build)
            bad.append(f"{rel(a)[:-2]}.c and {rel(b)[:-2]}.c use each other's functions")
    for line in bad:
        print("layering: " + line)
    if not bad:
        print("layering: ok (formats/ <- protocol/ <- host/, no cycles, no file past "
              f"{args.max_lines} lines)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
