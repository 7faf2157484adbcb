#!/usr/bin/env python3
# abtime.py N CMD_GORT CMD_CRT1: times two shell commands A/B interleaved
# (gort, crt1, gort, crt1...: both see the same machine load), one warm-up
# each, and prints "median_gort median_crt1 ratio" (seconds; ratio =
# gort/crt1, below 1 is faster). A failing run is an error (exit 1).
import subprocess, sys, time, statistics
n = int(sys.argv[1]); cmds = sys.argv[2:4]
t = [[], []]
for i in range(n + 1):
    for k in (0, 1):
        t0 = time.perf_counter()
        r = subprocess.run(cmds[k], shell=True)
        dt = time.perf_counter() - t0
        if r.returncode != 0:
            sys.exit("abtime: '%s' failed with status %d" % (cmds[k], r.returncode))
        if i:
            t[k].append(dt)
a, b = statistics.median(t[0]), statistics.median(t[1])
print("%.4f %.4f %.3f" % (a, b, a / b))
