# test/soak/rules.mk: the soak test (test/soak/soak.c): spawn, channel,
# timer and I/O storms at once for a fixed time, then checks that every
# message and byte arrived once, RSS stayed within 3x its warm-up value and
# no thread leaked.
#   make soak        60 s per run (SOAKTIME=seconds), GOMAXPROCS 1, 2, 8,
#                    musl and glibc builds: about 6 minutes, not in CI
#   make soak-short  3 s per run, GOMAXPROCS 1, 2, 8, musl (make test runs it)
SOAKTIME ?= 60
$(B)/test/soak/musl: test/soak/soak.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc -O2 -g $(WARN) $< -o $@
$(B)/test/soak/glibc: test/soak/soak.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-libc=glibc -O2 -g $(WARN) $< -o $@
soak_run = for p in 1 2 8; do for v in $(2); do \
	  echo "== soak $$v GOMAXPROCS=$$p $(1) s"; \
	  GOMAXPROCS=$$p timeout $$(( $(1) * 3 + 60 )) $(B)/test/soak/$$v $(1) || exit 1; \
	done; done
soak: $(B)/test/soak/musl $(B)/test/soak/glibc
	@$(call soak_run,$(SOAKTIME),musl glibc)
soak-short: $(B)/test/soak/musl
	@$(call soak_run,3,musl)
.PHONY: soak soak-short
