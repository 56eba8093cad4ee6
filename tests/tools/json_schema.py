#!/usr/bin/env python3
"""Checks a --json document against its man page's JSON OUTPUT section.

    CMD --json | json_schema.py MANPAGE [--free KEY]... [--ignore KEY]... [ENUMKEY...]

Passes when the document is one line, every key in it is named (in bold) in
the man page, and the string values of ENUMKEYs (wherever they appear) are
lower case without spaces. The keys inside a --free KEY's object are data
(drop reasons, say), not schema; --ignore KEY skips a key the test itself
planted. Prints the sorted top-level keys.
"""
import json
import re
import sys

raw = sys.stdin.read()
if raw.count("\n") != 1:
    sys.exit("--json is not one line (%d lines)" % raw.count("\n"))
doc = json.loads(raw)
man = open(sys.argv[1]).read()
sect = man.split(".SH JSON OUTPUT", 1)
if len(sect) < 2:
    sys.exit("%s has no JSON OUTPUT section" % sys.argv[1])
body = sect[1].split("\n.SH ", 1)[0]
named = set(w for line in re.findall(r"^\.B[IR]? (.*)$", body, re.M)
            for w in re.findall(r"[a-z][a-z_0-9]*", line))
args = sys.argv[2:]
free, ignore, enum_keys = set(), set(), set()
while args:
    a = args.pop(0)
    if a == "--free":
        free.add(args.pop(0))
    elif a == "--ignore":
        ignore.add(args.pop(0))
    else:
        enum_keys.add(a)
bad_enum = []


def walk(o, acc):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ignore:
                continue
            acc.add(k)
            if k in free:
                continue
            if k in enum_keys and isinstance(v, str) and not re.fullmatch(r"[a-z0-9_]+", v):
                bad_enum.append((k, v))
            walk(v, acc)
    elif isinstance(o, list):
        for v in o:
            walk(v, acc)
    return acc


keys = walk(doc, set())
if keys - named:
    sys.exit("keys not in the man page's JSON OUTPUT: %s" % sorted(keys - named))
if bad_enum:
    sys.exit("enum values with spaces or capitals: %s" % bad_enum)
print(sorted(doc) if isinstance(doc, dict) else type(doc).__name__)
