# bench/codegen: what gortcc's -fno-omit-frame-pointer -fno-optimize-sibling-calls
# cost the program's own code (kernels.c built with and without them).
BENCHES += bench/codegen/run.sh
BENCH_BINS += $(BB)/codegen_fp $(BB)/codegen_nofp
$(BB)/codegen_fp: bench/codegen/kernels.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
$(BB)/codegen_nofp: bench/codegen/kernels.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -fomit-frame-pointer -foptimize-sibling-calls -o $@
