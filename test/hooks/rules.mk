# test/hooks/rules.mk: the libc call hooks (hooks/), tested in every build.
#   calls      every hooked call: parks only the goroutine; the libc's semantics
#   unchanged  1,000 goroutines of plain C (read, usleep) at GOMAXPROCS=1
#   libuser    a static library that blocks inside, linked before and after -lgort
#   files      cold reads, pread, fsync of regular files from 300 goroutines
#   lookups    getaddrinfo and gethostbyname* from 200 goroutines against dnsd
#   stdio      fgets, getline, fread, printf, fwrite on pipes, sockets, stdin
#   lookupcmp  (glibc, mdyn) every lookup form, printed: gort's resolver against the libc's
# Builds: musl (gortcc), plain (musl-gcc -static -nostartfiles -lgort), mdyn
# (musl dynamic), glibc (gcc -nostartfiles -lgort, dynamic), spie (musl
# static-PIE), fortify (glibc with -D_FORTIFY_SOURCE=2: the __*_chk forms);
# nohooks (gortcc --gort-nohooks) is the control.
HK        := $(B)/test/hooks
HK_CFLAGS := -O2 -g -Wall -Wextra -Werror
HK_VARS   := musl plain mdyn glibc spie fortify

# how each build compiles and links (1: sources and objects)
hk_link_musl  = tools/gortcc $(HK_CFLAGS) $(1) -lpthread
hk_link_plain = $(MUSLCC) -static -nostartfiles $(HK_CFLAGS) -Iinclude $(1) -L$(B) -lgort
hk_link_mdyn  = tools/gortcc --gort-dynamic $(HK_CFLAGS) $(1)
hk_link_glibc = $(GLIBCCC) -nostartfiles $(HK_CFLAGS) -Iinclude $(1) -L$(B)/glibc -lgort -lpthread
hk_link_spie  = tools/gortcc -static-pie $(HK_CFLAGS) $(1)
# glibc with _FORTIFY_SOURCE: read becomes __read_chk, recv __recv_chk...
hk_link_fortify = $(GLIBCCC) -D_FORTIFY_SOURCE=2 -Wno-unused-result -nostartfiles $(HK_CFLAGS) -Iinclude $(1) -L$(B)/glibc -lgort -lpthread
hk_cc_glibc   = $(GLIBCCC)
hk_cc         = $(if $(filter glibc fortify,$(1)),$(GLIBCCC),$(MUSLCC))

# Plain C compiled by the plain compiler: no gort.h, no gortcc.
$(HK)/%/unchanged_work.o: test/hooks/progs/unchanged_work.c
	@mkdir -p $(@D)
	$(call hk_cc,$*) $(HK_CFLAGS) -fPIE -c $< -o $@
$(HK)/musl-lib/libblocking.a: test/hooks/progs/blocking_lib.c
	@mkdir -p $(@D)
	$(MUSLCC) $(HK_CFLAGS) -fPIE -c $< -o $(@D)/blocking_lib.o
	rm -f $@; $(AR) rcs $@ $(@D)/blocking_lib.o
$(HK)/glibc-lib/libblocking.a: test/hooks/progs/blocking_lib.c
	@mkdir -p $(@D)
	$(GLIBCCC) $(HK_CFLAGS) -fPIE -c $< -o $(@D)/blocking_lib.o
	rm -f $@; $(AR) rcs $@ $(@D)/blocking_lib.o

define hk_variant
$(HK)/$(1)/calls: test/hooks/progs/calls.c $(GORTLIBS) tools/gortcc
	@mkdir -p $$(@D)
	$$(call hk_link_$(1),$$<) -o $$@
$(HK)/$(1)/lookups: test/hooks/progs/lookups.c test/hooks/progs/threads.h $(GORTLIBS) tools/gortcc
	@mkdir -p $$(@D)
	$$(call hk_link_$(1),$$<) -o $$@
$(HK)/$(1)/stdio: test/hooks/progs/stdio.c test/hooks/progs/threads.h $(GORTLIBS) tools/gortcc
	@mkdir -p $$(@D)
	$$(call hk_link_$(1),$$<) -o $$@
$(HK)/$(1)/files: test/hooks/progs/files.c test/hooks/progs/threads.h $(GORTLIBS) tools/gortcc
	@mkdir -p $$(@D)
	$$(call hk_link_$(1),$$<) -o $$@
$(HK)/$(1)/unchanged: test/hooks/progs/unchanged_main.c $(HK)/$(1)/unchanged_work.o $(GORTLIBS) tools/gortcc
	@mkdir -p $$(@D)
	$$(call hk_link_$(1),$$< $(HK)/$(1)/unchanged_work.o) -o $$@
endef
$(foreach v,$(HK_VARS),$(eval $(call hk_variant,$(v))))

$(HK)/nohooks/calls: test/hooks/progs/calls.c $(GORTLIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-nohooks $(HK_CFLAGS) $< -o $@ -lpthread
$(HK)/nohooks/stdio: test/hooks/progs/stdio.c test/hooks/progs/threads.h $(GORTLIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-nohooks $(HK_CFLAGS) $< -o $@ -lpthread

# The library before and after -lgort on the command line.
HK_MLIB := $(HK)/musl-lib/libblocking.a
HK_GLIB := $(HK)/glibc-lib/libblocking.a
HK_USER := test/hooks/progs/libuser.c
$(HK)/libuser/gortcc: $(HK_USER) $(HK_MLIB) $(GORTLIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc $(HK_CFLAGS) $(HK_USER) $(HK_MLIB) -o $@
$(HK)/libuser/gortcc-dynamic: $(HK_USER) $(HK_MLIB) $(GORTLIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-dynamic $(HK_CFLAGS) $(HK_USER) $(HK_MLIB) -o $@
$(HK)/libuser/plain-before: $(HK_USER) $(HK_MLIB) $(GORTLIBS)
	@mkdir -p $(@D)
	$(MUSLCC) -static -nostartfiles $(HK_CFLAGS) -Iinclude $(HK_USER) $(HK_MLIB) -L$(B) -lgort -o $@
$(HK)/libuser/plain-after: $(HK_USER) $(HK_MLIB) $(GORTLIBS)
	@mkdir -p $(@D)
	$(MUSLCC) -static -nostartfiles $(HK_CFLAGS) -Iinclude $(HK_USER) -L$(B) -lgort $(HK_MLIB) -o $@
$(HK)/libuser/glibc-before: $(HK_USER) $(HK_GLIB) $(GORTLIBS)
	@mkdir -p $(@D)
	$(GLIBCCC) -nostartfiles $(HK_CFLAGS) -Iinclude $(HK_USER) $(HK_GLIB) -L$(B)/glibc -lgort -o $@
$(HK)/libuser/glibc-after: $(HK_USER) $(HK_GLIB) $(GORTLIBS)
	@mkdir -p $(@D)
	$(GLIBCCC) -nostartfiles $(HK_CFLAGS) -Iinclude $(HK_USER) -L$(B)/glibc -lgort $(HK_GLIB) -o $@
# ... and as a shared library (the executable's read comes first for it).
$(HK)/%-lib/libblocking.so: test/hooks/progs/blocking_lib.c
	@mkdir -p $(@D)
	$(call hk_cc,$*) $(HK_CFLAGS) -shared -fPIC $< -o $@
$(HK)/libuser/glibc-shared: $(HK_USER) $(HK)/glibc-lib/libblocking.so $(GORTLIBS)
	@mkdir -p $(@D)
	$(GLIBCCC) -nostartfiles $(HK_CFLAGS) -Iinclude $(HK_USER) -L$(B)/glibc -lgort -L$(HK)/glibc-lib -lblocking \
	  -Wl,-rpath,$(abspath $(HK)/glibc-lib) -o $@
$(HK)/libuser/mdyn-shared: $(HK_USER) $(HK)/musl-lib/libblocking.so $(GORTLIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc --gort-dynamic $(HK_CFLAGS) $(HK_USER) -L$(HK)/musl-lib -lblocking \
	  -Wl,-rpath,$(abspath $(HK)/musl-lib) -o $@
HK_LIBUSER := $(addprefix $(HK)/libuser/,gortcc gortcc-dynamic plain-before plain-after glibc-before glibc-after \
                glibc-shared mdyn-shared)

# Every lookup form printed, to compare gort's resolver with the libc's.
$(HK)/glibc/lookupcmp: test/hooks/progs/lookupcmp.c $(GORTLIBS)
	@mkdir -p $(@D)
	$(call hk_link_glibc,$<) -o $@
$(HK)/mdyn/lookupcmp: test/hooks/progs/lookupcmp.c $(GORTLIBS) tools/gortcc
	@mkdir -p $(@D)
	$(call hk_link_mdyn,$<) -o $@

HK_BINS := $(foreach v,$(HK_VARS),$(HK)/$(v)/calls $(HK)/$(v)/unchanged $(HK)/$(v)/files $(HK)/$(v)/lookups \
             $(HK)/$(v)/stdio) $(HK)/nohooks/calls $(HK)/nohooks/stdio $(HK_LIBUSER) $(HK)/dnsd \
           $(HK)/glibc/lookupcmp $(HK)/mdyn/lookupcmp
# The lookup tests' DNS server: plain C.
$(HK)/dnsd: test/hooks/progs/dnsd.c
	@mkdir -p $(@D)
	$(GLIBCCC) $(HK_CFLAGS) $< -o $@

$(B)/test/hooks_suite: test/hooks/t_hooks.c test/e2e/run.h $(HK_BINS)
	@mkdir -p $(@D)
	$(TESTCC) $(TESTCFLAGS) test/hooks/t_hooks.c -o $@ $(TESTLIBS)

TESTS += $(B)/test/hooks_suite

# The long forms of the hooks tests (make test runs the short ones): name
# lookups against a server answering in 10 ms, names no server answers
# (each form waits out its timeout) and musl's slow paths: about 5 minutes.
.PHONY: test-long
test-long: all $(B)/test/hooks_suite
	GORT_TEST_LONG=1 $(B)/test/hooks_suite --jobs=2 --filter='hooks/name_lookups*'
