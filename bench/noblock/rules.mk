# bench/noblock: calls that used to hold a thread (issue #17); children:
# 1,000 waiters each spawning /bin/true and waiting, gort against pthreads
# and Go.
BENCHES += bench/noblock/run.sh
BENCH_BINS += $(BB)/children_gort $(BB)/children_pthread
$(BB)/children_gort: bench/noblock/children.c bench/noblock/common.h $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) -DGORT $< -o $@
$(BB)/children_pthread: bench/noblock/children.c bench/noblock/common.h
	@mkdir -p $(@D)
	$(MUSLCC) -static $(BENCHCFLAGS) $< -o $@ -lpthread
# files: 1,000 readers of their own cold 1 MiB file (issue #17 item 2).
BENCH_BINS += $(BB)/files_gort $(BB)/files_pthread
$(BB)/files_gort: bench/noblock/files.c bench/noblock/common.h $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) -DGORT $< -o $@
$(BB)/files_pthread: bench/noblock/files.c bench/noblock/common.h
	@mkdir -p $(@D)
	$(MUSLCC) -static $(BENCHCFLAGS) $< -o $@ -lpthread
# lookups: 1,000 resolvers against a DNS server answering in 100 ms (issue
# #17 item 1); the server is the lookup test's (test/hooks/progs/dnsd.c).
BENCH_BINS += $(BB)/lookups_gort $(BB)/lookups_gort_glibc $(BB)/lookups_gort_mdyn $(BB)/lookups_pthread $(BB)/dnsd
$(BB)/lookups_gort: bench/noblock/lookups.c bench/noblock/common.h $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) -DGORT $< -o $@
$(BB)/lookups_gort_glibc: bench/noblock/lookups.c bench/noblock/common.h $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-libc=glibc $(BENCHCFLAGS) -DGORT $< -o $@
$(BB)/lookups_gort_mdyn: bench/noblock/lookups.c bench/noblock/common.h $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-dynamic $(BENCHCFLAGS) -DGORT $< -o $@
$(BB)/lookups_pthread: bench/noblock/lookups.c bench/noblock/common.h
	@mkdir -p $(@D)
	$(GLIBCCC) $(BENCHCFLAGS) $< -o $@ -lpthread
$(BB)/dnsd: test/hooks/progs/dnsd.c
	@mkdir -p $(@D)
	$(GLIBCCC) $(BENCHCFLAGS) $< -o $@
# stdio: 1,000 readers each fgets a line from their own pipe (issue #17
# item 5), gort musl static and glibc against pthreads.
BENCH_BINS += $(BB)/stdio_gort $(BB)/stdio_gort_glibc $(BB)/stdio_pthread
$(BB)/stdio_gort: bench/noblock/stdio.c bench/noblock/common.h $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) -DGORT $< -o $@ -lpthread
$(BB)/stdio_gort_glibc: bench/noblock/stdio.c bench/noblock/common.h $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-libc=glibc $(BENCHCFLAGS) -DGORT $< -o $@ -lpthread
$(BB)/stdio_pthread: bench/noblock/stdio.c bench/noblock/common.h
	@mkdir -p $(@D)
	$(MUSLCC) -static $(BENCHCFLAGS) $< -o $@ -lpthread
