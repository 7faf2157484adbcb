# test/debug/rules.mk: the debugger suite (test/debug/debug_*.c): gdb with
# tools/gdb/gort-gdb.py (auto-loaded from the program) and lldb with
# tools/lldb/gort_lldb.py, on test/debug/progs/parked.c built as a musl
# static program and as a glibc dynamic PIE, both through tools/gortcc (which
# keeps frame pointers, as the lldb backtraces need).
DBG        := $(B)/test/debug
DBG_CFLAGS := -O2 -g -Wall -Wextra -Werror
DBG_BINS   := $(DBG)/musl/parked $(DBG)/glibc/parked

$(DBG)/musl/parked: test/debug/progs/parked.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc $(DBG_CFLAGS) $< -o $@
$(DBG)/glibc/parked: test/debug/progs/parked.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-libc=glibc $(DBG_CFLAGS) $< -o $@

# progs/unwind.c without frame pointers, every way (debug_unwind.c).
UW_CFLAGS := -g -Wall -Wextra -Werror -fomit-frame-pointer
UW_BINS   := $(addprefix $(DBG)/unwind/,musl musl-O0 plain mdyn glibc spie cxx)
$(DBG)/unwind/musl: test/debug/progs/unwind.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc -O2 $(UW_CFLAGS) $< -o $@
$(DBG)/unwind/musl-O0: test/debug/progs/unwind.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc -O0 $(UW_CFLAGS) $< -o $@
$(DBG)/unwind/plain: test/debug/progs/unwind.c $(LIBS)
	@mkdir -p $(@D)
	$(MUSLCC) -static -nostartfiles -O2 $(UW_CFLAGS) -Iinclude $< -L$(B) -lgort -o $@
$(DBG)/unwind/mdyn: test/debug/progs/unwind.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-dynamic -O2 $(UW_CFLAGS) $< -o $@
$(DBG)/unwind/glibc: test/debug/progs/unwind.c $(LIBS)
	@mkdir -p $(@D)
	$(GLIBCCC) -nostartfiles -O2 $(UW_CFLAGS) -Iinclude $< -L$(B)/glibc -lgort -o $@
$(DBG)/unwind/spie: test/debug/progs/unwind.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc -static-pie -O2 $(UW_CFLAGS) $< -o $@
$(DBG)/unwind/cxx: test/debug/progs/unwind_cxx.cc $(LIBS) tools/gortcc tools/gortc++
	@mkdir -p $(@D)
	tools/gortc++ -O2 -g -Wall -Wextra -Werror -fomit-frame-pointer $< -o $@

$(B)/test/debug_suite: $(wildcard test/debug/*.c test/debug/*.h) test/e2e/run.h $(DBG_BINS) $(UW_BINS) README.md \
                       tools/lldb/gort_lldb.py
	@mkdir -p $(@D)
	$(TESTCC) $(TESTCFLAGS) $(filter %.c,$^) -o $@ $(TESTLIBS)

TESTS += $(B)/test/debug_suite
