#!/usr/bin/env python3
"""Sums the memory of a process and all its descendants (the app, WebKitWebProcess,
WebKitNetworkProcess): PSS (proportional: shared pages split between processes) and RSS.
Prints one JSON object.   bench/pss.py PID"""
import json
import os
import sys

root = int(sys.argv[1])
children = {}
for d in os.listdir("/proc"):
    if not d.isdigit():
        continue
    try:
        with open(f"/proc/{d}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(int(d))
    except OSError:
        pass

def tree(pid):
    yield pid
    for c in children.get(pid, []):
        yield from tree(c)

out = {"processes": [], "pss_mib": 0.0, "rss_mib": 0.0}
for pid in tree(root):
    try:
        name = open(f"/proc/{pid}/comm").read().strip()
        vals = {}
        for line in open(f"/proc/{pid}/smaps_rollup"):
            parts = line.split()
            if parts[0] in ("Pss:", "Rss:"):
                vals[parts[0][:-1]] = int(parts[1]) / 1024
    except OSError:
        continue
    out["processes"].append({"pid": pid, "name": name, "pss_mib": round(vals.get("Pss", 0), 1), "rss_mib": round(vals.get("Rss", 0), 1)})
    out["pss_mib"] += vals.get("Pss", 0)
    out["rss_mib"] += vals.get("Rss", 0)
out["pss_mib"] = round(out["pss_mib"], 1)
out["rss_mib"] = round(out["rss_mib"], 1)
print(json.dumps(out))
