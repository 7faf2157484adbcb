# bench/echo: the examples/echo server under load from examples/echoclient,
# against the same server written in Go.
BENCHES += bench/echo/run.sh
BENCH_BINS += $(EX)/echo $(EX)/echoclient
