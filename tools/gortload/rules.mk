# tools/gortload/rules.mk: gortload, the user-space program loader.
#
# Built as a musl static-PIE, because where the loader sits and what it
# leaves behind matter here:
#  - a static-PIE without PT_INTERP is placed by the kernel in the mmap area
#    at a random address, out of the way of non-PIE programs (0x400000) and
#    of PIE programs (ELF_ET_DYN_BASE + random), which gortload places where
#    the kernel would;
#  - musl allocates nothing behind our back: gortload calls no malloc, so it
#    has no heap, and (unlike glibc 2.35+) musl registers no rseq area that
#    the kernel would go on writing to after the jump.
# Debian's musl-gcc has no -static-pie: we name musl's rcrt1.o (which
# relocates the program before main) and tell the linker, as tools/gortcc
# does. The musl library directory is the one musl-gcc's specs name.
GORTLOAD_MUSLLIB = $(or $(shell $(MUSLCC) -v 2>&1 | sed -n 's|^Reading specs from \(.*\)/musl-gcc\.specs$$|\1|p'),/usr/lib/x86_64-linux-musl)
GORTLOAD_LDFLAGS = -nostartfiles -Wl,-static,-pie,--no-dynamic-linker,-z,text,-z,noexecstack \
  $(GORTLOAD_MUSLLIB)/rcrt1.o $(GORTLOAD_MUSLLIB)/crti.o
GORTLOAD_LDEND   = $(GORTLOAD_MUSLLIB)/crtn.o

TOOLS += $(B)/gortload
INSTALL_TOOLS += install -m 755 $(B)/gortload $(DESTDIR)$(PREFIX)/bin/gortload;

$(B)/gortload: $(wildcard tools/gortload/*.c tools/gortload/*.h)
	@mkdir -p $(@D)
	$(MUSLCC) -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -fPIE -fno-stack-protector \
	  $(GORTLOAD_LDFLAGS) $(filter %.c,$^) $(GORTLOAD_LDEND) -o $@
