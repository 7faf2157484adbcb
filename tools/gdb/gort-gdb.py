"""gort-gdb.py: gdb support for gort programs (goroutines, channels, the
scheduler's G, M and P structures), after Go's runtime-gdb.py.

How it is loaded: every gort program carries this file's whole text in its
.debug_gdb_scripts section (runtime/gdb_scripts.S inlines it, entry type 4),
so gdb runs it when it loads the program, provided the program lies under
gdb's auto-load safe-path. One line in ~/.config/gdb/gdbinit does it:

    add-auto-load-safe-path /home/me/src      (a directory of gort programs)

or, for one session, `gdb -iex 'add-auto-load-safe-path .' ./prog`. Without
auto-load (a stripped program with separate debug info, say), source the
copy that `make install` puts in $(PREFIX)/share/gort/gort-gdb.py:

    gdb -x /usr/local/share/gort/gort-gdb.py ./prog

Loading it twice (auto-load and by hand) is harmless.

Commands:
    info goroutines         every goroutine: id, status (with the wait
                            reason), the M running it, and the function it
                            is in (its innermost frame outside the runtime);
                            `*` marks the one on the selected thread
    goroutine N CMD         run a gdb command (bt, info frame, ...) on
    goroutine all CMD       goroutine N's stack, or on every goroutine's
Pretty printers: gort_mutex, gort_waitgroup (state, count, waiting goroutines),
gort_chan * and struct gort_chan (len, cap, elemsize, closed,
the goroutines waiting to send and to receive), struct g, struct m, struct p.

How a parked goroutine's stack is shown: its saved context g->sched holds
what gort_swapctx (runtime/asm_amd64.S) saved: the stack pointer after the
return, the return address (pc), rbp and the other callee-saved registers.
`goroutine N CMD` saves the selected thread's registers, loads those into
frame 0, runs CMD, and restores them (as Go's script does); the unwinder
then walks the goroutine's own stack with the DWARF CFI and stops at
gort_gostart, whose CFI marks it outermost. A goroutine running on a thread
is shown by switching to that thread.

Known issues:
  - Registers are written to show a parked goroutine: this needs a stopped
    process. They are restored afterwards, even when CMD fails; a
    `goroutine N CMD` whose CMD resumes the program (step, continue) is
    refused; an expression that calls a function in the program
    (print f(x)) would run it on the goroutine's stack: don't. gdb cannot
    write a core file's registers: there only `bt` works, walking the frame
    pointers itself (inlined and tail-called frames not shown, and it stops
    at code built without frame pointers; tools/gortcc keeps them).
  - A plain bt stops at main, as gdb's does for any program; `goroutine 1
    bt` turns on `backtrace past-main` for the command, so it ends at
    gort_gostart as the other goroutines' do.
  - A goroutine marked running is shown from its thread's registers; if
    that thread is at that moment in the scheduler (between goroutines),
    the stack shown is the scheduler's.
  - Values read in frames other than the innermost may be wrong where the
    compiler keeps them in caller-saved registers (as in any backtrace).
  - The script reads the G and P status enums and the wait reasons of
    runtime/runtime.h by name from the program's debug info (the fallback
    table below must follow runtime.h, where a comment says so); a program
    without the runtime's debug info gets no goroutine list.
"""

import struct

import gdb

# Fallbacks for runtime/runtime.h's enums, used only when the debug info
# lacks them. Keep in step with the enums there.
_G_STATUS = ["Gidle", "Grunnable", "Grunning", "Gsyscall", "Gwaiting", "Gdead", "Gpreempted"]
_P_STATUS = ["Pidle", "Prunning", "Psyscall", "Pgcstop", "Pdead"]


def _enum(name, fallback):
    """The value of enumerator name in the program, or fallback."""
    try:
        return int(gdb.parse_and_eval(name))
    except gdb.error:
        return fallback


def _gstatus_names():
    return {_enum(n, i): n[1:] for i, n in enumerate(_G_STATUS)}


def _pstatus_names():
    return {_enum(n, i): n[1:] for i, n in enumerate(_P_STATUS)}


def _waitreason(g):
    """g's wait reason as the runtime prints it (waitreason_strings)."""
    r = int(g["waitreason"])
    try:
        table = gdb.parse_and_eval("waitreason_strings")
        lo, hi = table.type.range()
        if r < lo or r > hi:
            return ""
        return table[r].string()
    except gdb.error:
        return ""


def gstatus(g):
    """g's status as a string: 'running', 'waiting chan receive', ..."""
    s = int(g["status"])
    name = _gstatus_names().get(s, "???(%d)" % s)
    if s == _enum("Gwaiting", 4):
        reason = _waitreason(g)
        if reason:
            return "waiting " + reason
    return name


def allgs():
    """Every G in allgs (the runtime prepends, so newest first)."""
    g = gdb.parse_and_eval("allgs")
    while int(g) != 0:
        yield g.dereference()
        g = g["alllink"]


def live_goroutines():
    """The goroutines that exist, by id: allgs without dead Gs and g0s."""
    dead = _enum("Gdead", 5)
    gs = [g for g in allgs() if int(g["goid"]) != 0 and int(g["status"]) != dead]
    gs.sort(key=lambda g: int(g["goid"]))
    return gs


def find_goroutine(goid):
    for g in allgs():
        if int(g["goid"]) == goid and int(g["status"]) != _enum("Gdead", 5):
            return g
    return None


def _runtime_text():
    """[start, end) of the runtime's code (section gort_text)."""
    try:
        lo = int(gdb.parse_and_eval("(unsigned long)&__start_gort_text"))
        hi = int(gdb.parse_and_eval("(unsigned long)&__stop_gort_text"))
        return lo, hi
    except gdb.error:
        return 0, 0


def _read_u64s(addr, n):
    mem = gdb.selected_inferior().read_memory(addr, 8 * n)
    return struct.unpack("<%dQ" % n, bytes(mem))


def funcname(pc):
    """The name of the function holding pc, or None."""
    try:
        block = gdb.block_for_pc(pc)
        while block is not None and block.function is None:
            block = block.superblock
        if block is not None:
            return block.function.print_name
    except RuntimeError:
        pass
    try:
        out = gdb.execute("info symbol 0x%x" % pc, to_string=True)
    except gdb.error:
        return None
    if out.startswith("No symbol"):
        return None
    return out.split()[0]


def fp_frames(pc, bp, lo, hi, limit=64):
    """The return addresses of a parked goroutine's frames, walked through
    the frame-pointer chain from its saved context, as the runtime's own
    traceback does (bounded by the stack [lo, hi) and growing upwards).
    The first pc is exact, the others are return addresses."""
    yield pc
    for _ in range(limit):
        if bp < lo or bp + 16 > hi or bp & 7:
            return
        try:
            nbp, ret = _read_u64s(bp, 2)
        except gdb.MemoryError:
            return
        if ret == 0:
            return
        yield ret
        if nbp and nbp <= bp:
            return
        bp = nbp


def gdb_thread_of(m):
    """The gdb thread of M m (by its tid), or None."""
    tid = int(m["tid"])
    if tid == 0:
        return None
    for t in gdb.selected_inferior().threads():
        if t.ptid[1] == tid:
            return t
    return None


def on_thread(g):
    """The M whose thread runs g now, or None."""
    if int(g["status"]) not in (_enum("Grunning", 2), _enum("Gsyscall", 3)):
        return None
    m = g["m"]
    if int(m) == 0:
        return None
    return m.dereference()


def _user_function_in_thread(thread):
    """The innermost function outside the runtime on thread's stack."""
    lo, hi = _runtime_text()
    old_thread, old_frame = gdb.selected_thread(), gdb.selected_frame()
    try:
        thread.switch()
        f = gdb.newest_frame()
        first = None
        while f is not None:
            pc = f.pc()
            name = f.name() or funcname(pc)
            if first is None:
                first = name
            if not (lo <= pc < hi) and name:
                return name
            f = f.older()
        return first
    except gdb.error:
        return None
    finally:
        old_thread.switch()
        old_frame.select()


def goroutine_function(g):
    """The function g is in: its innermost frame outside the runtime (the
    code that called gort_chan_recv, gort_sleep, ...), or its entry
    function if it has not run yet."""
    m = on_thread(g)
    if m is not None:
        t = gdb_thread_of(m)
        if t is not None:
            return _user_function_in_thread(t)
    if int(g["stack_lo"]) == 0:
        return funcname(int(g["fn"]))
    lo, hi = _runtime_text()
    sched = g["sched"]
    exact = True
    last = None
    for pc in fp_frames(int(sched["pc"]), int(sched["bp"]), int(g["stack_lo"]), int(g["stack_hi"])):
        look = pc if exact else pc - 1
        exact = False
        name = funcname(look)
        if name == "gort_gostart":
            break
        last = name or last
        if not (lo <= look < hi):
            return name
    return last


def current_goroutine():
    """The goroutine running on the selected thread, or None."""
    try:
        t = gdb.selected_thread()
    except gdb.error:
        return None
    if t is None:
        return None
    lwp = t.ptid[1]
    m = gdb.parse_and_eval("allm")
    while int(m) != 0:
        if int(m["tid"]) == lwp:
            curg = m["curg"]
            return int(curg["goid"]) if int(curg) != 0 else None
        m = m["alllink"]
    return None


class InfoGoroutines(gdb.Command):
    """List the goroutines: id, status (and wait reason), the M running it,
    and the function it is in. `*` marks the selected thread's goroutine.
Usage: info goroutines"""

    def __init__(self):
        super().__init__("info goroutines", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        cur = current_goroutine()
        rows = []
        for g in live_goroutines():
            goid = int(g["goid"])
            m = on_thread(g)
            rows.append(("*" if goid == cur else " ", str(goid), gstatus(g),
                         "m%d" % int(m["id"]) if m is not None else "-",
                         goroutine_function(g) or "??"))
        if not rows:
            print("no goroutines (the scheduler has not started)")
            return
        w_id = max(len(r[1]) for r in rows + [(0, "ID")])
        w_st = max(len(r[2]) for r in rows + [(0, 0, "STATUS")])
        w_m = max(len(r[3]) for r in rows + [(0, 0, 0, "M")])
        print("  %-*s  %-*s  %-*s  %s" % (w_id, "ID", w_st, "STATUS", w_m, "M", "FUNCTION"))
        for mark, goid, st, m, fn in rows:
            print("%s %*s  %-*s  %-*s  %s" % (mark, w_id, goid, w_st, st, w_m, m, fn))


# The registers gort_swapctx saves (runtime.h, struct gobuf), by gdb name:
# rsp, rip and rbp in the gobuf; rbx and r12-r15 pushed on the goroutine's
# stack, at these offsets from gobuf.sp.
_GOBUF_REGS = [("rsp", "sp"), ("rip", "pc"), ("rbp", "bp"), ("rbx", -16),
               ("r12", -24), ("r13", -32), ("r14", -40), ("r15", -48)]


def _saved_reg(sched, field):
    """A register of a parked goroutine's saved context."""
    if isinstance(field, str):
        return int(sched[field])
    return _read_u64s(int(sched["sp"]) + field, 1)[0]
_RESUMING = ("c", "continue", "s", "step", "n", "next", "si", "stepi", "ni", "nexti",
             "finish", "fin", "until", "u", "advance", "jump", "j", "run", "r", "start",
             "signal", "call")


def _print_fp_backtrace(g):
    """bt for a parked goroutine without writing registers (a core file):
    the frame-pointer walk, symbolicated. Inlined calls are not shown."""
    sched = g["sched"]
    exact = True
    n = 0
    for pc in fp_frames(int(sched["pc"]), int(sched["bp"]), int(g["stack_lo"]), int(g["stack_hi"])):
        look = pc if exact else pc - 1
        exact = False
        name = funcname(look) or "??"
        sal = gdb.find_pc_line(look)
        where = ""
        if sal.symtab is not None:
            where = " at %s:%d" % (sal.symtab.filename, sal.line)
        print("#%-2d 0x%016x in %s ()%s" % (n, pc, name, where))
        n += 1
        if name == "gort_gostart":
            break


def _run_on_saved_context(g, cmd):
    """Run cmd with frame 0 showing g's saved context, then restore."""
    frame0 = gdb.newest_frame()
    selected = gdb.selected_frame()
    frame0.select()
    saved = {r: int(frame0.read_register(r)) for r, _ in _GOBUF_REGS}
    sched = g["sched"]
    try:
        # The first write: rsp is on another stack, so it changes (gdb
        # skips writes of an unchanged value, which would prove nothing).
        gdb.execute("set $rsp = %d" % int(sched["sp"]), to_string=True)
    except gdb.error:
        # Registers cannot be written (a core file): walk it ourselves.
        if cmd.split()[0] not in ("bt", "backtrace", "where"):
            raise gdb.GdbError("goroutine %d: only bt works here (registers cannot be written)"
                               % int(g["goid"]))
        _print_fp_backtrace(g)
        return
    try:
        for reg, field in _GOBUF_REGS:
            gdb.execute("set $%s = %d" % (reg, _saved_reg(sched, field)), to_string=True)
        gdb.execute(cmd)
    finally:
        # CMD may have selected another frame (goroutine N frame 3): only
        # frame 0's registers can be written.
        gdb.newest_frame().select()
        for reg, _ in _GOBUF_REGS:
            gdb.execute("set $%s = %d" % (reg, saved[reg]), to_string=True)
        try:
            selected.select()
        except gdb.error:
            gdb.newest_frame().select()


def _run_on_thread(thread, cmd):
    old_thread, old_frame = gdb.selected_thread(), gdb.selected_frame()
    try:
        thread.switch()
        gdb.newest_frame().select()
        gdb.execute(cmd)
    finally:
        old_thread.switch()
        old_frame.select()


def run_on_goroutine(g, cmd):
    goid = int(g["goid"])
    m = on_thread(g)
    if m is not None:
        t = gdb_thread_of(m)
        if t is None:
            print("goroutine %d: running on m%d, whose thread (tid %d) gdb does not know"
                  % (goid, int(m["id"]), int(m["tid"])))
            return
        # Goroutine 1 runs main: show its frames below main too, down to
        # gort_gostart, as every other goroutine's.
        past_main = gdb.parameter("backtrace past-main")
        gdb.execute("set backtrace past-main on", to_string=True)
        try:
            _run_on_thread(t, cmd)
        finally:
            gdb.execute("set backtrace past-main %s" % ("on" if past_main else "off"), to_string=True)
    elif int(g["stack_lo"]) == 0:
        print("goroutine %d: not yet started (entry %s)" % (goid, funcname(int(g["fn"])) or "??"))
    else:
        _run_on_saved_context(g, cmd)


class Goroutine(gdb.Command):
    """Run a gdb command on a goroutine's stack, or on every goroutine's.
Usage: goroutine ID CMD | goroutine all CMD   (e.g. goroutine 5 bt)"""

    def __init__(self):
        super().__init__("goroutine", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        words = arg.split(None, 1)
        if len(words) < 2:
            raise gdb.GdbError("usage: goroutine ID|all CMD (e.g. goroutine 5 bt)")
        which, cmd = words
        if cmd.split()[0] in _RESUMING:
            raise gdb.GdbError("goroutine: %s would resume the program" % cmd.split()[0])
        if not gdb.selected_inferior().pid and not gdb.selected_inferior().threads():
            raise gdb.GdbError("goroutine: no process (run the program or load a core)")
        if which == "all":
            first = True
            for g in live_goroutines():
                if not first:
                    print()
                first = False
                print("goroutine %d [%s]:" % (int(g["goid"]), gstatus(g)))
                run_on_goroutine(g, cmd)
            return
        try:
            goid = int(which)
        except ValueError:
            raise gdb.GdbError("goroutine: %r is not a goroutine id or 'all'" % which)
        g = find_goroutine(goid)
        if g is None:
            raise gdb.GdbError("goroutine %d: no such goroutine" % goid)
        run_on_goroutine(g, cmd)


# ---- pretty printers ----

def _waiters(q):
    """The goroutine ids on a channel wait queue (a list of sudogs)."""
    ids = []
    s = q["first"]
    while int(s) != 0 and len(ids) < 1000:
        g = s["g"]
        ids.append(int(g["goid"]) if int(g) != 0 else 0)
        s = s["next"]
    return ids


def _chan_summary(c):
    recv, send = _waiters(c["recvq"]), _waiters(c["sendq"])
    return ("len=%d cap=%d elemsize=%d closed=%s recv-waiting=%s send-waiting=%s"
            % (int(c["qcount"]), int(c["cap"]), int(c["elemsize"]),
               "true" if bool(c["closed"]) else "false",
               recv, send))


def _sync_waiters(head):
    """The goroutine ids on a gort_mutex's or gort_waitgroup's wait list
    (runtime/sync.c: a list of struct syncwaiter)."""
    ids = []
    try:
        t = gdb.lookup_type("struct syncwaiter").pointer()
    except gdb.error:
        return "?"
    w = head.cast(t)
    while int(w) != 0 and len(ids) < 1000:
        g = w["g"]
        ids.append(int(g["goid"]) if int(g) != 0 else 0)
        w = w["next"]
    return ids


class MutexPrinter:
    """gort_mutex: locked or not, and who waits for it."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        st = int(self.val["state"])
        return "mutex %s waiters=%s" % ("unlocked" if st == 0 else "locked",
                                        _sync_waiters(self.val["waiters"]))


class WaitGroupPrinter:
    """gort_waitgroup: its counter and who waits for it to reach 0."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return "waitgroup count=%d waiters=%s" % (int(self.val["count"]),
                                                  _sync_waiters(self.val["waiters"]))


class ChanPrinter:
    """struct gort_chan: a channel's state and who waits on it."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return "chan " + _chan_summary(self.val)


class ChanPtrPrinter:
    """gort_chan * (opaque in a program's own files): the channel it points to."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        addr = int(self.val)
        if addr == 0:
            return "(gort_chan *) NULL"
        try:
            c = self.val.cast(gdb.lookup_type("struct gort_chan").pointer()).dereference()
            return "(gort_chan *) 0x%x chan %s" % (addr, _chan_summary(c))
        except (gdb.error, gdb.MemoryError) as e:
            return "(gort_chan *) 0x%x <%s>" % (addr, e)


class _FieldsPrinter:
    """A summary line, then the struct's own fields (nothing hidden)."""

    def __init__(self, val):
        self.val = val

    def children(self):
        for f in self.val.type.strip_typedefs().fields():
            yield f.name, self.val[f.name]


class GPrinter(_FieldsPrinter):
    """struct g: goroutine id, status, M and function."""

    def to_string(self):
        g = self.val
        if int(g["goid"]) == 0:
            return "g0 (scheduler stack [0x%x, 0x%x))" % (int(g["stack_lo"]), int(g["stack_hi"]))
        m = on_thread(g)
        return "goroutine %d [%s]%s fn=%s" % (
            int(g["goid"]), gstatus(g), " on m%d" % int(m["id"]) if m is not None else "",
            funcname(int(g["fn"])) or "??")


class MPrinter(_FieldsPrinter):
    """struct m: id, thread, current goroutine and P."""

    def to_string(self):
        m = self.val
        curg, p = m["curg"], m["p"]
        return "m%d tid=%d curg=%s p=%s%s" % (
            int(m["id"]), int(m["tid"]),
            "goroutine %d" % int(curg["goid"]) if int(curg) != 0 else "none",
            "p%d" % int(p["id"]) if int(p) != 0 else "none",
            " spinning" if bool(m["spinning"]) else "")


class PPrinter(_FieldsPrinter):
    """struct p: id, status, owner M and run queue length."""

    def to_string(self):
        p = self.val
        s = int(p["status"])
        m = p["m"]
        runq = (int(p["runqtail"]) - int(p["runqhead"])) & 0xffffffff
        runnext = 1 if int(p["runnext"]) != 0 else 0
        return "p%d [%s] m=%s runq=%d%s" % (
            int(p["id"]), _pstatus_names().get(s, "???(%d)" % s),
            "m%d" % int(m["id"]) if int(m) != 0 else "none", runq,
            " +runnext" if runnext else "")


_STRUCT_PRINTERS = {"gort_chan": ChanPrinter, "gort_mutex": MutexPrinter,
                    "gort_waitgroup": WaitGroupPrinter, "g": GPrinter, "m": MPrinter, "p": PPrinter}


def gort_lookup(val):
    """gdb pretty-printer lookup for the runtime's types."""
    t = val.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_PTR:
        target = t.target().strip_typedefs()
        if target.code == gdb.TYPE_CODE_STRUCT and target.tag == "gort_chan":
            return ChanPtrPrinter(val)
        return None
    if t.code == gdb.TYPE_CODE_STRUCT and t.tag in _STRUCT_PRINTERS:
        # struct g/m/p are generic names: take them only with the runtime's
        # fields.
        names = {f.name for f in t.fields()}
        need = {"gort_chan": "qcount", "gort_mutex": "state", "gort_waitgroup": "count", "g": "goid", "m": "curg", "p": "runqhead"}[t.tag]
        if need in names:
            return _STRUCT_PRINTERS[t.tag](val)
    return None


gort_lookup.name = "gort"
gort_lookup.enabled = True


def _register():
    InfoGoroutines()
    Goroutine()
    if not any(getattr(p, "name", None) == "gort" for p in gdb.pretty_printers):
        gdb.pretty_printers.append(gort_lookup)


_register()
