# test/gortdump/rules.mk: gortdump's Criterion suite, the binaries it reads
# (built here every way gort links, plus non-gort and tiny hand-made ones),
# and the fuzz target of its ELF reader.
#
#   make build/test/gortdump    the suite (in TESTS: `make test` runs it)
#   make fuzz-gortdump-short    20 s of libFuzzer (clang), for CI
GD_IN     := $(B)/test/gortdump-inputs
GD_LIBS   := $(LIBS)
GD_TASKS  := test/gortdump/progs/tasks_a.c test/gortdump/progs/tasks_b.c
GD_CFLAGS := -O2 -g -Wall -Wextra -Werror
# The tiny seeds: no libc, no runtime, 16-byte "pages" so that a whole
# program is 2-3 KB. They are read, never run (the kernel would refuse the
# alignment).
GD_SEEDFLAGS := -O1 -Iinclude -nostdlib -fno-asynchronous-unwind-tables -Wl,-e,_rt0_amd64_linux \
                -Wl,--build-id=none -Wl,-z,max-page-size=16 -Wl,-z,common-page-size=16 -Wl,-z,noseparate-code
GD_SEEDS  := $(GD_IN)/seed/static $(GD_IN)/seed/static-pie $(GD_IN)/seed/static-pie-relr $(GD_IN)/seed/cycle
GD_INPUTS := $(GD_IN)/musl/tasks $(GD_IN)/musl/tasks.stripped $(GD_IN)/musl/cycle $(GD_IN)/spie/tasks \
             $(GD_IN)/mdyn/tasks $(GD_IN)/glibc/tasks $(GD_IN)/glibc/tasks-relr \
             $(GD_IN)/hello-glibc-static $(GD_IN)/hello-glibc-static.stripped $(GD_IN)/hello-musl-static \
             $(GD_SEEDS)

$(GD_IN)/musl/tasks: $(GD_TASKS) $(GD_LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc $(GD_CFLAGS) $(GD_TASKS) -o $@
$(GD_IN)/musl/cycle: test/gortdump/progs/cycle.c $(GD_LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc $(GD_CFLAGS) $< -o $@
$(GD_IN)/spie/tasks: $(GD_TASKS) $(GD_LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc -static-pie $(GD_CFLAGS) $(GD_TASKS) -o $@
$(GD_IN)/mdyn/tasks: $(GD_TASKS) $(GD_LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-dynamic $(GD_CFLAGS) $(GD_TASKS) -o $@
$(GD_IN)/glibc/tasks: $(GD_TASKS) $(GD_LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-libc=glibc $(GD_CFLAGS) $(GD_TASKS) -o $@
# Packed relative relocations: the records' pointers stay in the file.
$(GD_IN)/glibc/tasks-relr: $(GD_TASKS) $(GD_LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-libc=glibc -Wl,-z,pack-relative-relocs $(GD_CFLAGS) $(GD_TASKS) -o $@
$(GD_IN)/hello-glibc-static: test/gortdump/progs/hello.c
	@mkdir -p $(@D)
	$(GLIBCCC) -static $(GD_CFLAGS) $< -o $@
$(GD_IN)/hello-musl-static: test/gortdump/progs/hello.c
	@mkdir -p $(@D)
	$(MUSLCC) -static $(GD_CFLAGS) $< -o $@
$(GD_IN)/%.stripped: $(GD_IN)/%
	strip -o $@ $<

$(GD_IN)/seed/static: test/gortdump/seed_gort.c include/gort.h
	@mkdir -p $(@D)
	$(GLIBCCC) $(GD_SEEDFLAGS) -static $< -o $@
$(GD_IN)/seed/static-pie: test/gortdump/seed_gort.c include/gort.h
	@mkdir -p $(@D)
	$(GLIBCCC) $(GD_SEEDFLAGS) -fPIE -static-pie $< -o $@
$(GD_IN)/seed/static-pie-relr: test/gortdump/seed_gort.c include/gort.h
	@mkdir -p $(@D)
	$(GLIBCCC) $(GD_SEEDFLAGS) -fPIE -static-pie -Wl,-z,pack-relative-relocs $< -o $@
$(GD_IN)/seed/cycle: test/gortdump/seed_gort.c include/gort.h
	@mkdir -p $(@D)
	$(GLIBCCC) $(GD_SEEDFLAGS) -DCYCLE -static $< -o $@

# The suite links the analysis itself too (corrupted images are analysed
# in-process, thousands of them) and runs $(B)/gortdump for the rest.
$(B)/test/gortdump: test/gortdump/test_gortdump.c $(GORTDUMP_SRCS) $(GORTDUMP_HDRS) $(B)/gortdump $(GD_INPUTS)
	@mkdir -p $(@D)
	$(TESTCC) $(TESTCFLAGS) -Itools/gortdump test/gortdump/test_gortdump.c $(GORTDUMP_SRCS) -o $@ \
	  $(TESTLIBS) -lelf
TESTS += $(B)/test/gortdump

# Fuzzing (not part of `make test`): libFuzzer + ASan over gortdump_analyze.
# libelf itself is the system's, not instrumented: the fuzzer finds our bugs
# and libelf's crashes, not libelf's silent overreads.
FUZZCC ?= clang
$(B)/fuzz/gortdump: test/gortdump/fuzz_gortdump.c $(GORTDUMP_SRCS) $(GORTDUMP_HDRS)
	@mkdir -p $(@D)
	$(FUZZCC) $(GORTDUMP_FLAGS) -O1 -g $(WARN) -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined test/gortdump/fuzz_gortdump.c $(GORTDUMP_SRCS) -o $@ -lelf
fuzz-gortdump-short: $(B)/fuzz/gortdump $(GD_SEEDS)
	@mkdir -p $(B)/fuzz/gortdump-corpus
	$(B)/fuzz/gortdump -max_total_time=20 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	  -artifact_prefix=$(B)/fuzz/gortdump- \
	  $(B)/fuzz/gortdump-corpus $(GD_IN)/seed
.PHONY: fuzz-gortdump-short
