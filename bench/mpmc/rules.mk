# bench/mpmc: many producers and consumers contending for one channel.
BENCHES += bench/mpmc/run.sh
BENCH_BINS += $(BB)/mpmc
$(BB)/mpmc: bench/mpmc/mpmc.c bench/common/bench.h $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
