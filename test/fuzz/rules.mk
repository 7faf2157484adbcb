# test/fuzz/rules.mk: libFuzzer targets (clang, with ASan and UBSan) over the
# parsers of untrusted input (issue #6):
#   startup   argv/envp/auxv as the runtime reads them at start, gogetenv,
#             and the GODEBUG/GOMAXPROCS/GOTRACEBACK/size parsers
#   gortdump  gortdump's ELF reader (test/gortdump/rules.mk)
#   make fuzz-short   10 s per target, from the seeds (make test runs it)
#   make fuzz         5 minutes per target (FUZZTIME=seconds to change)
# Corpora grow in build/fuzz/*-corpus; a crash leaves build/fuzz/<target>-crash-*.
FUZZTIME ?= 300
$(B)/fuzz/startup: test/fuzz/fuzz_startup.c runtime/args.c runtime/debugvars.c $(RT_HDRS)
	@mkdir -p $(@D)
	$(FUZZCC) -std=gnu11 -D_GNU_SOURCE -Iruntime -Iinclude -O1 -g $(WARN) -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined test/fuzz/fuzz_startup.c runtime/args.c runtime/debugvars.c -o $@

fuzz-short: $(B)/fuzz/startup $(B)/fuzz/gortdump $(GD_SEEDS)
	@echo "== fuzz-short: startup parsers, 10 s"
	@sh test/fuzz/run.sh $(B)/fuzz/startup 10 test/fuzz/seeds
	@echo "== fuzz-short: gortdump ELF reader, 10 s"
	@sh test/fuzz/run.sh $(B)/fuzz/gortdump 10 $(GD_IN)/seed
fuzz: $(B)/fuzz/startup $(B)/fuzz/gortdump $(GD_SEEDS)
	sh test/fuzz/run.sh $(B)/fuzz/startup $(FUZZTIME) test/fuzz/seeds
	sh test/fuzz/run.sh $(B)/fuzz/gortdump $(FUZZTIME) $(GD_IN)/seed
.PHONY: fuzz fuzz-short
