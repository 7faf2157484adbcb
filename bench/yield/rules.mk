# bench/yield: goroutine switches with gort_yield, and the bare-swap floor.
BENCHES += bench/yield/run.sh
BENCH_BINS += $(BB)/yield $(BB)/switch
$(BB)/yield: bench/yield/yield.c bench/common/bench.h $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
# A plain musl program: the floor is measured with no runtime around it.
$(BB)/switch: bench/yield/switch.c bench/yield/swap_amd64.S bench/common/bench.h
	@mkdir -p $(@D)
	$(MUSLCC) -static $(BENCHCFLAGS) bench/yield/switch.c bench/yield/swap_amd64.S -o $@
