"""gort_lldb.py: lldb support for gort programs: the goroutine list, a
goroutine's backtrace, and summaries for channels and the scheduler's G, M
and P structures (the lldb side of tools/gdb/gort-gdb.py).

How it is loaded: by hand, or for every session with one line in ~/.lldbinit
(the installed copy is in $(PREFIX)/share/gort/; from the build tree, name
tools/lldb/gort_lldb.py):

    command script import /usr/local/share/gort/gort_lldb.py

It does nothing for programs that are not gort programs until a goroutine
command is run. Importing it twice is harmless.

Commands (a container command, `goroutine`):
    goroutine list        every goroutine: id, status (with the wait
                          reason), the M running it, and the function it is
                          in (its innermost frame outside the runtime);
                          `*` marks the selected thread's goroutine
    goroutine bt N        goroutine N's backtrace
    goroutine bt all      every goroutine's backtrace
    goroutine exec N CMD  CMD (frame variable, p x, bt) in goroutine N's own
                          frame, its innermost outside the runtime; a live
                          process only
Summaries: gort_mutex (locked or not, the goroutines waiting), gort_waitgroup
(its counter, the goroutines waiting), gort_chan * and struct gort_chan (len,
cap, elemsize, closed, the goroutines waiting to send and to receive), struct
g, struct m, struct p.

How a parked goroutine's stack is shown: from its saved context g->sched
(what gort_swapctx in runtime/asm_amd64.S saved: pc and rbp), by walking the
frame-pointer chain (the runtime and gortcc-built code keep frame pointers)
within the goroutine's stack, each pc symbolicated with
SBTarget.ResolveLoadAddress, down to gort_gostart, the first frame of every
goroutine. It writes no register, so it works the same on a live process
and on a core file. A goroutine running on a thread is shown from that
thread's own frames (lldb's unwinder).

goroutine exec writes the goroutine's saved context (rsp, rip, rbp from
g->sched, rbx and r12-r15 from its stack) into the selected thread's
registers, runs CMD in an execution context naming the goroutine's frame
(a command run by a script command otherwise gets that command's frame),
and writes the thread's own back. lldb has no Python unwinder through which
a script could show other registers without writing them, and a core
file's registers cannot be written: there, only goroutine bt.

Known issues:
  - Debian 12's lldb 14 fails to start Python (No module named
    'lldb.embedded_interpreter'): /usr/lib/python3/dist-packages/lldb holds
    only library links and hides the real module in
    /usr/lib/llvm-14/lib/python3.11/dist-packages, and `lldb -P` names a
    directory that does not exist. Run lldb with
    PYTHONPATH=/usr/lib/llvm-14/lib/python3.11/dist-packages.
  - The frame-pointer walk does not show inlined calls or functions that
    tail-called the next (gort_chan_send jumps to chansend), and stops
    early at code compiled without frame pointers (plain gcc -O2; gortcc
    keeps them).
  - lldb stops on SIGURG, the runtime's preemption signal; once the
    process exists: process handle SIGURG -s false -p false -n false.
  - The G status enums of runtime/runtime.h are read by name from the
    program's debug info (the fallback table below must follow runtime.h,
    where a comment says so).
"""

import lldb

# Fallbacks for runtime/runtime.h's enums, used only when the debug info
# lacks them. Keep in step with the enums there.
_G_STATUS = ["Gidle", "Grunnable", "Grunning", "Gsyscall", "Gwaiting", "Gdead", "Gpreempted"]
_P_STATUS = ["Pidle", "Prunning", "Psyscall", "Pgcstop", "Pdead"]

_enum_cache = {}


def _enums(target):
    """Every enumerator of the program's enums, by name (cached per target)."""
    key = target.GetExecutable().fullpath
    if key in _enum_cache:
        return _enum_cache[key]
    names = {}
    for i in range(target.GetNumModules()):
        types = target.GetModuleAtIndex(i).GetTypes(lldb.eTypeClassEnumeration)
        for j in range(types.GetSize()):
            members = types.GetTypeAtIndex(j).GetEnumMembers()
            for k in range(members.GetSize()):
                e = members.GetTypeEnumMemberAtIndex(k)
                names.setdefault(e.GetName(), e.GetValueAsSigned())
    _enum_cache[key] = names
    return names


def _enum(target, name, fallback):
    return _enums(target).get(name, fallback)


class Gort:
    """The runtime's state in one target: allgs, allm, the runtime's code
    range and helpers to read and symbolicate."""

    def __init__(self, target):
        self.target = target
        self.process = target.GetProcess()
        if not self.process.IsValid():
            raise RuntimeError("no process (run the program or load a core file)")
        allgs = target.FindFirstGlobalVariable("allgs")
        if not allgs.IsValid():
            raise RuntimeError("not a gort program (no allgs)")
        self.allgs = allgs
        self.lo, self.hi = self._symaddr("__start_gort_text"), self._symaddr("__stop_gort_text")
        self.gdead = _enum(target, "Gdead", 5)
        self.gwaiting = _enum(target, "Gwaiting", 4)
        self.onthread = (_enum(target, "Grunning", 2), _enum(target, "Gsyscall", 3))
        self.gnames = {_enum(target, n, i): n[1:] for i, n in enumerate(_G_STATUS)}

    def _symaddr(self, name):
        ctxs = self.target.FindSymbols(name)
        for i in range(ctxs.GetSize()):
            a = ctxs.GetContextAtIndex(i).GetSymbol().GetStartAddress().GetLoadAddress(self.target)
            if a != lldb.LLDB_INVALID_ADDRESS:
                return a
        return 0

    def in_runtime(self, pc):
        return self.lo <= pc < self.hi

    def read_ptr(self, addr):
        err = lldb.SBError()
        v = self.process.ReadPointerFromMemory(addr, err)
        return v if err.Success() else None

    def all(self):
        g = self.allgs
        n = 0
        while g.GetValueAsUnsigned() != 0 and n < 1000000:
            d = g.Dereference()
            yield d
            g = d.GetChildMemberWithName("alllink")
            n += 1

    def live(self):
        gs = [g for g in self.all() if _u(g, "goid") != 0 and _u(g, "status") != self.gdead]
        gs.sort(key=lambda g: _u(g, "goid"))
        return gs

    def find(self, goid):
        for g in self.live():
            if _u(g, "goid") == goid:
                return g
        return None

    def waitreason(self, g):
        r = _u(g, "waitreason")
        table = self.target.FindFirstGlobalVariable("waitreason_strings")
        if not table.IsValid() or r >= table.GetNumChildren():
            return ""
        return self.read_cstring(table.GetChildAtIndex(r).GetValueAsUnsigned())

    def read_cstring(self, ptr):
        """The string at ptr, from the process or, where a core file lacks
        the page (read-only file mappings are not dumped), from the
        program file's section."""
        if not ptr:
            return ""
        err = lldb.SBError()
        s = self.process.ReadCStringFromMemory(ptr, 256, err)
        if err.Success():
            return s
        a = self.target.ResolveLoadAddress(ptr)
        sec = a.GetSection()
        if not sec.IsValid():
            return ""
        data = sec.GetSectionData(a.GetOffset(), 256)
        raw = bytes(data.uint8s) if data.GetByteSize() else b""
        return raw.split(b"\0", 1)[0].decode("utf-8", "replace")

    def status(self, g):
        s = _u(g, "status")
        if s == self.gwaiting:
            reason = self.waitreason(g)
            if reason:
                return "waiting " + reason
        return self.gnames.get(s, "???(%d)" % s)

    def m_of(self, g):
        """The M running g now (an SBValue struct m), or None."""
        if _u(g, "status") not in self.onthread:
            return None
        m = g.GetChildMemberWithName("m")
        return m.Dereference() if m.GetValueAsUnsigned() else None

    def thread_of(self, m):
        t = self.process.GetThreadByID(_u(m, "tid"))
        return t if t.IsValid() else None

    def current(self):
        """The id of the goroutine on the selected thread, or None."""
        tid = self.process.GetSelectedThread().GetThreadID()
        m = self.target.FindFirstGlobalVariable("allm")
        while m.GetValueAsUnsigned():
            d = m.Dereference()
            if _u(d, "tid") == tid:
                curg = d.GetChildMemberWithName("curg")
                return _u(curg.Dereference(), "goid") if curg.GetValueAsUnsigned() else None
            m = d.GetChildMemberWithName("alllink")
        return None

    def funcname(self, pc):
        a = self.target.ResolveLoadAddress(pc)
        f = a.GetFunction()
        if f.IsValid():
            return f.GetName()
        s = a.GetSymbol()
        return s.GetName() if s.IsValid() else None

    def where(self, pc):
        """' at file:line' for pc, or ''."""
        le = self.target.ResolveLoadAddress(pc).GetLineEntry()
        if le.IsValid() and le.GetFileSpec().IsValid():
            return " at %s:%d" % (le.GetFileSpec().GetFilename(), le.GetLine())
        return ""

    def fp_frames(self, g, limit=64):
        """(pc, lookup pc) of a parked goroutine's frames: the saved pc, then
        the return addresses along the frame-pointer chain, inside the
        goroutine's stack and growing upwards, as the runtime's traceback."""
        sched = g.GetChildMemberWithName("sched")
        pc, bp = _u(sched, "pc"), _u(sched, "bp")
        lo, hi = _u(g, "stack_lo"), _u(g, "stack_hi")
        yield pc, pc
        for _ in range(limit):
            if bp < lo or bp + 16 > hi or bp & 7:
                return
            nbp, ret = self.read_ptr(bp), self.read_ptr(bp + 8)
            if nbp is None or not ret:
                return
            yield ret, ret - 1
            if nbp and nbp <= bp:
                return
            bp = nbp

    def function_of(self, g):
        """The innermost function outside the runtime that g is in."""
        m = self.m_of(g)
        if m is not None:
            t = self.thread_of(m)
            if t is not None:
                first = None
                for i in range(t.GetNumFrames()):
                    f = t.GetFrameAtIndex(i)
                    name = f.GetFunctionName()
                    first = first or name
                    if name and not self.in_runtime(f.GetPC()):
                        return name
                return first
        if _u(g, "stack_lo") == 0:
            return self.funcname(_u(g, "fn"))
        last = None
        for _, look in self.fp_frames(g):
            name = self.funcname(look)
            if name == "gort_gostart":
                break
            last = name or last
            if not self.in_runtime(look):
                return name
        return last

    def backtrace(self, g):
        """Lines of g's backtrace, lldb style."""
        exe = self.target.GetExecutable().GetFilename()
        goid = _u(g, "goid")
        m = self.m_of(g)
        lines = []
        if m is not None:
            t = self.thread_of(m)
            if t is None:
                return ["goroutine %d: running on m%d, whose thread (tid %d) lldb does not know"
                        % (goid, _u(m, "id"), _u(m, "tid"))]
            for i in range(t.GetNumFrames()):
                f = t.GetFrameAtIndex(i)
                lines.append("  frame #%d: 0x%016x %s`%s%s" % (
                    i, f.GetPC(), f.GetModule().GetFileSpec().GetFilename(),
                    f.GetFunctionName() or "??", self.where(f.GetPC())))
            return lines
        if _u(g, "stack_lo") == 0:
            return ["goroutine %d: not yet started (entry %s)" % (goid, self.funcname(_u(g, "fn")) or "??")]
        for i, (pc, look) in enumerate(self.fp_frames(g)):
            a = self.target.ResolveLoadAddress(look)
            mod = a.GetModule().GetFileSpec().GetFilename() if a.GetModule().IsValid() else exe
            name = self.funcname(look) or "??"
            lines.append("  frame #%d: 0x%016x %s`%s%s" % (i, pc, mod, name, self.where(look)))
            if name == "gort_gostart":
                break
        return lines


def _u(v, field):
    return v.GetChildMemberWithName(field).GetValueAsUnsigned()


def _gort(debugger, result):
    try:
        return Gort(debugger.GetSelectedTarget())
    except RuntimeError as e:
        result.SetError("goroutine: %s" % e)
        return None


class GoroutineList:
    """goroutine list: id, status, M and function of every goroutine."""

    def __init__(self, debugger, internal_dict):
        pass

    def get_short_help(self):
        return "List the goroutines: id, status (wait reason), M, function."

    def __call__(self, debugger, command, exe_ctx, result):
        rt = _gort(debugger, result)
        if rt is None:
            return
        cur = rt.current()
        rows = []
        for g in rt.live():
            goid = _u(g, "goid")
            m = rt.m_of(g)
            rows.append(("*" if goid == cur else " ", str(goid), rt.status(g),
                         "m%d" % _u(m, "id") if m is not None else "-",
                         rt.function_of(g) or "??"))
        if not rows:
            result.AppendMessage("no goroutines (the scheduler has not started)")
            return
        w_id = max(len(r[1]) for r in rows + [(0, "ID")])
        w_st = max(len(r[2]) for r in rows + [(0, 0, "STATUS")])
        w_m = max(len(r[3]) for r in rows + [(0, 0, 0, "M")])
        out = ["  %-*s  %-*s  %-*s  %s" % (w_id, "ID", w_st, "STATUS", w_m, "M", "FUNCTION")]
        for mark, goid, st, m, fn in rows:
            out.append("%s %*s  %-*s  %-*s  %s" % (mark, w_id, goid, w_st, st, w_m, m, fn))
        result.AppendMessage("\n".join(out))


class GoroutineBt:
    """goroutine bt N | goroutine bt all: goroutine backtraces."""

    def __init__(self, debugger, internal_dict):
        pass

    def get_short_help(self):
        return "Backtrace of goroutine N, or of every goroutine (all)."

    def __call__(self, debugger, command, exe_ctx, result):
        rt = _gort(debugger, result)
        if rt is None:
            return
        arg = command.strip()
        if arg == "all":
            out = []
            for g in rt.live():
                if out:
                    out.append("")
                out.append("goroutine %d [%s]:" % (_u(g, "goid"), rt.status(g)))
                out.extend(rt.backtrace(g))
            result.AppendMessage("\n".join(out))
            return
        try:
            goid = int(arg)
        except ValueError:
            result.SetError("usage: goroutine bt N|all")
            return
        g = rt.find(goid)
        if g is None:
            result.SetError("goroutine %d: no such goroutine" % goid)
            return
        result.AppendMessage("\n".join(["goroutine %d [%s]:" % (goid, rt.status(g))] + rt.backtrace(g)))


# The registers gort_swapctx saves (runtime.h, struct gobuf): rsp, rip and
# rbp in the gobuf; rbx and r12-r15 pushed on the goroutine's stack, at these
# offsets from gobuf.sp.
_GOBUF_REGS = [("rsp", "sp"), ("rip", "pc"), ("rbp", "bp"), ("rbx", -16),
               ("r12", -24), ("r13", -32), ("r14", -40), ("r15", -48)]
_RESUMING = ("c", "continue", "s", "step", "n", "next", "si", "ni", "finish", "thread",
             "process", "run", "r", "expression", "expr", "call", "jump", "j")


def _user_frame_index(rt, thread):
    """The index of thread's first frame outside the runtime's code with a
    source line (the program's, not its C library's), else the first
    outside the runtime, else 0."""
    outside = None
    for i in range(thread.GetNumFrames()):
        f = thread.GetFrameAtIndex(i)
        if f.GetFunctionName() == "gort_gostart":
            break
        if rt.in_runtime(f.GetPC()):
            continue
        le = f.GetLineEntry()
        if le.IsValid() and le.GetLine():
            return i
        if outside is None:
            outside = i
    return outside or 0


class GoroutineExec:
    """goroutine exec N CMD: CMD in goroutine N's frame (its innermost
    outside the runtime): goroutine exec 7 frame variable, goroutine exec 7
    p answer. A parked goroutine's saved context is loaded into the selected
    thread's registers for CMD, then the thread's own are put back: a live
    process only (a core file's registers cannot be written)."""

    def __init__(self, debugger, internal_dict):
        pass

    def get_short_help(self):
        return "Run an lldb command in goroutine N's frame (p x, frame variable, bt)."

    def __call__(self, debugger, command, exe_ctx, result):
        rt = _gort(debugger, result)
        if rt is None:
            return
        words = command.split(None, 1)
        if len(words) < 2 or not words[0].isdigit():
            result.SetError("usage: goroutine exec N CMD (e.g. goroutine exec 7 frame variable)")
            return
        goid, cmd = int(words[0]), words[1]
        if cmd.split()[0] in _RESUMING:
            result.SetError("goroutine exec: %s would resume the program or run code" % cmd.split()[0])
            return
        g = rt.find(goid)
        if g is None:
            result.SetError("goroutine %d: no such goroutine" % goid)
            return
        ci = debugger.GetCommandInterpreter()
        m = rt.m_of(g)
        if m is not None:
            t = rt.thread_of(m)
            if t is None:
                result.SetError("goroutine %d: its thread is not known to lldb" % goid)
                return
            self._run_on_thread(rt, ci, t, cmd, result)
            return
        if _u(g, "stack_lo") == 0:
            result.SetError("goroutine %d: not yet started" % goid)
            return
        thread = rt.process.GetSelectedThread()
        frame0 = thread.GetFrameAtIndex(0)
        saved = {r: frame0.FindRegister(r).GetValueAsUnsigned() for r, _ in _GOBUF_REGS}
        sched = g.GetChildMemberWithName("sched")
        sp = _u(sched, "sp")
        regs = {}
        for reg, field in _GOBUF_REGS:
            regs[reg] = _u(sched, field) if isinstance(field, str) else rt.read_ptr(sp + field)
        old_index = thread.GetSelectedFrame().GetFrameID()
        res = lldb.SBCommandReturnObject()
        thread.SetSelectedFrame(0)
        ci.HandleCommand("register write rsp 0x%x" % regs["rsp"], res)
        if not res.Succeeded():
            result.SetError("goroutine %d: registers cannot be written here (a core file?): "
                            "use goroutine bt %d" % (goid, goid))
            return
        try:
            for reg, _ in _GOBUF_REGS:
                ci.HandleCommand("register write %s 0x%x" % (reg, regs[reg]), res)
            self._run_on_thread(rt, ci, thread, cmd, result)
        finally:
            thread.SetSelectedFrame(0)
            for reg, _ in _GOBUF_REGS:
                ci.HandleCommand("register write %s 0x%x" % (reg, saved[reg]), res)
            thread.SetSelectedFrame(old_index)

    @staticmethod
    def _run_on_thread(rt, ci, thread, cmd, result):
        old = rt.process.GetSelectedThread()
        old_index = thread.GetSelectedFrame().GetFrameID()
        rt.process.SetSelectedThread(thread)
        index = _user_frame_index(rt, thread)
        thread.SetSelectedFrame(index)
        res = lldb.SBCommandReturnObject()
        try:
            # The frame in an explicit context: a command run from a
            # scripted command otherwise gets that command's context.
            ci.HandleCommand(cmd, lldb.SBExecutionContext(thread.GetFrameAtIndex(index)), res)
        finally:
            thread.SetSelectedFrame(old_index)
            rt.process.SetSelectedThread(old)
        if res.GetOutput():
            result.AppendMessage(res.GetOutput().rstrip("\n"))
        if not res.Succeeded():
            result.SetError(res.GetError().strip() or "failed")


# ---- summaries ----

def _field_names(v):
    t = v.GetType().GetCanonicalType()
    if t.IsPointerType():
        t = t.GetPointeeType().GetCanonicalType()
    return {t.GetFieldAtIndex(i).GetName() for i in range(t.GetNumberOfFields())}


def _waiters(process, q):
    ids = []
    s = q.GetChildMemberWithName("first")
    while s.GetValueAsUnsigned() and len(ids) < 1000:
        d = s.Dereference()
        g = d.GetChildMemberWithName("g")
        ids.append(_u(g.Dereference(), "goid") if g.GetValueAsUnsigned() else 0)
        s = d.GetChildMemberWithName("next")
    return ids


def _chan_text(c):
    process = c.GetProcess()
    return "len=%d cap=%d elemsize=%d closed=%s recv-waiting=%s send-waiting=%s" % (
        _u(c, "qcount"), _u(c, "cap"), _u(c, "elemsize"),
        "true" if _u(c, "closed") else "false",
        _waiters(process, c.GetChildMemberWithName("recvq")),
        _waiters(process, c.GetChildMemberWithName("sendq")))


def _complete_chan_type(target):
    """struct gort_chan with its fields (the runtime's debug information; a
    program's own files see it opaque)."""
    types = target.FindTypes("gort_chan")
    for i in range(types.GetSize()):
        t = types.GetTypeAtIndex(i).GetCanonicalType()
        if t.GetNumberOfFields() and any(t.GetFieldAtIndex(k).GetName() == "qcount"
                                         for k in range(t.GetNumberOfFields())):
            return t
    return None


def chan_summary(valobj, internal_dict):
    """struct gort_chan, and gort_chan * (pointers, opaque or not)."""
    is_ptr = valobj.GetType().IsPointerType()
    if is_ptr and not valobj.GetValueAsUnsigned():
        return "NULL"
    v = valobj.Dereference() if is_ptr else valobj
    if "qcount" in _field_names(v):
        return "chan " + _chan_text(v)
    target = valobj.GetTarget()
    t = _complete_chan_type(target)
    if t is None:
        return None
    addr = valobj.GetValueAsUnsigned() if is_ptr else valobj.GetLoadAddress()
    c = target.CreateValueFromAddress("c", lldb.SBAddress(addr, target), t)
    return "chan " + _chan_text(c)


def _sync_waiters(valobj, head):
    """The goroutine ids on a gort_mutex's or gort_waitgroup's wait list
    (runtime/sync.c: struct syncwaiter {struct g *g; struct syncwaiter
    *next;}, on the waiters' stacks), read as two pointers each."""
    process = valobj.GetProcess()
    target = valobj.GetTarget()
    gptr = None
    ids = []
    err = lldb.SBError()
    w = head.GetValueAsUnsigned()
    while w and len(ids) < 1000:
        g = process.ReadPointerFromMemory(w, err)
        if not err.Success():
            break
        if gptr is None:
            gs = target.FindFirstGlobalVariable("allgs")
            gptr = gs.GetType() if gs.IsValid() else None
        goid = 0
        if g and gptr is not None:
            gv = target.CreateValueFromAddress("g", lldb.SBAddress(g, target), gptr.GetPointeeType())
            goid = _u(gv, "goid")
        ids.append(goid)
        w = process.ReadPointerFromMemory(w + 8, err)
        if not err.Success():
            break
    return "[%s]" % ", ".join(str(i) for i in ids)


def mutex_summary(valobj, internal_dict):
    """gort_mutex: locked or not, and the goroutines waiting for it."""
    v = valobj.Dereference() if valobj.GetType().IsPointerType() else valobj
    if "state" not in _field_names(v):
        return None
    return "mutex %s waiters=%s" % ("unlocked" if _u(v, "state") == 0 else "locked",
                                    _sync_waiters(v, v.GetChildMemberWithName("waiters")))


def waitgroup_summary(valobj, internal_dict):
    """gort_waitgroup: its counter (the high 32 bits of count; the low 32
    count the parked waiters) and the goroutines waiting."""
    v = valobj.Dereference() if valobj.GetType().IsPointerType() else valobj
    if "count" not in _field_names(v):
        return None
    count = v.GetChildMemberWithName("count").GetValueAsSigned()
    return "waitgroup count=%d waiters=%s" % (count >> 32,
                                              _sync_waiters(v, v.GetChildMemberWithName("waiters")))


def g_summary(valobj, internal_dict):
    """struct g: goroutine id, status, M and entry function."""
    g = valobj.Dereference() if valobj.GetType().IsPointerType() else valobj
    if "goid" not in _field_names(g):
        return None
    target = valobj.GetTarget()
    try:
        rt = Gort(target)
    except RuntimeError:
        return None
    if _u(g, "goid") == 0:
        return "g0 (scheduler stack [0x%x, 0x%x))" % (_u(g, "stack_lo"), _u(g, "stack_hi"))
    m = rt.m_of(g)
    return "goroutine %d [%s]%s fn=%s" % (_u(g, "goid"), rt.status(g),
                                          " on m%d" % _u(m, "id") if m is not None else "",
                                          rt.funcname(_u(g, "fn")) or "??")


def m_summary(valobj, internal_dict):
    """struct m: id, thread, current goroutine and P."""
    m = valobj.Dereference() if valobj.GetType().IsPointerType() else valobj
    if "curg" not in _field_names(m):
        return None
    curg, p = m.GetChildMemberWithName("curg"), m.GetChildMemberWithName("p")
    return "m%d tid=%d curg=%s p=%s%s" % (
        _u(m, "id"), _u(m, "tid"),
        "goroutine %d" % _u(curg.Dereference(), "goid") if curg.GetValueAsUnsigned() else "none",
        "p%d" % _u(p.Dereference(), "id") if p.GetValueAsUnsigned() else "none",
        " spinning" if _u(m, "spinning") else "")


def p_summary(valobj, internal_dict):
    """struct p: id, status, owner M and run queue length."""
    p = valobj.Dereference() if valobj.GetType().IsPointerType() else valobj
    if "runqhead" not in _field_names(p):
        return None
    target = valobj.GetTarget()
    names = {_enum(target, n, i): n[1:] for i, n in enumerate(_P_STATUS)}
    m = p.GetChildMemberWithName("m")
    s = _u(p, "status")
    return "p%d [%s] m=%s runq=%d%s" % (
        _u(p, "id"), names.get(s, "???(%d)" % s),
        "m%d" % _u(m.Dereference(), "id") if m.GetValueAsUnsigned() else "none",
        (_u(p, "runqtail") - _u(p, "runqhead")) & 0xffffffff,
        " +runnext" if _u(p, "runnext") else "")


def __lldb_init_module(debugger, internal_dict):
    mod = __name__
    ci = debugger.GetCommandInterpreter()
    res = lldb.SBCommandReturnObject()
    ci.HandleCommand("command container add -h 'gort goroutines: goroutine list, "
                     "goroutine bt N|all' goroutine", res)  # fails harmlessly if it exists
    for cmd in ("command script add -o -c %s.GoroutineList goroutine list" % mod,
                "command script add -o -c %s.GoroutineBt goroutine bt" % mod,
                "command script add -o -c %s.GoroutineExec goroutine exec" % mod,
                "type summary add -w gort -F %s.mutex_summary gort_mutex" % mod,
                "type summary add -w gort -F %s.waitgroup_summary gort_waitgroup" % mod,
                "type summary add -w gort -F %s.chan_summary gort_chan" % mod,
                "type summary add -w gort -F %s.chan_summary 'struct gort_chan'" % mod,
                "type summary add -w gort -F %s.g_summary g" % mod,
                "type summary add -w gort -F %s.m_summary m" % mod,
                "type summary add -w gort -F %s.p_summary p" % mod,
                "type category enable gort"):
        ci.HandleCommand(cmd, res)
        if not res.Succeeded():
            print("gort_lldb: %s: %s" % (cmd, res.GetError().strip()))
