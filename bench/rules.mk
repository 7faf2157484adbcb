# bench/rules.mk: `make bench` and `make bench-short` (see bench/README.md).
# Each bench/<name>/rules.mk adds its driver to BENCHES (run in sequence,
# `--short` for bench-short) and what the driver runs to BENCH_BINS. The
# drivers build the Go programs themselves when `go` is installed.
BENCHES :=
BENCH_BINS :=
BB := $(B)/bench
BENCHCFLAGS := -std=gnu11 -O2 $(WARN)
BENCH_GORTCC = GORT_CC=$(MUSLCC) tools/gortcc
BENCH_GORTCC_GLIBC = GORT_CC=$(GLIBCCC) tools/gortcc --gort-libc=glibc
include $(wildcard bench/*/rules.mk)
# Run order: the issue's order, the memory-hungry idle last (a freshly freed
# 4 GiB makes the next processes start slower on this VM); any other after.
BENCH_ORDER := startup spawn yield fib pingpong mpmc sleepers pipeio pipeecho echo hooks idle
BENCHES := $(foreach n,$(BENCH_ORDER),$(filter bench/$(n)/%,$(BENCHES))) \
           $(filter-out $(foreach n,$(BENCH_ORDER),bench/$(n)/%),$(BENCHES))
.PHONY: bench-short
# The machine and its load, printed first: the figures depend on both.
BENCH_HEADER = echo "== bench$(1): $$(date -u +%F), $$(nproc) CPUs, $$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), load average $$(cut -d' ' -f1-3 /proc/loadavg)"
bench: all $(BENCH_BINS) $(BENCHES)
	@$(call BENCH_HEADER)
	@for b in $(BENCHES); do BENCH_BIN=$(abspath $(BB)) $$b || exit 1; done
bench-short: all $(BENCH_BINS) $(BENCHES)
	@$(call BENCH_HEADER,-short (sizes reduced: proves the benchmarks run; figures are rough))
	@for b in $(BENCHES); do BENCH_BIN=$(abspath $(BB)) $$b --short || exit 1; done
