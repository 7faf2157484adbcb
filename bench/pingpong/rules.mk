# bench/pingpong: unbuffered channel round trips between two goroutines.
BENCHES += bench/pingpong/run.sh
BENCH_BINS += $(BB)/pingpong
$(BB)/pingpong: bench/pingpong/pingpong.c bench/common/bench.h $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
