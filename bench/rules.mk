# bench/rules.mk: `make bench` (see bench/README in README.md).
BENCHES :=
include $(wildcard bench/*/rules.mk)
bench: all $(BENCHES)
	@for b in $(BENCHES); do $$b || exit 1; done
