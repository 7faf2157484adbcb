# test/gortload/rules.mk: gortload's Criterion suite and the programs it
# loads, in $(B)/test/gortload-progs/<variant>/:
#   musl-static musl-dyn musl-spie               musl-gcc
#   glibc-dyn glibc-nopie glibc-static glibc-spie gcc
#   gort gort-spie gort-mdyn gort-glibc          tools/gortcc (gort's entry)
# The gort variants are built only when tools/gortcc can link: if it
# cannot, the rule says so and leaves no file, and the tests that need one
# are skipped (cr_skip_test) instead of failing. (The libraries are
# prerequisites only once they exist, so this suite builds without them.)
GLP       := $(B)/test/gortload-progs
GL_CFLAGS := -O2 -g -Wall -Wextra -Werror
GL_PLAIN  := musl-static musl-dyn musl-spie glibc-dyn glibc-nopie glibc-static glibc-spie
GL_GORT   := gort gort-spie gort-mdyn gort-glibc
GL_BINS   := $(foreach v,$(GL_PLAIN),$(GLP)/$(v)/showstack) $(GLP)/bigbss $(GLP)/regs
GL_GBINS  := $(foreach v,$(GL_GORT),$(GLP)/$(v)/showstack $(GLP)/$(v)/selfquit)
GL_GDEPS  := $(LIBS) tools/gortcc
GL_SRC    := test/gortload/progs/showstack.c

$(GLP)/musl-static/showstack: $(GL_SRC)
	@mkdir -p $(@D)
	$(MUSLCC) -static $(GL_CFLAGS) $< -o $@
$(GLP)/musl-dyn/showstack: $(GL_SRC)
	@mkdir -p $(@D)
	$(MUSLCC) $(GL_CFLAGS) $< -o $@
$(GLP)/musl-spie/showstack: $(GL_SRC)
	@mkdir -p $(@D)
	$(MUSLCC) $(GL_CFLAGS) -fPIE $(GORTLOAD_LDFLAGS) $< $(GORTLOAD_LDEND) -o $@
$(GLP)/glibc-dyn/showstack: $(GL_SRC)
	@mkdir -p $(@D)
	$(GLIBCCC) $(GL_CFLAGS) -pie -fPIE $< -o $@
$(GLP)/glibc-nopie/showstack: $(GL_SRC)
	@mkdir -p $(@D)
	$(GLIBCCC) $(GL_CFLAGS) -no-pie $< -o $@
$(GLP)/glibc-static/showstack: $(GL_SRC)
	@mkdir -p $(@D)
	$(GLIBCCC) $(GL_CFLAGS) -static $< -o $@
$(GLP)/glibc-spie/showstack: $(GL_SRC)
	@mkdir -p $(@D)
	$(GLIBCCC) $(GL_CFLAGS) -static-pie $< -o $@
# regs has its own _start and no libc: it reads the registers at the entry.
$(GLP)/regs: test/gortload/progs/regs.c
	@mkdir -p $(@D)
	$(GLIBCCC) -static -nostdlib -no-pie -fno-pie -fno-stack-protector $(GL_CFLAGS) $< -o $@
$(GLP)/bigbss: test/gortload/progs/bigbss.c
	@mkdir -p $(@D)
	$(MUSLCC) -static -mcmodel=medium $(GL_CFLAGS) $< -o $@

gl_gortflags = $(if $(filter gort-spie,$(1)),-static-pie,$(if $(filter gort-mdyn,$(1)),--gort-dynamic,$(if $(filter gort-glibc,$(1)),--gort-libc=glibc)))
define gl_gort
$(GLP)/$(1)/showstack: $(GL_SRC) $(wildcard $(GL_GDEPS))
	@mkdir -p $$(@D)
	tools/gortcc $(call gl_gortflags,$(1)) -DSHOWSTACK_GORT $(GL_CFLAGS) $(GL_SRC) -o $$@ || \
	  { echo "test/gortload: tools/gortcc cannot link $(1) yet: its tests will be skipped"; rm -f $$@; }
endef
$(foreach v,$(GL_GORT),$(eval $(call gl_gort,$(v))))

# selfquit (t_symbols.c): a traceback under gortload names the program's
# functions; built the gort ways only, skipped the same way.
define gl_selfquit
$(GLP)/$(1)/selfquit: test/gortload/progs/selfquit.c $(wildcard $(GL_GDEPS))
	@mkdir -p $$(@D)
	tools/gortcc $(call gl_gortflags,$(1)) $(GL_CFLAGS) $$< -o $$@ || \
	  { echo "test/gortload: tools/gortcc cannot link $(1) yet: its tests will be skipped"; rm -f $$@; }
endef
$(foreach v,$(GL_GORT),$(eval $(call gl_selfquit,$(v))))

$(B)/test/gortload: $(wildcard test/gortload/*.c test/gortload/*.h) $(GL_BINS) $(GL_GBINS) $(B)/gortload
	@mkdir -p $(@D)
	$(TESTCC) $(TESTCFLAGS) $(filter %.c,$^) -o $@ $(TESTLIBS)

TESTS += $(B)/test/gortload
