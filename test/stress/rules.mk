# test/stress/rules.mk: the stress test (test/stress/stress.c): concurrent
# fork, vfork/posix_spawn/popen/system, gort_gomaxprocs, descriptor
# exhaustion and a signal storm from another process, beside a
# self-checking workload, then checks that nothing was lost (issue #20).
#   make stress        STRESSTIME seconds per run (default 60): GOMAXPROCS 1,
#                      2, 8 with the musl and glibc builds, then the musl
#                      build under `ulimit -v` (4 GiB of address space):
#                      about 7 minutes, not in CI
#   make stress-short  5 s musl at GOMAXPROCS 2, 5 s glibc at GOMAXPROCS 1
#                      (make test runs it)
STRESSTIME ?= 60
$(B)/test/stress/musl: test/stress/stress.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc -O2 -g $(WARN) $< -o $@
$(B)/test/stress/glibc: test/stress/stress.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-libc=glibc -O2 -g $(WARN) $< -o $@
stress: $(B)/test/stress/musl $(B)/test/stress/glibc
	@for p in 1 2 8; do for v in musl glibc; do \
	  echo "== stress $$v GOMAXPROCS=$$p $(STRESSTIME) s"; \
	  GOMAXPROCS=$$p timeout $$(( $(STRESSTIME) * 3 + 90 )) $(B)/test/stress/$$v $(STRESSTIME) || exit 1; \
	done; done; \
	echo "== stress musl GOMAXPROCS=2 ulimit -v 4194304 $(STRESSTIME) s"; \
	GOMAXPROCS=2 timeout $$(( $(STRESSTIME) * 3 + 90 )) sh -c 'ulimit -v 4194304 && exec $(B)/test/stress/musl $(STRESSTIME)'
stress-short: $(B)/test/stress/musl $(B)/test/stress/glibc
	@echo "== stress musl GOMAXPROCS=2 5 s"; GOMAXPROCS=2 timeout 120 $(B)/test/stress/musl 5 && \
	echo "== stress glibc GOMAXPROCS=1 5 s"; GOMAXPROCS=1 timeout 120 $(B)/test/stress/glibc 5
.PHONY: stress stress-short
