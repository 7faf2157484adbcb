# bench/pipeio: 1,000 goroutines parked on pipes, one writer.
BENCHES += bench/pipeio/run.sh
BENCH_BINS += $(BB)/pipeio
$(BB)/pipeio: bench/pipeio/pipeio.c bench/common/bench.h $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
