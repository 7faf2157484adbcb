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

$(B)/test/debug_suite: $(wildcard test/debug/*.c test/debug/*.h) test/e2e/run.h $(DBG_BINS) \
                       tools/lldb/gort_lldb.py
	@mkdir -p $(@D)
	$(TESTCC) $(TESTCFLAGS) $(filter %.c,$^) -o $@ $(TESTLIBS)

TESTS += $(B)/test/debug_suite
