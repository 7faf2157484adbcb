# test/fuzz/rules.mk: libFuzzer targets (clang, with ASan and UBSan) over the
# parsers of untrusted input (issue #6):
#   startup   argv/envp/auxv as the runtime reads them at start, gogetenv,
#             and the GODEBUG/GOMAXPROCS/GOTRACEBACK/size parsers
#   gortdump  gortdump's ELF reader (test/gortdump/rules.mk)
#   dnsmsg    the stub resolver's DNS answer reader (runtime/dnsmsg.c)
#   make fuzz-short   10 s per target, from the seeds (make test runs it)
#   make fuzz         5 minutes per target (FUZZTIME=seconds to change)
# Corpora grow in build/fuzz/*-corpus; a crash leaves build/fuzz/<target>-crash-*.
FUZZTIME ?= 300
$(B)/fuzz/startup: test/fuzz/fuzz_startup.c runtime/args.c runtime/debugvars.c $(RT_HDRS)
	@mkdir -p $(@D)
	$(FUZZCC) -std=gnu11 -D_GNU_SOURCE -Iruntime -Iinclude -O1 -g $(WARN) -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined test/fuzz/fuzz_startup.c runtime/args.c runtime/debugvars.c -o $@

$(B)/fuzz/dnsmsg: test/fuzz/fuzz_dnsmsg.c runtime/dnsmsg.c runtime/dnsmsg.h
	@mkdir -p $(@D)
	$(FUZZCC) -std=gnu11 -D_GNU_SOURCE -Iruntime -O1 -g $(WARN) -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined test/fuzz/fuzz_dnsmsg.c runtime/dnsmsg.c -o $@

fuzz-short: $(B)/fuzz/startup $(B)/fuzz/gortdump $(B)/fuzz/dnsmsg $(GD_SEEDS)
	@echo "== fuzz-short: startup parsers, 10 s"
	@sh test/fuzz/run.sh $(B)/fuzz/startup 10 test/fuzz/seeds
	@echo "== fuzz-short: gortdump ELF reader, 10 s"
	@sh test/fuzz/run.sh $(B)/fuzz/gortdump 10 $(GD_IN)/seed
	@echo "== fuzz-short: DNS answer reader, 10 s"
	@sh test/fuzz/run.sh $(B)/fuzz/dnsmsg 10 test/fuzz/seeds-dns
fuzz: $(B)/fuzz/startup $(B)/fuzz/gortdump $(B)/fuzz/dnsmsg $(GD_SEEDS)
	sh test/fuzz/run.sh $(B)/fuzz/startup $(FUZZTIME) test/fuzz/seeds
	sh test/fuzz/run.sh $(B)/fuzz/gortdump $(FUZZTIME) $(GD_IN)/seed
	sh test/fuzz/run.sh $(B)/fuzz/dnsmsg $(FUZZTIME) test/fuzz/seeds-dns
.PHONY: fuzz fuzz-short
