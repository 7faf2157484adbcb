# bench/fib: fork-join fib(30), a goroutine per call above cutoff 12.
BENCHES += bench/fib/run.sh
BENCH_BINS += $(BB)/fib
$(BB)/fib: bench/fib/fib.c bench/common/bench.h $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
