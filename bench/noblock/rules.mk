# bench/noblock: calls that used to hold a thread (issue #17); children:
# 1,000 waiters each spawning /bin/true and waiting, gort against pthreads
# and Go.
BENCHES += bench/noblock/run.sh
BENCH_BINS += $(BB)/children_gort $(BB)/children_pthread
$(BB)/children_gort: bench/noblock/children.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) -DGORT $< -o $@
$(BB)/children_pthread: bench/noblock/children.c
	@mkdir -p $(@D)
	$(MUSLCC) -static $(BENCHCFLAGS) $< -o $@ -lpthread
# files: 1,000 readers of their own cold 1 MiB file (issue #17 item 2).
BENCH_BINS += $(BB)/files_gort $(BB)/files_pthread
$(BB)/files_gort: bench/noblock/files.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) -DGORT $< -o $@
$(BB)/files_pthread: bench/noblock/files.c
	@mkdir -p $(@D)
	$(MUSLCC) -static $(BENCHCFLAGS) $< -o $@ -lpthread
