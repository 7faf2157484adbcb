/* sieve: the concurrent prime sieve (the Go classic): a generator goroutine
 * sends 2, 3, 4, ... down a channel; each prime found adds a filter
 * goroutine to the chain that drops its multiples. Prints the first N
 * primes (default 100). */
#include <stdio.h>
#include <stdlib.h>
#include <gort.h>

static void generate(void *arg)
{
	gort_chan *out = arg;
	for (long i = 2;; i++) gort_chan_send(out, &i);
}

struct filter { gort_chan *in, *out; long prime; };

static void filter(void *arg)
{
	struct filter *f = arg;
	long v;
	while (gort_chan_recv(f->in, &v))
		if (v % f->prime) gort_chan_send(f->out, &v);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100;
	gort_chan *ch = gort_chan_make(sizeof(long), 0);
	gort_go(generate, ch);
	for (int i = 0; i < n; i++) {
		long prime;
		gort_chan_recv(ch, &prime);
		printf("%ld%c", prime, i == n - 1 ? '\n' : ' ');
		struct filter *f = malloc(sizeof *f);
		*f = (struct filter){ch, gort_chan_make(sizeof(long), 0), prime};
		gort_go(filter, f);
		ch = f->out;
	}
	return 0;
}
