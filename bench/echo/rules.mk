# bench/echo: the examples/echo server under load from examples/echoclient,
# against the same server written in Go and a hand-written epoll event loop.
BENCHES += bench/echo/run.sh
BENCH_BINS += $(EX)/echo $(EX)/echoclient $(BB)/evloop
# A plain musl program with pthreads: the event loop has no runtime around it.
$(BB)/evloop: bench/echo/evloop.c
	@mkdir -p $(@D)
	$(MUSLCC) -static $(BENCHCFLAGS) $< -o $@ -lpthread
