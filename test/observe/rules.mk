# test/observe/rules.mk: seeing a program run (issue #16): the execution
# trace and the flight recorder (t_trace.c), decoded with protoc against
# perfetto_subset.proto (ptrace.h); the CPU and other profiles (t_pprof.c).
# Programs: progs/*.c, built with gortcc (musl, static) and for glibc.
OBS        := $(B)/test/observe
OBS_PROGS  := traced deadlock cpuhog metrics
OBS_CFLAGS := -O2 -g -Wall -Wextra -Werror
OBS_BINS   := $(foreach p,$(OBS_PROGS),$(OBS)/musl/$(p) $(OBS)/glibc/$(p))

$(OBS)/musl/%: test/observe/progs/%.c $(GORTLIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc $(OBS_CFLAGS) $< -o $@
# Frame pointers, as gortcc keeps them: the CPU profiler walks them.
$(OBS)/glibc/%: test/observe/progs/%.c $(GORTLIBS)
	@mkdir -p $(@D)
	$(GLIBCCC) -nostartfiles -fno-omit-frame-pointer $(OBS_CFLAGS) -Iinclude $< -L$(B)/glibc -lgort -o $@

$(B)/test/observe_suite: $(wildcard test/observe/*.c test/observe/*.h) test/e2e/run.h \
                         test/observe/perfetto_subset.proto $(OBS_BINS)
	@mkdir -p $(@D)
	$(TESTCC) $(TESTCFLAGS) $(filter %.c,$^) -o $@ $(TESTLIBS)

TESTS += $(B)/test/observe_suite
test-observe: all $(B)/test/observe_suite
	$(B)/test/observe_suite --jobs=2
.PHONY: test-observe
