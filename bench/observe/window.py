#!/usr/bin/env python3
"""window.py TRACE: how much of the end a flight recording kept: per thread
(M) track, the time of its first event, and the window every thread still
covers (from the latest of those to the last event). Decodes with protoc
against test/observe/perfetto_subset.proto."""
import os, subprocess, sys
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
p = subprocess.Popen(["protoc", "--decode=perfetto.protos.Trace", "-I" + root + "/test/observe",
                      root + "/test/observe/perfetto_subset.proto"], stdin=open(sys.argv[1], "rb"),
                     stdout=subprocess.PIPE, text=True)
ts = None; track = None; first = {}; last = 0; nev = 0; threads = set(); busy = {}
for line in p.stdout:
    s = line.strip()
    if s.startswith("timestamp:"): ts = int(s.split()[1])
    elif s.startswith("track_uuid:"):
        track = int(s.split()[1]); nev += 1
        last = max(last, ts)
        if 0x100000000 <= track < 0x200000000:
            first.setdefault(track, ts); busy[track] = busy.get(track, 0) + 1
    elif s.startswith("packet {"): ts = None
# Threads with few events (sysmon, idle ones) did not wrap: they bound nothing.
wrapped = [t for t in first if busy[t] > 1000]
start = max(first[t] for t in wrapped) if wrapped else min(first.values())
print("events %d, threads %d (%d busy), window every busy thread covers: last %.2f s (whole span %.2f s)" %
      (nev, len(first), len(wrapped), (last - start) / 1e9, (last - min(first.values())) / 1e9))
