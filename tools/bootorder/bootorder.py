#!/usr/bin/env python3
"""tools/bootorder/bootorder.py: write the start-up order of the runtime's
functions into ldscripts/gort_rt.ld.

Usage: tools/bootorder/bootorder.py PROGRAM [PROGRAM...]  (from the top of the tree)

Each PROGRAM is a gort program (the list is made from bench/startup's hello
worlds: build/bench/hello_gort build/bench/hello_gort_glibc; a PIE is placed
by its entry point). It runs under valgrind's lackey,
which prints the address of every instruction executed; each address inside
the runtime's code (between __start_gort_text and __stop_gort_text) is named
by the program's symbol table, and the functions are listed in the order
they first ran, the first PROGRAM's before the next one's. The list replaces
the lines between the BEGIN and END marks of ldscripts/gort_rt.ld, which
`ld -r` uses to lay out gort_text: the code every start runs sits on as few
pages as possible (a first touch of a page of code costs a page fault for
each 64 KiB window of the file, about 10 us on a PVM guest; bench/startup).

A name the runtime no longer has matches nothing in the script (harmless but
stale): run this again after changing the boot path, then check
bench/startup.
"""
import bisect
import re
import subprocess
import sys
import tempfile

SCRIPT = 'ldscripts/gort_rt.ld'
BEGIN = '\t\t/* BEGIN start-up order (tools/bootorder/bootorder.py) */\n'
END = '\t\t/* END start-up order */\n'


def symbols(prog):
    out = subprocess.run(['nm', '-n', prog], check=True, capture_output=True, text=True).stdout
    funcs, lo, hi = [], None, None
    for line in out.splitlines():
        f = line.split()
        if len(f) != 3:
            continue
        addr, kind, name = int(f[0], 16), f[1], f[2]
        if name == '__start_gort_text':
            lo = addr
        elif name == '__stop_gort_text':
            hi = addr
        elif kind in 'tTwW':
            funcs.append((addr, name))
    if lo is None or hi is None:
        sys.exit(f'bootorder: {prog} has no gort_text (not a gort program?)')
    return funcs, lo, hi


def trace(prog):
    with tempfile.NamedTemporaryFile(suffix='.lackey') as log:
        subprocess.run(['valgrind', '--tool=lackey', '--trace-mem=yes', f'--log-file={log.name}', prog],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen = set()
        with open(log.name) as f:
            for line in f:
                if line.startswith('I '):
                    a = int(line[2:].split(',')[0], 16)
                    if a not in seen:
                        seen.add(a)
                        yield a


def entry(prog):
    with open(prog, 'rb') as f:
        h = f.read(32)
    return int.from_bytes(h[16:18], 'little'), int.from_bytes(h[24:32], 'little')


def bias(prog, pcs, funcs, lo, hi):
    """The load address of a position-independent PROGRAM under valgrind:
    of the offsets that put an executed address on the entry point, the
    one under which the most runtime functions ran from their first byte
    (an offset that lays the C library's code over gort_text lines up
    with few function starts)."""
    etype, e = entry(prog)
    if etype != 3:  # ET_DYN
        return 0
    ran = set(pcs)
    starts = [a for a, _ in funcs if lo <= a < hi]
    cands = {a - e for a in ran if (a - e) & 0xfff == 0 and a >= e}
    return max(cands, key=lambda b: sum(f + b in ran for f in starts), default=0)


def order(progs):
    names, done = [], set()
    for prog in progs:
        funcs, lo, hi = symbols(prog)
        addrs = [a for a, _ in funcs]
        pcs = list(trace(prog))
        b = bias(prog, pcs, funcs, lo, hi)
        for a in pcs:
            a -= b
            if not lo <= a < hi:
                continue
            name = funcs[bisect.bisect_right(addrs, a) - 1][1]
            if name not in done:
                done.add(name)
                names.append(name)
    return names


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    names = order(sys.argv[1:])
    # The assembly (the entry, context switches) has no section per
    # function: the script puts all of it first.
    lines = [f'\t\t*(.text.{n} .text.{n}.*)\n' for n in names if re.fullmatch(r'[A-Za-z_][\w.]*', n)]
    text = open(SCRIPT).read()
    a, b = text.index(BEGIN) + len(BEGIN), text.index(END)
    open(SCRIPT, 'w').write(text[:a] + ''.join(lines) + text[b:])
    print(f'bootorder: {len(lines)} functions in {SCRIPT}')


main()
