#!/usr/bin/env python3
# One session's records in JSON lines against SQLite's (sshrec export --format
# jsonl): ei gapless, one record per ei and per uid (a line written again after
# a kill -9 is the very same line), and the same records in both. Prints "ok"
# or what differs. Usage: jsonl_export_check.py EVENTS.jsonl EXPORT.jsonl SID
import json, sys
path, export, sid = sys.argv[1:4]
by_ei, by_uid = {}, {}
jl = set()
for l in open(path):
    l = l.rstrip("\n")
    r = json.loads(l)
    if r.get("sid") != sid:
        continue
    jl.add(l)
    by_ei.setdefault(r["ei"], set()).add(l)
    by_uid.setdefault(r["uid"], set()).add(l)
ex = set(l.rstrip("\n") for l in open(export) if l.strip())
eis = sorted(by_ei)
bad = [e for e, v in by_ei.items() if len(v) > 1]
if not eis or eis != list(range(len(eis))):
    print("JSON lines ei not gapless: %s" % eis)
elif bad:
    x, y = [json.loads(l) for l in list(by_ei[bad[0]])[:2]]
    diff = {k: (x.get(k), y.get(k)) for k in set(x) | set(y) if x.get(k) != y.get(k)}
    print("ei used by two different records: %s; ei %d differs in %s" % (bad, bad[0], diff))
elif any(len(v) > 1 for v in by_uid.values()):
    print("uid used by two different records")
elif jl != ex:
    print("SQLite and JSON lines differ: %d only in JSON lines, %d only in SQLite; e.g. %s"
          % (len(jl - ex), len(ex - jl), sorted(jl ^ ex)[:2]))
else:
    print("ok")
