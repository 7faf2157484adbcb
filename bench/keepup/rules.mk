# bench/keepup: do 100,000 goroutines sleeping 1 ms in a loop keep up?
BENCHES += bench/keepup/run.sh
BENCH_BINS += $(BB)/keepup
$(BB)/keepup: bench/keepup/keepup.c bench/common/bench.h $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
