# bench/http: HTTP/1.1 keep-alive, a goroutine per connection through the
# hooks (server.c), against Go's net/http, loaded by wrk (issue #18).
BENCHES += bench/http/run.sh
BENCH_BINS += $(BB)/http_server
$(BB)/http_server: bench/http/server.c $(LIBS) tools/gortcc
	@mkdir -p $(@D)
	$(BENCH_GORTCC) $(BENCHCFLAGS) $< -o $@
