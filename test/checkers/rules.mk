# test/checkers/rules.mk: gort programs under AddressSanitizer,
# ThreadSanitizer and valgrind (issue #6): the end-to-end programs must be
# clean, and test/checkers/planted.c's planted bugs must be caught.
# Sanitizer builds are glibc (musl has no sanitizer runtimes): the program
# is instrumented, the runtime never is (it runs before the libc, hence
# before any sanitizer runtime, is initialised; checkers.c tells the
# sanitizers about every goroutine switch instead). valgrind runs the musl
# and glibc builds as they are.
CHK       := $(B)/test/checkers
CHK_PROGS := planted chans sched io demo
chk_src    = $(if $(filter planted,$(1)),test/checkers/planted.c,$(if $(filter demo,$(1)),examples/demo/demo.c,test/e2e/progs/$(1).c))
CHK_BINS  := $(foreach s,asan tsan,$(addprefix $(CHK)/$(s)/,$(CHK_PROGS))) $(CHK)/ubsan/planted \
             $(CHK)/musl/planted $(CHK)/glibc/planted

define chk_san
$(CHK)/$(1)/$(2): $(call chk_src,$(2)) $(GORTLIBS)
	@mkdir -p $$(@D)
	$(GLIBCCC) -fsanitize=$(3) -g -O1 -Wall -Wextra -Werror -nostartfiles -Iinclude $$< -L$(B)/glibc -lgort -o $$@
endef
$(foreach p,$(CHK_PROGS),$(eval $(call chk_san,asan,$(p),address)))
$(foreach p,$(CHK_PROGS),$(eval $(call chk_san,tsan,$(p),thread)))
$(eval $(call chk_san,ubsan,planted,undefined))

$(CHK)/musl/planted: test/checkers/planted.c $(GORTLIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc -g -O1 -Wall -Wextra -Werror $< -o $@
$(CHK)/glibc/planted: test/checkers/planted.c $(GORTLIBS)
	@mkdir -p $(@D)
	$(GLIBCCC) -g -O1 -Wall -Wextra -Werror -nostartfiles -Iinclude $< -L$(B)/glibc -lgort -o $@

$(B)/test/checkers_suite: test/checkers/t_checkers.c test/e2e/run.h $(CHK_BINS) $(E2E_BINS)
	@mkdir -p $(@D)
	$(TESTCC) $(TESTCFLAGS) -Itest/e2e test/checkers/t_checkers.c -o $@ $(TESTLIBS)

TESTS += $(B)/test/checkers_suite
# Every workload under every checker (minutes): `make check-tools`.
check-tools: all $(B)/test/checkers_suite
	CHECKERS_FULL=1 $(B)/test/checkers_suite --jobs=2
.PHONY: check-tools
