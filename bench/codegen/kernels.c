/* kernels.c: what gortcc's code-generation flags cost a program's own code.
 * gortcc adds -fno-omit-frame-pointer -fno-optimize-sibling-calls to every
 * file (tracebacks, the CPU profiler and debuggers walk frame pointers);
 * this file is built twice, with them (codegen_fp) and without
 * (codegen_nofp: the same gortcc line ending in -fomit-frame-pointer
 * -foptimize-sibling-calls), and run interleaved by run.sh. Five kernels
 * of the kinds real programs spend time in:
 *   fib     recursive calls (prologue/epilogue bound: the worst case)
 *   qsort   the libc's qsort calling a comparator ~5 M times
 *   sha256  a register-hungry block function over 32 MiB (FP takes a register)
 *   lz      an LZ77 compressor with hash chains over 8 MiB of text (branchy)
 *   tree    inserts and lookups in an unbalanced binary search tree (recursion,
 *           pointer chasing)
 * Prints `codegen fib_ns=... qsort_ns=... sha_ns=... lz_ns=... tree_ns=...
 * check=...`; check is the same for both builds (the results are used). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t xorshift(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

__attribute__((noinline)) static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

__attribute__((noinline)) static void sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

/* lz: greedy LZ77 with a 64 Ki-entry hash of 4-byte prefixes and chains of
 * up to 16 candidates in a 64 KiB window; returns the output size. */
__attribute__((noinline)) static size_t lz(const uint8_t *in, size_t n, int32_t *head, int32_t *prev)
{
	memset(head, -1, 65536 * sizeof *head);
	size_t out = 0, i = 0;
	while (i + 4 <= n) {
		uint32_t v;
		memcpy(&v, in + i, 4);
		uint32_t hsh = (v * 2654435761u) >> 16;
		int32_t cand = head[hsh];
		size_t best = 0, bestoff = 0;
		for (int k = 0; k < 16 && cand >= 0 && i - (size_t)cand < 65536; k++) {
			size_t l = 0;
			while (i + l < n && l < 258 && in[cand + l] == in[i + l]) l++;
			if (l > best) best = l, bestoff = i - (size_t)cand;
			cand = prev[cand & 65535];
		}
		prev[i & 65535] = head[hsh];
		head[hsh] = (int32_t)i;
		if (best >= 4) out += 3, i += best;
		else out += 1, i += 1;
		(void)bestoff;
	}
	return out + (n - i);
}

struct node { uint64_t key; struct node *l, *r; };
__attribute__((noinline)) static struct node *insert(struct node *t, struct node *n)
{
	if (!t) return n;
	if (n->key < t->key) t->l = insert(t->l, n);
	else t->r = insert(t->r, n);
	return t;
}
__attribute__((noinline)) static int find(const struct node *t, uint64_t key)
{
	if (!t) return 0;
	if (key == t->key) return 1;
	return find(key < t->key ? t->l : t->r, key);
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1; /* 1 normal, 0 short */
	uint64_t check = 0;
	int64_t t;

	t = now();
	check += (uint64_t)fib(scale ? 35 : 24);
	int64_t fib_ns = now() - t;

	size_t nq = scale ? (1u << 18) : (1u << 14);
	uint32_t *a = malloc(nq * sizeof *a);
	for (size_t i = 0; i < nq; i++) a[i] = (uint32_t)xorshift();
	t = now();
	qsort(a, nq, sizeof *a, cmp);
	int64_t qsort_ns = now() - t;
	check += a[nq / 2];
	free(a);

	size_t ns = scale ? (32u << 20) : (1u << 20);
	uint8_t *buf = malloc(ns);
	for (size_t i = 0; i < ns; i++) buf[i] = (uint8_t)xorshift();
	uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	t = now();
	for (size_t i = 0; i + 64 <= ns; i += 64) sha256_block(h, buf + i);
	int64_t sha_ns = now() - t;
	check += h[0];

	/* Text-like input: words from a small vocabulary. */
	static const char *words[] = {"the ", "runtime ", "goroutine ", "channel ", "of ", "a ", "scheduler ",
				      "thread ", "and ", "stack ", "preemption ", "timer ", "in ", "to "};
	size_t nl = scale ? (8u << 20) : (256u << 10), o = 0;
	while (o + 16 < nl) {
		const char *w = words[xorshift() % 14];
		size_t l = strlen(w);
		memcpy(buf + o, w, l), o += l;
	}
	int32_t *head = malloc(65536 * sizeof *head), *prev = malloc(65536 * sizeof *prev);
	t = now();
	check += lz(buf, o, head, prev);
	int64_t lz_ns = now() - t;

	size_t nt = scale ? 400000 : 20000;
	struct node *nodes = calloc(nt, sizeof *nodes), *root = NULL;
	t = now();
	for (size_t i = 0; i < nt; i++) nodes[i].key = xorshift(), root = insert(root, &nodes[i]);
	for (size_t i = 0; i < nt; i++) check += (uint64_t)find(root, nodes[(i * 7919) % nt].key);
	int64_t tree_ns = now() - t;

	printf("codegen fib_ns=%lld qsort_ns=%lld sha_ns=%lld lz_ns=%lld tree_ns=%lld check=%llu\n", (long long)fib_ns,
	       (long long)qsort_ns, (long long)sha_ns, (long long)lz_ns, (long long)tree_ns, (unsigned long long)check);
	return 0;
}
