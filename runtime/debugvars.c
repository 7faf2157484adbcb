/* debugvars.c: parsing of GODEBUG, GOMAXPROCS, GOTRACEBACK and sizes (Go's
 * runtime1.go parsedebugvars). Pure functions: no globals, no allocation, so
 * unit tests and fuzzers call them directly.
 *
 * GODEBUG is "key=value,key=value". As in Go, unknown keys are ignored
 * silently (newer programs may set keys this runtime does not know); a known
 * key with a value that is not a number gets one warning and keeps its
 * default. A malformed item (no '=') is ignored with a warning. */
#include "runtime.h"

/* atoi32 parses a decimal int32 of the whole string [s, e); false if it is
 * empty, has other characters or overflows. */
static bool atoi32(const char *s, const char *e, int32_t *out)
{
	bool neg = false;
	int64_t v = 0;
	if (s < e && (*s == '-' || *s == '+')) neg = *s++ == '-';
	if (s == e) return false;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9') return false;
		v = v * 10 + (*s - '0');
		if (v > INT32_MAX) return false;
	}
	*out = neg ? -v : v;
	return true;
}

struct dbgkey {
	const char *name;
	size_t off;
};
#define K(f) {#f, offsetof(struct debugvars, f)}
static const struct dbgkey dbgkeys[] = {
	K(inittrace), K(boottrace), K(schedtrace), K(scheddetail), K(asyncpreemptoff),
	K(gorthooks), K(tracebackancestors), K(spinpark), K(sysblockoff), K(waitshift),
	K(iouringoff), K(iobatch),
};
#undef K

static bool keyis(const char *k, size_t n, const char *name)
{
	size_t i = 0;
	for (; i < n && name[i]; i++)
		if (k[i] != name[i]) return false;
	return i == n && name[i] == 0;
}

void parse_godebug(const char *s, struct debugvars *d, warnfn warn, void *ctx)
{
	if (!s) return;
	while (*s) {
		const char *item = s, *eq = NULL, *end = s;
		while (*end && *end != ',') {
			if (*end == '=' && !eq) eq = end;
			end++;
		}
		s = *end ? end + 1 : end;
		if (end == item) continue; /* empty item: ",," */
		/* Copy the item for the warning; items are short, longer ones are cut. */
		char buf[96];
		size_t n = end - item < (long)sizeof buf - 1 ? (size_t)(end - item) : sizeof buf - 1;
		for (size_t i = 0; i < n; i++) buf[i] = item[i];
		buf[n] = 0;
		if (!eq) {
			if (warn) warn("GODEBUG", buf, "not of the form key=value", ctx);
			continue;
		}
		/* netdns takes Go's words: go (gort's resolver where it can
		 * answer as the libc, the default) or cgo (always the libc's). */
		if (keyis(item, eq - item, "netdns")) {
			if (keyis(eq + 1, end - eq - 1, "go")) d->netdns = 1;
			else if (keyis(eq + 1, end - eq - 1, "cgo")) d->netdns = 2;
			else if (warn) warn("GODEBUG", buf, "value is not go or cgo; keeping the default", ctx);
			continue;
		}
		for (size_t k = 0; k < sizeof dbgkeys / sizeof dbgkeys[0]; k++) {
			if (!keyis(item, eq - item, dbgkeys[k].name)) continue;
			int32_t v;
			if (atoi32(eq + 1, end, &v) && v >= 0) {
				*(int32_t *)((char *)d + dbgkeys[k].off) = v;
			} else if (warn) {
				warn("GODEBUG", buf, "value is not a non-negative number; keeping the default", ctx);
			}
			break;
		}
	}
}

#define MAXGOMAXPROCS 1024

/* parse_gomaxprocs returns GOMAXPROCS's value, or dflt when unset or bad. */
int parse_gomaxprocs(const char *s, int32_t dflt, warnfn warn, void *ctx)
{
	int32_t v;
	static const char *const msgs[] = {
		"not a number; using the number of CPUs",
		"must be at least 1; using the number of CPUs",
		"larger than 1024; using 1024",
	};
	if (!s || !*s) return dflt;
	const char *e = s;
	while (*e) e++;
	if (!atoi32(s, e, &v)) {
		/* A number too large for int32 is still a number. */
		bool digits = true;
		for (const char *p = s; *p; p++) digits &= *p >= '0' && *p <= '9';
		if (digits) {
			if (warn) warn("GOMAXPROCS", s, msgs[2], ctx);
			return MAXGOMAXPROCS;
		}
		if (warn) warn("GOMAXPROCS", s, msgs[0], ctx);
		return dflt;
	}
	if (v < 1) {
		if (warn) warn("GOMAXPROCS", s, msgs[1], ctx);
		return dflt;
	}
	if (v > MAXGOMAXPROCS) {
		if (warn) warn("GOMAXPROCS", s, msgs[2], ctx);
		return MAXGOMAXPROCS;
	}
	return v;
}

/* parse_gotraceback: none=0 single=1 all=2 system=3 crash=4, or a number. */
int parse_gotraceback(const char *s, int dflt, warnfn warn, void *ctx)
{
	static const char *const names[] = {"none", "single", "all", "system", "crash"};
	if (!s || !*s) return dflt;
	for (int i = 0; i < 5; i++) {
		const char *a = s, *b = names[i];
		while (*a && *a == *b) a++, b++;
		if (!*a && !*b) return i;
	}
	const char *e = s;
	while (*e) e++;
	int32_t v;
	if (atoi32(s, e, &v) && v >= 0) return v == 0 ? 0 : v == 1 ? 2 : 3;
	if (warn) warn("GOTRACEBACK", s, "not none, single, all, system or crash; using single", ctx);
	return dflt;
}

/* parse_size parses "65536", "64k", "8M", "1g" (powers of 1024). */
int64_t parse_size(const char *s)
{
	int64_t v = 0;
	if (!s || *s < '0' || *s > '9') return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > ((int64_t)1 << 40)) return -1;
	}
	int shift;
	switch (*s) {
	case 0: return v;
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	default: return -1;
	}
	if (s[1] && !((s[1] == 'b' || s[1] == 'B') && !s[2])) return -1;
	/* At most 2^40 bytes after scaling (found by the fuzzer: "99999999998g"
	 * overflowed the shift). */
	if (v > ((int64_t)1 << 40) >> shift) return -1;
	return v << shift;
}
