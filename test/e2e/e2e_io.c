/* e2e_io.c: goroutine-aware I/O (test/e2e/progs/io.c) in every build, and
 * the examples that double as end-to-end tests: the TCP echo server with
 * 1,000 concurrent clients, and the prime sieve pipeline. */
#include "run.h"

static const char *const procs[] = {"GOMAXPROCS=1", "GOMAXPROCS=2", "GOMAXPROCS=8"};

Test(io, thousand_pipe_readers_park_without_threads)
{
	/* 1,000 goroutines blocked in gort_read on their own pipes, fed 100
	 * rounds by one writer: every byte arrives, and parked readers cost
	 * no thread (fewer than 20 in the process at any point). */
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int p = 0; p < 2; p++) {
			const char *env[] = {procs[p], NULL};
			struct result r = runE(env, bin(gort_variants[v], "io"), "pipes");
			cr_assert(r.exited && r.code == 0, "%s %s: %d %s", gort_variants[v], procs[p], r.code, r.err);
			cr_assert_str_eq(r.out, "bytes=1000000 threads<20=1\n", "%s %s", gort_variants[v], procs[p]);
		}
}

Test(io, libc_semantics_on_pipes_and_files)
{
	/* O_NONBLOCK stays the user's (EAGAIN, flags untouched after a park),
	 * deadlines give ETIMEDOUT no earlier than asked, gort_poll times out
	 * and reports readiness, gort_close wakes a parked reader with EBADF,
	 * EOF, a regular file (read under entersyscall), EPIPE, a 1 MiB write
	 * to a blocking pipe completes whole, ECONNREFUSED. */
	const char *want =
		"nonblock: n=-1 eagain=1\n"
		"parked read: n=4 late flags_untouched=1\n"
		"deadline: n=-1 etimedout=1 waited>=2ms=1\n"
		"poll timeout=0\n"
		"poll ready=1\n"
		"closed while waiting: n=-1 ebadf=1\n"
		"eof: n=0\n"
		"file: n=4 elf=1\n"
		"epipe: n=-1 epipe=1\n"
		"bigwrite: n=1048576 read=1048576\n"
		"connect: r=-1 econnrefused=1\n";
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int p = 0; p < 3; p++) {
			const char *env[] = {procs[p], NULL};
			struct result r = runE(env, bin(gort_variants[v], "io"), "semantics");
			cr_assert(r.exited && r.code == 0, "%s %s: %d %s", gort_variants[v], procs[p], r.code, r.err);
			cr_assert_str_eq(r.out, want, "%s %s", gort_variants[v], procs[p]);
		}
}

Test(io, sockets_tcp_udp_vectors_and_deadlines)
{
	const char *want =
		"accept deadline: r=-1 etimedout=1 waited>=2ms=1\n"
		"tcp: connect=0 sent=5 echoed=hello\n"
		"readv: n=6 first=ab second=cdef\n"
		"recv after peer close: n=0\n"
		"recv deadline: n=-1 etimedout=1\n"
		"send deadline: n=-1 etimedout=1 some_sent=1\n"
		"udp: n=8 datagram from_loopback=1\n";
	for (size_t v = 0; v < NVARIANTS; v++)
		for (int p = 0; p < 3; p++) {
			const char *env[] = {procs[p], NULL};
			struct result r = runE(env, bin(gort_variants[v], "io"), "sockets");
			cr_assert(r.exited && r.code == 0, "%s %s: %d %s", gort_variants[v], procs[p], r.code, r.err);
			cr_assert_str_eq(r.out, want, "%s %s", gort_variants[v], procs[p]);
		}
}

/* echo_run starts examples/echo on a free loopback port, runs echoclient
 * against it with the given arguments, stops the server, and returns the
 * client's result. */
static struct result echo_run(const char *procs_, const char *args)
{
	return shell("set -e; d=$(mktemp -d); trap 'kill $s 2>/dev/null; rm -rf $d' EXIT; "
		     "%s %s/examples/echo > $d/out & s=$!; "
		     "i=0; until grep -q listening $d/out; do i=$((i+1)); [ $i -lt 500 ] || exit 9; sleep 0.01; done; "
		     "port=$(sed -n 's/.*127.0.0.1://p' $d/out); "
		     "%s %s/examples/echoclient 127.0.0.1 $port %s",
		     procs_, BUILD_DIR, procs_, BUILD_DIR, args);
}

Test(examples, echo_thousand_clients_every_byte)
{
	/* 1,000 clients at once, 100 KB each in random-sized writes from one
	 * goroutine while another reads: every byte checked. */
	for (int p = 0; p < 2; p++) {
		struct result r = echo_run(procs[p], "1000 100000");
		cr_assert(r.exited && r.code == 0, "%s: %d %s%s", procs[p], r.code, r.out, r.err);
		cr_assert_str_eq(r.out, "clients=1000 ok=1000 failures=0 bytes_each=100000\n", "%s", procs[p]);
	}
}

Test(examples, echo_request_response)
{
	struct result r = echo_run("GOMAXPROCS=2", "100 64 200");
	cr_assert(r.exited && r.code == 0, "%d %s%s", r.code, r.out, r.err);
	assert_contains(r.out, "clients=100 roundtrips=20000 failures=0 rate=");
}

Test(examples, prime_sieve_pipeline)
{
	/* The first 100 primes, from a chain of 100 filter goroutines. */
	char want[1024] = "";
	int found = 0;
	for (int n = 2; found < 100; n++) {
		int prime = 1;
		for (int d = 2; d * d <= n; d++)
			if (n % d == 0) prime = 0;
		if (prime) {
			char w[16];
			snprintf(w, sizeof w, "%d%c", n, ++found == 100 ? '\n' : ' ');
			strcat(want, w);
		}
	}
	for (int p = 0; p < 3; p++) {
		const char *env[] = {procs[p], NULL};
		struct result r = runE(env, BUILD_DIR "/examples/sieve");
		cr_assert(r.exited && r.code == 0, "%s: %d %s", procs[p], r.code, r.err);
		cr_assert_str_eq(r.out, want, "%s", procs[p]);
		r = runE(env, BUILD_DIR "/examples/sieve", "1000");
		cr_assert(r.exited && r.code == 0);
		cr_assert(strstr(r.out, " 7919\n") != NULL, "the 1000th prime is 7919: %s", r.out + r.outlen - 20);
	}
}
