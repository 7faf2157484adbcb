# bench/hooks: pipeio and sleepers with plain libc calls (read, write,
# usleep, nanosleep) against gort's API, in the same runtime.
BENCHES += bench/hooks/run.sh
BENCH_BINS += $(BB)/hooks
$(BB)/hooks: bench/hooks/hooks.c bench/common/bench.h $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
