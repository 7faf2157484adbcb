# tools/gortdump/rules.mk: gortdump, the ELF reader for gort programs
# (README.md, "gortdump"). Built with the system compiler against
# elfutils' libelf; runtime/inittask.c is linked in so that the order it
# prints is the runtime's own.
GORTDUMP_SRCS := $(filter-out tools/gortdump/main.c,$(wildcard tools/gortdump/*.c)) runtime/inittask.c
GORTDUMP_HDRS := $(wildcard tools/gortdump/*.h) runtime/runtime.h include/gort.h
GORTDUMP_FLAGS := -std=gnu11 -D_GNU_SOURCE -Itools/gortdump -Iruntime -Iinclude

$(B)/gortdump: tools/gortdump/main.c $(GORTDUMP_SRCS) $(GORTDUMP_HDRS)
	@mkdir -p $(@D)
	$(GLIBCCC) $(GORTDUMP_FLAGS) -O2 -g $(WARN) tools/gortdump/main.c $(GORTDUMP_SRCS) -o $@ -lelf

TOOLS += $(B)/gortdump
INSTALL_TOOLS += install -m 755 $(B)/gortdump $(DESTDIR)$(PREFIX)/bin/gortdump;
