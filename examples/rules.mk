# examples/rules.mk: the example programs, built into build/examples/ by
# `make` (they double as end-to-end tests: test/e2e/e2e_io.c runs them).
#   demo      the `make run` demo (examples/demo)
#   echo      TCP echo server, a goroutine per connection (examples/echo)
#   echoclient N concurrent clients that check every echoed byte
#   sieve     the concurrent prime sieve over channels (examples/pipeline)
EX := $(B)/examples
EXAMPLES := $(B)/demo $(EX)/echo $(EX)/echoclient $(EX)/sieve

$(B)/demo: examples/demo/demo.c $(LIBS) tools/gortcc
	tools/gortcc -O2 -g $< -o $@
$(EX)/echo $(EX)/echoclient: $(EX)/%: examples/echo/%.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc -O2 -g $(WARN) $< -o $@
$(EX)/sieve: examples/pipeline/sieve.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	tools/gortcc -O2 -g $(WARN) $< -o $@

examples: $(EXAMPLES)
.PHONY: examples
