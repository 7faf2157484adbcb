# test/rules.mk: `make test` builds and runs every Criterion suite listed in
# TESTS (each fragment test/*/rules.mk and tools/*/rules.mk adds its own).
# Criterion suites are built with the system compiler (glibc) and run gort
# programs as child processes.
TESTCC     ?= gcc
TESTCFLAGS := -std=gnu11 -O1 -g $(WARN) -D_GNU_SOURCE -Iinclude -Iruntime \
              -DBUILD_DIR='"$(abspath $(B))"' -DSRC_DIR='"$(abspath .)"'
TESTLIBS   := -lcriterion
TESTS      :=
# What every test program links: its rules depend on these, so that a change
# to the runtime relinks them. Set here, before the fragments are read in
# alphabetical order (test/checkers/rules.mk comes before test/e2e/rules.mk,
# which used to set it: the checkers' programs were never relinked).
GORTLIBS   := $(LIBS)
include $(wildcard test/*/rules.mk)

# After the suites, a short run of every fuzz target (test/fuzz/rules.mk)
# and a short soak (test/soak/rules.mk).
test: all $(TESTS) $(B)/fuzz/startup $(B)/fuzz/gortdump $(B)/fuzz/dnsmsg $(B)/test/soak/musl $(B)/test/stress/musl \
      $(B)/test/stress/glibc
	@fail=0; failed=; for t in $(TESTS); do \
	  echo "== $$t"; $$t --jobs=2 >$$t.log 2>&1; rc=$$?; cat $$t.log; \
	  if [ $$rc != 0 ]; then fail=1; failed="$$failed $$t"; fi; \
	done; \
	$(MAKE) --no-print-directory fuzz-short || { fail=1; failed="$$failed fuzz-short"; }; \
	$(MAKE) --no-print-directory soak-short || { fail=1; failed="$$failed soak-short"; }; \
	$(MAKE) --no-print-directory stress-short || { fail=1; failed="$$failed stress-short"; }; \
	if [ $$fail != 0 ]; then echo "== FAILED:$$failed"; \
	  for t in $$failed; do [ -f $$t.log ] && grep -E -A12 '\[FAIL\]|\[----\].*(Assertion|Test|fail|crash|Crash|signal|Timed)' $$t.log | head -60; done; \
	fi; exit $$fail
