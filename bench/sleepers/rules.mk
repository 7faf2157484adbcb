# bench/sleepers: 10,000 goroutines x 10 x 1 ms sleeps.
BENCHES += bench/sleepers/run.sh
BENCH_BINS += $(BB)/sleepers
$(BB)/sleepers: bench/sleepers/sleepers.c bench/common/bench.h $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
