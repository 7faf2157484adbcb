# test/unit/rules.mk: unit tests of the runtime's pure pieces (parsers,
# init-task ordering), linked directly against those source files.
UNIT_RT := runtime/debugvars.c runtime/inittask.c runtime/args.c
$(B)/test/unit_suite: $(wildcard test/unit/*.c) $(UNIT_RT) $(RT_HDRS)
	@mkdir -p $(@D)
	$(TESTCC) $(TESTCFLAGS) $(filter %.c,$^) -o $@ $(TESTLIBS)
TESTS += $(B)/test/unit_suite
