# bench/pipeecho: goroutine pairs echoing over pipes.
BENCHES += bench/pipeecho/run.sh
BENCH_BINS += $(BB)/pipeecho
$(BB)/pipeecho: bench/pipeecho/pipeecho.c bench/common/bench.h $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
