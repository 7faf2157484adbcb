# gort: one Makefile, no recursive make. Overrides go in config.mak.
#
#   make            build/libgort.a (musl), build/glibc/libgort.a, tools
#   make test       every test (unit, end-to-end, tools)
#   make run        build and run the demo program
#   make bench      benchmarks, side by side with Go where Go is installed
#   make soak       long stress runs (not in CI)
#   make stress     hostile conditions at once (test/stress; not in CI)
#   make install PREFIX=/usr/local

PREFIX    ?= /usr/local
MUSLCC    ?= musl-gcc
GLIBCCC   ?= gcc
AR        ?= ar
LD        ?= ld
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Werror
# The runtime: C11 + GNU, frame pointers kept (tracebacks walk them), no
# stack protector (the canary lives in TLS, which does not exist before the
# libc is initialised), PIE-compatible code (the library links into PIE and
# non-PIE executables alike), no jump tables into .rodata that the static-PIE
# self-relocation would have to fix before it runs.
# No sibling calls either: a gort_* call that ends in a jump to the runtime
# would vanish from tracebacks and debuggers' backtraces.
RTFLAGS   := -std=gnu11 $(WARN) -Wmissing-prototypes -Wredundant-decls -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-optimize-sibling-calls \
             -fno-stack-protector -fPIE -ftls-model=local-exec -fno-strict-aliasing \
             -fvisibility=hidden -D_GNU_SOURCE
-include config.mak
# valgrind's client-request header (checkers.c), by absolute path: musl-gcc
# searches only musl's include directory. Without it, no valgrind support.
# Tested when each file compiles (by the shell): on a fresh machine the header
# arrives with tools/install-deps.sh, after this Makefile was read.
VALGRIND_H ?= /usr/include/valgrind/valgrind.h
RTFLAGS   += $$(test -f $(VALGRIND_H) && echo "-DGORT_VALGRIND_H=\"$(VALGRIND_H)\"")

B         := build
RT_SRCS   := $(wildcard runtime/*.c)
RT_ASMS   := $(wildcard runtime/*.S) crt/rt0_linux_amd64.S
RT_HDRS   := $(wildcard runtime/*.h) include/gort.h

MUSL_OBJS  := $(patsubst %,$(B)/musl/%.o,$(basename $(RT_SRCS) $(RT_ASMS)))
GLIBC_OBJS := $(patsubst %,$(B)/glibc/%.o,$(basename $(RT_SRCS) $(RT_ASMS)))
# The libc call hooks (hooks/): their own archive, so that a program linked
# with -lgort_nohooks (gortcc --gort-nohooks) has none of them.
HOOK_SRCS  := $(wildcard hooks/*.c)
MUSL_HOOKS := $(patsubst %.c,$(B)/musl/%.o,$(HOOK_SRCS))
GLIBC_HOOKS := $(patsubst %.c,$(B)/glibc/%.o,$(HOOK_SRCS))

LIBS := $(B)/libgort.a $(B)/libgort_rt.a $(B)/libgort_hooks.a $(B)/libgort_nohooks.a $(B)/libgort_dynhooks.a \
        $(B)/glibc/libgort.a $(B)/glibc/libgort_rt.a $(B)/glibc/libgort_hooks.a \
        $(B)/glibc/libgort_nohooks.a $(B)/gort.ld

all: $(B)/.deps-ok $(LIBS) tools examples
.PHONY: all test run bench soak stress install clean deps tools check-e2e

# Missing Debian packages are installed by the project's own script, before
# any rule runs: the stamp is an (empty) included makefile, and make remakes
# included makefiles first, then reads everything again. An order-only
# `| $(B)/.deps-ok` on each rule did not hold: with -j2 on a fresh machine
# the rules that lacked it (build/gortdump, the test suites, the fuzzers...)
# compiled before libelf-dev or Criterion arrived. (Not for clean and deps.)
$(B)/.deps-ok: tools/install-deps.sh
	@mkdir -p $(B)
	@sh tools/install-deps.sh
	@touch $@
ifeq ($(filter clean deps,$(MAKECMDGOALS)),)
include $(B)/.deps-ok
endif
deps:
	@sh tools/install-deps.sh

# Objects depend on this Makefile too: its flags shape the code.
# Runtime code goes to its own section, gort_text (ld brackets it with
# __start_gort_text/__stop_gort_text): tracebacks hide runtime frames and
# preemption never stops a goroutine there. Each function is compiled into
# a section of its own, and the `ld -r` that makes gort_rt.o (below) joins
# them into gort_text in the order ldscripts/gort_rt.ld gives: the code a
# program runs from its entry to its exit first (bench/startup). No
# reordering or hot/cold splitting by the compiler: the script decides.
RTTEXT := -ffunction-sections -fno-reorder-functions -fno-reorder-blocks-and-partition

# Hooks stay in .text: a goroutine blocked in read shows `read` in its
# traceback, as the program's own call.
$(B)/musl/hooks/%.o: hooks/%.c $(RT_HDRS) Makefile | $(B)/.deps-ok
	@mkdir -p $(@D)
	$(MUSLCC) $(CFLAGS) $(RTFLAGS) -c $< -o $@
$(B)/glibc/hooks/%.o: hooks/%.c $(RT_HDRS) Makefile | $(B)/.deps-ok
	@mkdir -p $(@D)
	$(GLIBCCC) $(CFLAGS) $(RTFLAGS) -DGORT_GLIBC -c $< -o $@
$(B)/musl/%.o: %.c $(RT_HDRS) Makefile | $(B)/.deps-ok
	@mkdir -p $(@D)
	$(MUSLCC) $(CFLAGS) $(RTFLAGS) $(RTTEXT) -c $< -o $@
$(B)/musl/%.o: %.S runtime/gobuf.h Makefile | $(B)/.deps-ok
	@mkdir -p $(@D)
	$(MUSLCC) $(CFLAGS) -fPIE -c $< -o $@
$(B)/glibc/%.o: %.c $(RT_HDRS) Makefile | $(B)/.deps-ok
	@mkdir -p $(@D)
	$(GLIBCCC) $(CFLAGS) $(RTFLAGS) $(RTTEXT) -DGORT_GLIBC -c $< -o $@
$(B)/glibc/%.o: %.S runtime/gobuf.h Makefile | $(B)/.deps-ok
	@mkdir -p $(@D)
	$(GLIBCCC) $(CFLAGS) -fPIE -c $< -o $@

# Only the API is global (issue #14). libgort_rt.a holds one relocatable
# object: ld -r joins the runtime's objects, and objcopy keeps global only
# the names ldscripts/gort.syms allows (gort_*, the entry, __dso_handle);
# every other name becomes LOCAL. A program's own `debug`, `lock` or `check`
# then meets nothing in the runtime, while debuggers, gortdump and
# tracebacks still find rt0_go, schedinit... by name in the symbol table.
# The hooks (libgort_hooks.a) stay one object per file: a hook is linked only
# where nothing before it defined the name (a sanitizer's interceptor), and
# they define nothing but libc names; what they call in the runtime is
# gort_hook_* (runtime/iohooks.h).
$(B)/musl/gort_rt.o: $(MUSL_OBJS) ldscripts/gort.syms ldscripts/gort_rt.ld
$(B)/glibc/gort_rt.o: $(GLIBC_OBJS) ldscripts/gort.syms ldscripts/gort_rt.ld
$(B)/musl/gort_rt.o $(B)/glibc/gort_rt.o:
	@rm -f $@ $@.r
	$(LD) -r -T ldscripts/gort_rt.ld -o $@.r $(filter %.o,$^)
	objcopy --wildcard --keep-global-symbols=ldscripts/gort.syms $@.r $@
	@rm -f $@.r

# libgort_dynhooks.a: the musl build's hooks that only a dynamic program
# can have: the name lookups (hooks/resolv.c), which call the libc's own
# function through dlsym(RTLD_NEXT); in a static program they would replace
# musl's resolver, which needs none. gortcc --gort-dynamic links it.
# Also the FILE openers (hooks/stdio.c), which point the FILEs libc.so
# returns at the runtime's read and write functions.
$(B)/musl/dynhooks/%.o: hooks/%.c $(RT_HDRS) Makefile | $(B)/.deps-ok
	@mkdir -p $(@D)
	$(MUSLCC) $(CFLAGS) $(RTFLAGS) -DGORT_DYNHOOKS -c $< -o $@
ARCHIVES := $(B)/libgort_rt.a $(B)/glibc/libgort_rt.a $(B)/libgort_hooks.a $(B)/glibc/libgort_hooks.a \
            $(B)/libgort_dynhooks.a
$(B)/libgort_dynhooks.a: $(B)/musl/dynhooks/resolv.o $(B)/musl/dynhooks/stdio.o
$(B)/libgort_rt.a: $(B)/musl/gort_rt.o
$(B)/glibc/libgort_rt.a: $(B)/glibc/gort_rt.o
$(B)/libgort_hooks.a: $(MUSL_HOOKS)
$(B)/glibc/libgort_hooks.a: $(GLIBC_HOOKS)
$(ARCHIVES):
	@rm -f $@
	$(AR) rcs $@ $^
# Each libc's scripts end with its link-time checks (ldscripts/libcheck-*.ld:
# wrong libc, static glibc refused in one line).
libcheck = sed -e '/@LIBCCHECK@/{r ldscripts/libcheck-$(1).ld' -e 'd}' $< > $@
$(B)/libgort_nohooks.a: ldscripts/libgort_nohooks.a.in ldscripts/libcheck-musl.ld
	@mkdir -p $(@D)
	$(call libcheck,musl)
$(B)/glibc/libgort_nohooks.a: ldscripts/libgort_nohooks.a.in ldscripts/libcheck-glibc.ld
	@mkdir -p $(@D)
	$(call libcheck,glibc)
# libgort.a is an implicit linker script (as glibc's libc.so is): it sets the
# entry point and pulls in the real archive, so plain `-nostartfiles -lgort`
# links a gort program with no -T and no wrapper.
$(B)/libgort.a: ldscripts/libgort.a.in ldscripts/libcheck-musl.ld
	@mkdir -p $(@D)
	$(call libcheck,musl)
$(B)/glibc/libgort.a: ldscripts/libgort.a.in ldscripts/libcheck-glibc.ld
	@mkdir -p $(@D)
	$(call libcheck,glibc)
$(B)/gort.ld: ldscripts/gort.ld
	cp $< $@

include tools/rules.mk
include examples/rules.mk
include test/rules.mk
include bench/rules.mk

run: all $(B)/demo
	$(B)/demo

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/lib/gort/glibc $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/share/gort
	install -m 644 include/gort.h $(DESTDIR)$(PREFIX)/include/gort.h
	install -d $(DESTDIR)$(PREFIX)/include/gort
	install -m 644 include/gort/errno.h $(DESTDIR)$(PREFIX)/include/gort/errno.h
	install -m 644 $(B)/libgort.a $(B)/libgort_rt.a $(B)/libgort_hooks.a $(B)/libgort_nohooks.a $(B)/libgort_dynhooks.a \
	  $(B)/gort.ld $(DESTDIR)$(PREFIX)/lib/gort/
	install -m 644 $(B)/glibc/libgort.a $(B)/glibc/libgort_rt.a $(B)/glibc/libgort_hooks.a \
	  $(B)/glibc/libgort_nohooks.a $(DESTDIR)$(PREFIX)/lib/gort/glibc/
	install -m 755 tools/gortcc $(DESTDIR)$(PREFIX)/bin/gortcc
	install -m 755 tools/gortc++ $(DESTDIR)$(PREFIX)/bin/gortc++
	$(INSTALL_TOOLS)
	sed -e 's|@PREFIX@|$(PREFIX)|' tools/gort.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/gort.pc
	sed -e 's|@PREFIX@|$(PREFIX)|' tools/gort-glibc.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/gort-glibc.pc

clean:
	rm -rf $(B)
