# bench/idle: memory and creation time of 100,000 and 1,000,000 parked goroutines.
BENCHES += bench/idle/run.sh
BENCH_BINS += $(BB)/idle
$(BB)/idle: bench/idle/idle.c bench/common/bench.h $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
