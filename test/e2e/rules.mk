# test/e2e/rules.mk: end-to-end programs, built every way gort supports,
# and the Criterion suite that runs them (test/e2e/e2e_*.c).
#   musl   tools/gortcc (musl, static; the default)
#   plain  musl-gcc -static -nostartfiles ... -lgort (no wrapper, no -T)
#   mdyn   tools/gortcc --gort-dynamic (musl, dynamic)
#   glibc  gcc -nostartfiles ... -Lbuild/glibc -lgort (glibc, dynamic, PIE)
#   spie   musl static-PIE
#   crt1-musl, crt1-glibc: the same sources with the libc's own crt1 (for
#   the programs that do not use gort's API), to compare behaviour.
E2E        := $(B)/test/e2e
E2E_PROGS  := showargs ctorgo initcycle plain_exit plain_signals plain_deep plain_threads plain_env \
              sched errno_mig chans io forks signals namespace races blocking timeouts selfsym
E2E_PLAIN  := plain_exit plain_signals plain_deep plain_threads plain_env
E2E_VARS   := musl plain mdyn glibc spie
E2E_CFLAGS := -O2 -g -Wall -Wextra -Werror

E2E_BINS := $(foreach v,$(E2E_VARS),$(addprefix $(E2E)/$(v)/,$(E2E_PROGS) inittasks)) \
            $(foreach v,crt1-musl crt1-glibc,$(addprefix $(E2E)/$(v)/,$(E2E_PLAIN)))

e2e_src = $(if $(filter inittasks,$(1)),test/e2e/progs/inittasks_a.c test/e2e/progs/inittasks_b.c,test/e2e/progs/$(1).c)

define e2e_variant
$(E2E)/musl/$(1): $(call e2e_src,$(1)) $(GORTLIBS) tools/gortcc
	@mkdir -p $$(@D)
	tools/gortcc $(E2E_CFLAGS) $(call e2e_src,$(1)) -o $$@ -lpthread
$(E2E)/plain/$(1): $(call e2e_src,$(1)) $(GORTLIBS)
	@mkdir -p $$(@D)
	$(MUSLCC) -static -nostartfiles $(E2E_CFLAGS) -Iinclude $(call e2e_src,$(1)) -L$(B) -lgort -o $$@
$(E2E)/mdyn/$(1): $(call e2e_src,$(1)) $(GORTLIBS) tools/gortcc
	@mkdir -p $$(@D)
	tools/gortcc --gort-dynamic $(E2E_CFLAGS) $(call e2e_src,$(1)) -o $$@
$(E2E)/glibc/$(1): $(call e2e_src,$(1)) $(GORTLIBS)
	@mkdir -p $$(@D)
	$(GLIBCCC) -nostartfiles $(E2E_CFLAGS) -Iinclude $(call e2e_src,$(1)) -L$(B)/glibc -lgort -o $$@
$(E2E)/spie/$(1): $(call e2e_src,$(1)) $(GORTLIBS) tools/gortcc
	@mkdir -p $$(@D)
	tools/gortcc -static-pie $(E2E_CFLAGS) $(call e2e_src,$(1)) -o $$@
endef
$(foreach p,$(E2E_PROGS) inittasks,$(eval $(call e2e_variant,$(p))))

$(E2E)/crt1-musl/%: test/e2e/progs/%.c
	@mkdir -p $(@D)
	$(MUSLCC) -static $(E2E_CFLAGS) $< -o $@
$(E2E)/crt1-glibc/%: test/e2e/progs/%.c
	@mkdir -p $(@D)
	$(GLIBCCC) $(E2E_CFLAGS) $< -o $@ -lpthread

# test/e2e/dropin/ holds sources e2e_dropin.c builds at test time, with the
# commands a user types (gortcc, gortc++, the plain flags).
$(B)/test/e2e_suite: $(wildcard test/e2e/*.c test/e2e/*.h test/e2e/dropin/*) $(E2E_BINS) $(EXAMPLES) \
                     tools/gortc++
	@mkdir -p $(@D)
	$(TESTCC) $(TESTCFLAGS) $(wildcard test/e2e/*.c) -o $@ $(TESTLIBS)

TESTS += $(B)/test/e2e_suite

