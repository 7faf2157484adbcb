# bench/startup: hello world start-up, gort against the libcs' own crt1.
BENCHES += bench/startup/run.sh
BENCH_BINS += $(BB)/startup $(BB)/hello_gort $(BB)/hello_musl $(BB)/hello_gort_glibc \
              $(BB)/hello_glibc
$(BB)/startup: bench/startup/runner.c bench/common/bench.h
	@mkdir -p $(@D)
	$(GLIBCCC) $(BENCHCFLAGS) $< -o $@
$(BB)/hello_gort: bench/startup/hello.c $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
$(BB)/hello_musl: bench/startup/hello.c
	@mkdir -p $(@D)
	$(MUSLCC) -static $(BENCHCFLAGS) $< -o $@
$(BB)/hello_gort_glibc: bench/startup/hello.c $(LIBS)
	@mkdir -p $(@D)
	$(BENCH_GORTCC_GLIBC) $(BENCHCFLAGS) $< -o $@
$(BB)/hello_glibc: bench/startup/hello.c
	@mkdir -p $(@D)
	$(GLIBCCC) $(BENCHCFLAGS) $< -o $@
