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
    goroutine N CMD         run a gdb command (bt, p x, info locals, frame
    goroutine all CMD       2, ...) on goroutine N's stack, or on every
                            goroutine's, with the goroutine's own frame
                            selected: its innermost outside the runtime
                            (not gort_gostart, gopark...: code in gort_text
                            or from runtime/, hooks/), so `goroutine 7 p x`
                            reads x in the function that blocked
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
is shown by switching to that thread. Where registers cannot be written (a
core file) a Python frame unwinder (_GoroutineUnwinder) gives the selected
thread's innermost real frame the goroutine's saved registers as its
caller's, for the command only: gdb's unwinder then shows the goroutine's
frames above the thread's own; bt prints those only and `frame N` counts
from the first of them, so the numbers match a live process's.

Known issues:
  - Registers are written to show a parked goroutine: this needs a stopped
    process. They are restored afterwards, even when CMD fails; a
    `goroutine N CMD` whose CMD resumes the program (step, continue) is
    refused; an expression that calls a function in the program
    (print f(x)) would run it on the goroutine's stack: don't. On a core
    file (the unwinder), commands that print frame numbers other than bt,
    frame N, up, down and info frame (frame apply, bt -full's levels in
    messages) count the thread's own frames first.
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

import re
import struct
import sys

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


def _is_runtime_frame(frame, lo, hi):
    """frame runs the runtime's code: its pc is in gort_text, or its source
    is one of the runtime's files (runtime/, hooks/, crt/: relative names,
    as gort's build compiles them; an inlined runtime function)."""
    pc = frame.pc()
    if lo <= pc < hi:
        return True
    sal = frame.find_sal()
    name = sal.symtab.filename if sal.symtab is not None else ""
    return name.startswith(("runtime/", "hooks/", "crt/"))


def user_frame(frame):
    """The goroutine's frame a command should see: from frame outwards, the
    first that is not the runtime's and has debug information (the
    program's code, not its C library); else the first outside the
    runtime; else frame itself."""
    lo, hi = _runtime_text()
    first_outside = None
    f = frame
    while f is not None:
        try:
            if not _is_runtime_frame(f, lo, hi):
                if f.find_sal().symtab is not None:
                    return f
                if first_outside is None:
                    first_outside = f
            if f.name() == "gort_gostart":
                break
            f = f.older()
        except gdb.error:
            break
    return first_outside or frame


def _select_user_frame(frame):
    try:
        user_frame(frame).select()
    except gdb.error:
        frame.select()


class _FrameId:
    """A frame id for gdb's unwinder API (gdb.unwinder.FrameId is newer than
    gdb 13)."""

    def __init__(self, sp, pc):
        self.sp = sp
        self.pc = pc


try:
    from gdb.unwinder import Unwinder as _Unwinder
except ImportError:  # gdb before 7.10: no Python unwinders
    _Unwinder = None

if _Unwinder is not None:
    class _GoroutineUnwinder(_Unwinder):
        """While armed, makes a parked goroutine's saved context the caller
        of one frame of one thread: that frame's unwound registers are the
        goroutine's (rip, rsp, rbp from g->sched, rbx and r12-r15 from its
        stack), so gdb's own DWARF unwinder then walks the goroutine's stack
        from its frame above. Nothing is written: it works on a core file.
        Disarmed, it declines every frame."""

        def __init__(self):
            super().__init__("gort-goroutine")
            self.armed = None  # (thread ptid, frame level, {register: value}, frame id sp)

        def __call__(self, pending_frame):
            if self.armed is None:
                return None
            ptid, level, regs, id_sp = self.armed
            try:
                if pending_frame.level() != level or gdb.selected_thread().ptid != ptid:
                    return None
            except (AttributeError, gdb.error):
                return None
            sp = pending_frame.read_register("rsp")
            # The id's stack address is the goroutine's sp: gdb refuses a
            # caller whose frame is inner to (below) its callee's.
            info = pending_frame.create_unwind_info(
                _FrameId(gdb.Value(id_sp).cast(sp.type), pending_frame.read_register("rip")))
            for reg, val in regs.items():
                info.add_saved_register(reg, gdb.Value(val).cast(pending_frame.read_register(reg).type))
            return info
else:
    _GoroutineUnwinder = None


def _goroutine_unwinder():
    """The one _GoroutineUnwinder, registered once (the script may be loaded
    twice: auto-load and by hand)."""
    for u in gdb.frame_unwinders:
        if getattr(u, "name", None) == "gort-goroutine" and hasattr(u, "armed"):
            return u
    u = _GoroutineUnwinder()
    gdb.unwinder.register_unwinder(None, u, replace=True)
    return u


_FRAME_LINE = re.compile(r"^#(\d+)\s+")


_STACK_LEVEL = re.compile(r"^Stack level (\d+)")


def _renumber_bt(text, base, drop=True, keep=None):
    """A bt's (or frame's) text with the goroutine's frames numbered from 0,
    without (drop) the first base frames, the thread's own, and with only
    the first `keep` of the goroutine's frames (a number: bt N)."""
    out = []
    keeping = not drop
    for line in text.splitlines():
        m = _FRAME_LINE.match(line)
        if m:
            n = int(m.group(1))
            keeping = (n >= base or not drop) and (keep is None or n < base + keep)
            if n >= base:
                line = "#%-2d " % (n - base) + line[m.end():]
        m = _STACK_LEVEL.match(line)
        if m and int(m.group(1)) >= base:
            line = "Stack level %d" % (int(m.group(1)) - base) + line[m.end():]
        if keeping:
            out.append(line)
    return "\n".join(out) + "\n" if out else ""


def _frame_move(words, base):
    """frame [N], frame level N, up [N], down [N] on a goroutine whose frames
    start at level base: select the frame and print it numbered as the
    goroutine's (gdb's own `frame` prints to the terminal even when Python
    captures the output, so it cannot be renumbered). False for another
    command."""
    if words[0] in ("frame", "f") and words[1:2] == ["level"]:
        words = words[:1] + words[2:]
    if words[0] not in ("frame", "f", "up", "down") or len(words) > 2 or \
            (len(words) == 2 and not words[1].isdigit()):
        return False
    n = int(words[1]) if len(words) == 2 else None
    level = gdb.selected_frame().level()
    if words[0] in ("frame", "f"):
        level = base + n if n is not None else level
    else:
        level += (n if n is not None else 1) * (1 if words[0] == "up" else -1)
    if level < base:
        raise gdb.GdbError("Bottom (innermost) frame selected; you cannot go down.")
    f = gdb.newest_frame()
    while f is not None and f.level() < level:
        f = f.older()
    if f is None:
        raise gdb.GdbError("No frame at level %s." % (level - base))
    f.select()
    text = gdb.execute("bt %d" % (level + 1), to_string=True)
    m = None
    for line in text.splitlines():
        m = _FRAME_LINE.match(line)
        if m and int(m.group(1)) == level:
            print("#%-2d " % (level - base) + line[m.end():])
            break
    return True


def _run_with_unwinder(g, cmd):
    """Run cmd on a parked goroutine without writing registers (a core
    file): the goroutine's frames are shown as the callers of the selected
    thread's innermost real frame, at levels base and up; bt shows them
    only, renumbered from 0, and `frame N` means the goroutine's frame N."""
    sched = g["sched"]
    if _GoroutineUnwinder is None:
        if cmd.split()[0] not in ("bt", "backtrace", "where"):
            raise gdb.GdbError("goroutine %d: only bt works here (registers cannot be written)"
                               % int(g["goid"]))
        _print_fp_backtrace(g)
        return
    selected = gdb.selected_frame()
    f = gdb.newest_frame()
    while f.type() == gdb.INLINE_FRAME and f.older() is not None:
        f = f.older()
    base = f.level() + 1
    regs = {reg: _saved_reg(sched, field) for reg, field in _GOBUF_REGS}
    u = _goroutine_unwinder()
    u.armed = (gdb.selected_thread().ptid, f.level(), regs, regs["rsp"])
    gdb.invalidate_cached_frames()
    try:
        first = gdb.newest_frame()
        while first is not None and first.level() < base:
            first = first.older()
        if first is None or first.pc() != regs["rip"]:
            raise gdb.GdbError("goroutine %d: gdb did not unwind its saved context" % int(g["goid"]))
        _select_user_frame(first)
        words = cmd.split()
        if words[0] in ("bt", "backtrace", "where"):
            # Only the goroutine's frames: the outermost K of the thread's
            # (gdb 13 fails on `bt full` through the frames below base),
            # the first N of them for bt N.
            nframes = 0
            f = first
            while f is not None and nframes < 10000:
                nframes += 1
                f = f.older()
            limit = [int(w) for w in words[1:] if w.isdigit()]
            words = [w for w in words if not w.lstrip("-").isdigit()] + ["-%d" % nframes]
            text = gdb.execute(" ".join(words), to_string=True)
            sys.stdout.write(_renumber_bt(text, base, keep=limit[0] if limit else None))
        elif _frame_move(words, base):
            pass
        elif words[:2] == ["info", "frame"]:
            sys.stdout.write(_renumber_bt(gdb.execute(cmd, to_string=True), base, drop=False))
        else:
            gdb.execute(cmd)
    finally:
        u.armed = None
        gdb.invalidate_cached_frames()
        try:
            selected.select()
        except gdb.error:
            gdb.newest_frame().select()


def _run_on_saved_context(g, cmd):
    """Run cmd with frame 0 showing g's saved context, its first frame
    outside the runtime selected, then restore the registers."""
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
        # Registers cannot be written (a core file).
        selected.select()
        _run_with_unwinder(g, cmd)
        return
    try:
        for reg, field in _GOBUF_REGS:
            gdb.execute("set $%s = %d" % (reg, _saved_reg(sched, field)), to_string=True)
        _select_user_frame(gdb.newest_frame())
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
        _select_user_frame(gdb.newest_frame())
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
                try:
                    run_on_goroutine(g, cmd)
                except gdb.error as e:  # this goroutine's; go on with the others
                    print(e)
            return
        try:
            goid = int(which)
        except ValueError:
            raise gdb.GdbError("goroutine: %r is not a goroutine id or 'all'" % which)
        g = find_goroutine(goid)
        if g is None:
            raise gdb.GdbError("goroutine %d: no such goroutine" % goid)
        try:
            run_on_goroutine(g, cmd)
        except gdb.GdbError:
            raise
        except gdb.error as e:  # CMD's own error (No symbol "x"...), as gdb says it
            raise gdb.GdbError(str(e))


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
        # count: the counter in the high 32 bits, the number of parked
        # waiters in the low 32 (runtime/sync.c).
        count = int(self.val["count"])
        return "waitgroup count=%d waiters=%s" % (count >> 32, _sync_waiters(self.val["waiters"]))


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
        return _named_fields(self.val)


def _named_fields(val):
    """(name, value) of val's fields; an anonymous struct or union member
    (no name: val[None] is a TypeError) gives its own fields, which the
    program names as if they were val's (g->field)."""
    for f in val.type.strip_typedefs().fields():
        if f.name:
            yield f.name, val[f.name]
        else:
            yield from _named_fields(val[f])


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
