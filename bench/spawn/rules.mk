# bench/spawn: create, run and join a million trivial goroutines.
BENCHES += bench/spawn/run.sh
BENCH_BINS += $(BB)/spawn
$(BB)/spawn: bench/spawn/spawn.c bench/common/bench.h $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
