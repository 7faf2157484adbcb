/* t_pprof.c: profiles in pprof's format (issue #16): the CPU profile of a
 * program that spends ~80% of its time in hot() (progs/cpuhog.c), read by a
 * profile.proto decoder of our own and, where Go is installed, by `go tool
 * pprof -top`; the goroutine profile; bad input. */
#include "../e2e/run.h"
#include <stdint.h>

#define OBS BUILD_DIR "/test/observe"

/* ---- a profile.proto decoder: what the checks need ---- */

struct prof {
	char **str;
	size_t nstr;
	struct { uint64_t loc[64]; int nloc; int64_t val[2]; int nval; } *samples;
	size_t nsamples;
	struct { uint64_t id, fn; int64_t line; } *locs;
	size_t nlocs;
	struct { uint64_t id; int64_t name, file; } *fns;
	size_t nfns;
	int64_t period;
};

static int rd_varint(const uint8_t **p, const uint8_t *e, uint64_t *v)
{
	*v = 0;
	for (int s = 0; s < 64 && *p < e; s += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << s;
		if (!(b & 0x80)) return 1;
	}
	return 0;
}

/* rd_field reads one field: its number, wire type, varint or bytes. */
static int rd_field(const uint8_t **p, const uint8_t *e, uint32_t *f, int *wt, uint64_t *v, const uint8_t **b,
		    size_t *bl)
{
	uint64_t key;
	if (*p >= e || !rd_varint(p, e, &key)) return 0;
	*f = (uint32_t)(key >> 3);
	*wt = key & 7;
	if (*wt == 0) return rd_varint(p, e, v);
	if (*wt == 1) {
		if (e - *p < 8) return 0;
		memcpy(v, *p, 8);
		*p += 8;
		return 1;
	}
	if (*wt == 2) {
		uint64_t l;
		if (!rd_varint(p, e, &l) || (uint64_t)(e - *p) < l) return 0;
		*b = *p;
		*bl = l;
		*p += l;
		return 1;
	}
	return 0;
}

/* rd_u64s: a repeated integer, packed (wire type 2) or not. */
static void rd_u64s(int wt, uint64_t v, const uint8_t *b, size_t bl, uint64_t *out, int *n, int max)
{
	if (wt == 0) {
		if (*n < max) out[(*n)++] = v;
		return;
	}
	const uint8_t *p = b, *e = b + bl;
	uint64_t x;
	while (p < e && rd_varint(&p, e, &x))
		if (*n < max) out[(*n)++] = x;
}

static struct prof prof_load(const char *path)
{
	struct prof pr = {0};
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	static uint8_t buf[16 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	cr_assert(n > 0, "%s is empty", path);
	const uint8_t *p = buf, *e = buf + n, *b;
	size_t bl;
	uint32_t fld;
	int wt;
	uint64_t v;
	while (p < e) {
		cr_assert(rd_field(&p, e, &fld, &wt, &v, &b, &bl), "%s: malformed at byte %zu", path, (size_t)(p - buf));
		const uint8_t *q = b, *qe = b + bl;
		uint32_t f2;
		int w2;
		uint64_t v2;
		const uint8_t *b2;
		size_t bl2;
		if (fld == 6) {
			pr.str = realloc(pr.str, (pr.nstr + 1) * sizeof *pr.str);
			pr.str[pr.nstr++] = strndup((const char *)b, bl);
		} else if (fld == 2) {
			pr.samples = realloc(pr.samples, (pr.nsamples + 1) * sizeof *pr.samples);
			memset(&pr.samples[pr.nsamples], 0, sizeof *pr.samples);
			while (q < qe && rd_field(&q, qe, &f2, &w2, &v2, &b2, &bl2)) {
				if (f2 == 1) rd_u64s(w2, v2, b2, bl2, pr.samples[pr.nsamples].loc, &pr.samples[pr.nsamples].nloc, 64);
				if (f2 == 2) rd_u64s(w2, v2, b2, bl2, (uint64_t *)pr.samples[pr.nsamples].val, &pr.samples[pr.nsamples].nval, 2);
			}
			pr.nsamples++;
		} else if (fld == 4) {
			pr.locs = realloc(pr.locs, (pr.nlocs + 1) * sizeof *pr.locs);
			memset(&pr.locs[pr.nlocs], 0, sizeof *pr.locs);
			while (q < qe && rd_field(&q, qe, &f2, &w2, &v2, &b2, &bl2)) {
				if (f2 == 1) pr.locs[pr.nlocs].id = v2;
				if (f2 == 4) { /* Line: function_id 1, line 2 */
					const uint8_t *r = b2, *re = b2 + bl2;
					uint32_t f3; int w3; uint64_t v3; const uint8_t *b3; size_t bl3;
					while (r < re && rd_field(&r, re, &f3, &w3, &v3, &b3, &bl3)) {
						if (f3 == 1) pr.locs[pr.nlocs].fn = v3;
						if (f3 == 2) pr.locs[pr.nlocs].line = (int64_t)v3;
					}
				}
			}
			pr.nlocs++;
		} else if (fld == 5) {
			pr.fns = realloc(pr.fns, (pr.nfns + 1) * sizeof *pr.fns);
			memset(&pr.fns[pr.nfns], 0, sizeof *pr.fns);
			while (q < qe && rd_field(&q, qe, &f2, &w2, &v2, &b2, &bl2)) {
				if (f2 == 1) pr.fns[pr.nfns].id = v2;
				if (f2 == 2) pr.fns[pr.nfns].name = (int64_t)v2;
				if (f2 == 4) pr.fns[pr.nfns].file = (int64_t)v2;
			}
			pr.nfns++;
		} else if (fld == 12) {
			pr.period = (int64_t)v;
		}
	}
	return pr;
}

static const char *prof_str(const struct prof *pr, int64_t i)
{
	return i >= 0 && (size_t)i < pr->nstr ? pr->str[i] : "?";
}

/* prof_frame: function name, file and line of location id. */
static void prof_frame(const struct prof *pr, uint64_t loc, const char **fn, const char **file, int64_t *line)
{
	*fn = *file = "?";
	*line = 0;
	for (size_t i = 0; i < pr->nlocs; i++) {
		if (pr->locs[i].id != loc) continue;
		*line = pr->locs[i].line;
		for (size_t k = 0; k < pr->nfns; k++)
			if (pr->fns[k].id == pr->locs[i].fn) {
				*fn = prof_str(pr, pr->fns[k].name);
				*file = prof_str(pr, pr->fns[k].file);
			}
	}
}

static char tmpdir[256];
static void mktmp(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/gort-pprof-XXXXXX");
	cr_assert(mkdtemp(tmpdir));
}

static void cpu_profile(const char *variant, char *path, size_t pathsz)
{
	mktmp();
	snprintf(path, pathsz, "%s/cpu.pprof", tmpdir);
	char env[600], prog[512];
	snprintf(env, sizeof env, "GORT_CPUPROFILE=%s", path);
	snprintf(prog, sizeof prog, OBS "/%s/cpuhog", variant);
	const char *e[] = {env, NULL};
	struct result r = runE(e, prog);
	cr_assert(r.exited && r.code == 0, "cpuhog: %d %s", r.code, r.err);
	cr_assert_str_eq(r.err, "");
}

/* Flat time by leaf function: hot() first, about 80%, with its file:line. */
static void check_cpu(const char *path)
{
	struct prof pr = prof_load(path);
	cr_assert_eq(pr.period, 10000000, "period %ld, want 10 ms (100 Hz)", (long)pr.period);
	int64_t total = 0, hot = 0, warm = 0;
	int hotline = 0;
	for (size_t i = 0; i < pr.nsamples; i++) {
		cr_assert(pr.samples[i].nloc > 0 && pr.samples[i].nval == 2);
		const char *fn, *file;
		int64_t line;
		prof_frame(&pr, pr.samples[i].loc[0], &fn, &file, &line);
		total += pr.samples[i].val[0];
		if (!strcmp(fn, "hot")) {
			hot += pr.samples[i].val[0];
			cr_assert(strstr(file, "test/observe/progs/cpuhog.c"), "hot() in file %s", file);
			hotline = hotline || (line >= 13 && line <= 21);
			/* Its whole stack: hot, worker, the goroutine's start. */
			int worker = 0;
			for (int k = 1; k < pr.samples[i].nloc; k++) {
				prof_frame(&pr, pr.samples[i].loc[k], &fn, &file, &line);
				worker += !strcmp(fn, "worker");
			}
			cr_assert(worker, "a sample in hot() without worker() above it");
		}
		if (!strcmp(fn, "warm")) warm += pr.samples[i].val[0];
	}
	/* 2 goroutines x 660 x 913 us = 1.2 s of CPU: about 120 samples. */
	cr_assert(total >= 60, "only %ld samples", (long)total);
	cr_assert(hot * 100 >= total * 60 && hot * 100 <= total * 95, "hot() has %ld of %ld samples", (long)hot, (long)total);
	cr_assert(hot > warm && warm > 0, "hot %ld, warm %ld", (long)hot, (long)warm);
	cr_assert(hotline, "no sample in hot() has a line of hot()");
}

Test(pprof, cpu_profile_own_decoder_musl, .timeout = 60)
{
	char path[512];
	cpu_profile("musl", path, sizeof path);
	check_cpu(path);
}

Test(pprof, cpu_profile_own_decoder_glibc, .timeout = 60)
{
	char path[512];
	cpu_profile("glibc", path, sizeof path);
	check_cpu(path);
}

/* go tool pprof (Debian's Go 1.19 or later) reads it and names hot() first,
 * with file:line. */
Test(pprof, go_tool_pprof_top, .timeout = 120)
{
	if (!have("go")) {
		fprintf(stderr, "pprof::go_tool_pprof_top: skipped: Go is not installed (apt-get install golang-go)\n");
		cr_skip_test("Go is not installed");
	}
	char path[512];
	cpu_profile("musl", path, sizeof path);
	struct result r = shell("HOME=%s go tool pprof -top -lines %s", tmpdir, path);
	cr_assert(r.exited && r.code == 0, "go tool pprof: %s", r.err);
	const char *h = strstr(r.out, "flat%");
	cr_assert(h, "no table:\n%s", r.out);
	const char *first = strchr(h, '\n') + 1;
	const char *eol = strchr(first, '\n');
	char line[512];
	snprintf(line, sizeof line, "%.*s", (int)(eol - first), first);
	cr_assert(strstr(line, " hot ") && strstr(line, "cpuhog.c:"), "first entry is not hot() with file:line:\n%s", r.out);
}

/* Every goroutine's stack, counted by stack: five parked in the same place. */
Test(pprof, goroutine_profile, .timeout = 60)
{
	mktmp();
	struct result r = shell("cd %s && %s/musl/cpuhog goroutines", tmpdir, OBS);
	cr_assert(r.exited && r.code == 0, "%s", r.err);
	assert_contains(r.out, "write=0");
	assert_contains(r.out, "bad=-1");
	char path[600];
	snprintf(path, sizeof path, "%s/goroutines.pprof", tmpdir);
	struct prof pr = prof_load(path);
	int found = 0, mainseen = 0;
	for (size_t i = 0; i < pr.nsamples; i++) {
		int parked = 0, recv = 0;
		for (int k = 0; k < pr.samples[i].nloc; k++) {
			const char *fn, *file;
			int64_t line;
			prof_frame(&pr, pr.samples[i].loc[k], &fn, &file, &line);
			parked += !strcmp(fn, "parked_in_recv");
			recv += !strcmp(fn, "gort_chan_recv");
			mainseen += !strcmp(fn, "main");
		}
		if (parked && recv) {
			cr_assert_eq(pr.samples[i].val[0], 5, "%ld goroutines in parked_in_recv", (long)pr.samples[i].val[0]);
			found = 1;
		}
	}
	cr_assert(found, "no stack through gort_chan_recv and parked_in_recv");
	cr_assert(mainseen, "the calling goroutine (main) is missing");
}

Test(pprof, bad_paths)
{
	const char *e[] = {"GORT_CPUPROFILE=/nonexistent/dir/cpu.pprof", NULL};
	struct result r = runE(e, OBS "/musl/cpuhog");
	cr_assert(r.exited && r.code == 0);
	assert_contains(r.out, "done");
	assert_contains(r.err, "gort: ignoring GORT_CPUPROFILE=/nonexistent/dir/cpu.pprof");
	const char *e2[] = {"GORT_CPUPROFILE=/dev/full", NULL};
	r = runE(e2, OBS "/musl/cpuhog");
	cr_assert(r.exited && r.code == 0);
	assert_contains(r.out, "done");
	assert_contains(r.err, "gort: could not write the CPU profile to /dev/full");
}

/* ---- runtime metrics, block and mutex profiles (progs/metrics.c) ---- */

static long long metric(const char *out, const char *name)
{
	char key[128];
	snprintf(key, sizeof key, "%s=", name);
	const char *p = strstr(out, key);
	cr_assert(p, "no %s in:\n%s", name, out);
	return atoll(p + strlen(key));
}

Test(metrics, known_states, .timeout = 60)
{
	mktmp();
	struct result r = shell("cd %s && GOMAXPROCS=2 %s/musl/metrics", tmpdir, OBS);
	cr_assert(r.exited && r.code == 0, "%s", r.err);
	/* 100 parked, one in a system call, main running. */
	cr_assert(metric(r.out, "/sched/goroutines:goroutines") == 102, "%s", r.out);
	cr_assert(metric(r.out, "/sched/goroutines/waiting:goroutines") == 100, "%s", r.out);
	cr_assert(metric(r.out, "/sched/goroutines/not-in-go:goroutines") == 1, "%s", r.out);
	cr_assert(metric(r.out, "/sched/goroutines/running:goroutines") >= 1, "%s", r.out);
	cr_assert(metric(r.out, "/sched/goroutines-created:goroutines") == 105, "%s", r.out);
	cr_assert(metric(r.out, "/sched/gomaxprocs:threads") == 2, "%s", r.out);
	cr_assert(metric(r.out, "/sched/threads/total:threads") >= 3, "%s", r.out);
	/* 400 channel hand-overs: about 1 in 16 sampled. */
	const char *h = strstr(r.out, "/sched/latencies:seconds=hist");
	cr_assert(h, "%s", r.out);
	int n = 0;
	long long total = 0;
	cr_assert(sscanf(h, "/sched/latencies:seconds=hist n=%d total=%lld", &n, &total) == 2);
	cr_assert(n > 10 && total >= 5, "latency histogram n=%d total=%lld", n, total);
	assert_contains(h, "first=0 last=inf");
	assert_contains(r.out, "/no/such:metric=bad kind 0");
	assert_contains(r.out, "setrate_bad=-1");

	/* Block: channel waits and mutex waits, by the waiter's stack; mutex:
	 * the gort_mutex waits alone, about 20 ms of them (2 x 20 x 1 ms held). */
	char path[600];
	assert_contains(r.out, "write_block=0");
	assert_contains(r.out, "write_mutex=0");
	const char *kinds[] = {"block", "mutex"};
	for (int k = 0; k < 2; k++) {
		snprintf(path, sizeof path, "%s/%s.pprof", tmpdir, kinds[k]);
		struct prof pr = prof_load(path);
		int64_t chan = 0, mutex = 0;
		for (size_t i = 0; i < pr.nsamples; i++) {
			cr_assert(pr.samples[i].nval == 2, "%s: a sample without its delay", kinds[k]);
			for (int j = 0; j < pr.samples[i].nloc; j++) {
				const char *fn, *file;
				int64_t line;
				prof_frame(&pr, pr.samples[i].loc[j], &fn, &file, &line);
				if (!strcmp(fn, "gort_chan_recv") || !strcmp(fn, "gort_chan_send")) chan += pr.samples[i].val[1];
				if (!strcmp(fn, "contender") && j > 0) mutex += pr.samples[i].val[1];
			}
		}
		cr_assert(mutex >= 10 * 1000 * 1000, "%s: %ld ns of gort_mutex waits in contender()", kinds[k], (long)mutex);
		if (k == 0) cr_assert(chan > 0, "block: no channel waits");
		else cr_assert(chan == 0, "mutex: channel waits in the mutex profile");
	}
}
