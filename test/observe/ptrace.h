/* ptrace.h: reads a Perfetto trace the way the tests need it: decoded by
 * `protoc --decode` against test/observe/perfetto_subset.proto (Perfetto's
 * field numbers), then the text parsed into tracks and events. Also checks
 * what any trace must satisfy: every slice ends, on its own track, in
 * nesting order; timestamps never go back on a track; every flow that ends
 * began earlier. Header-only, for test/observe/t_*.c. */
#ifndef GORT_TEST_PTRACE_H
#define GORT_TEST_PTRACE_H

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ptrack {
	uint64_t uuid, parent;
	char name[128];
	int tid;
};
struct pevent {
	uint64_t ts, track;
	int type; /* 1 begin, 2 end, 3 instant */
	char name[128];
	uint64_t flow, endflow;
};
struct ptrace {
	struct ptrack *tracks;
	size_t ntracks;
	struct pevent *ev;
	size_t nev;
};

static void pt_unquote(char *dst, const char *s, size_t cap)
{
	const char *q = strchr(s, '"');
	size_t k = 0;
	if (!q) {
		dst[0] = 0;
		return;
	}
	for (q++; *q && *q != '"' && k < cap - 1; q++) dst[k++] = *q;
	dst[k] = 0;
}

/* pt_load decodes path; fails the test if protoc fails. */
static struct ptrace pt_load(const char *path)
{
	struct ptrace t = {0};
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "protoc --decode=perfetto.protos.Trace -I%s/test/observe %s/test/observe/perfetto_subset.proto < '%s'",
		 SRC_DIR, SRC_DIR, path);
	FILE *f = popen(cmd, "r");
	cr_assert(f, "popen protoc");
	size_t capt = 0, cape = 0;
	char line[1024];
	int kind = 0; /* 1 track, 2 event */
	struct ptrack tk;
	struct pevent e;
	uint64_t ts = 0;
	while (fgets(line, sizeof line, f)) {
		char *s = line;
		while (*s == ' ') s++;
		if (!strncmp(s, "packet {", 8)) {
			kind = 0;
			ts = 0;
			continue;
		}
		if (!strncmp(s, "timestamp:", 10)) ts = strtoull(s + 10, NULL, 10);
		if (!strncmp(s, "track_descriptor {", 18)) {
			kind = 1;
			memset(&tk, 0, sizeof tk);
		}
		if (!strncmp(s, "track_event {", 13)) {
			kind = 2;
			memset(&e, 0, sizeof e);
			e.ts = ts;
		}
		if (kind == 1) {
			if (!strncmp(s, "uuid:", 5)) tk.uuid = strtoull(s + 5, NULL, 10);
			if (!strncmp(s, "parent_uuid:", 12)) tk.parent = strtoull(s + 12, NULL, 10);
			if (!strncmp(s, "name:", 5) || !strncmp(s, "thread_name:", 12) || !strncmp(s, "process_name:", 13))
				pt_unquote(tk.name, s, sizeof tk.name);
			if (!strncmp(s, "tid:", 4)) tk.tid = atoi(s + 4);
		} else if (kind == 2) {
			if (!strncmp(s, "type:", 5))
				e.type = strstr(s, "BEGIN") ? 1 : strstr(s, "END") ? 2 : strstr(s, "INSTANT") ? 3 : 0;
			if (!strncmp(s, "track_uuid:", 11)) e.track = strtoull(s + 11, NULL, 10);
			if (!strncmp(s, "name:", 5)) pt_unquote(e.name, s, sizeof e.name);
			if (!strncmp(s, "flow_ids:", 9)) e.flow = strtoull(s + 9, NULL, 10);
			if (!strncmp(s, "terminating_flow_ids:", 21)) e.endflow = strtoull(s + 21, NULL, 10);
		}
		/* The end of a packet: two-space indented "}" closes its message. */
		if (!strcmp(line, "  }\n")) {
			if (kind == 1) {
				if (t.ntracks == capt) t.tracks = realloc(t.tracks, (capt = capt * 2 + 64) * sizeof *t.tracks);
				t.tracks[t.ntracks++] = tk;
			} else if (kind == 2) {
				if (t.nev == cape) t.ev = realloc(t.ev, (cape = cape * 2 + 1024) * sizeof *t.ev);
				t.ev[t.nev++] = e;
			}
			kind = 0;
		}
	}
	int st = pclose(f);
	cr_assert(st == 0, "protoc could not decode %s (status %d)", path, st);
	return t;
}

static const struct ptrack *pt_track_named(const struct ptrace *t, const char *name)
{
	for (size_t i = 0; i < t->ntracks; i++)
		if (!strcmp(t->tracks[i].name, name)) return &t->tracks[i];
	return NULL;
}

/* pt_gtrack finds the goroutine track whose function is fn ("G7 reader"). */
static const struct ptrack *pt_gtrack(const struct ptrace *t, const char *fn)
{
	for (size_t i = 0; i < t->ntracks; i++) {
		const char *n = t->tracks[i].name, *sp = strchr(n, ' ');
		if (n[0] == 'G' && sp && !strcmp(sp + 1, fn)) return &t->tracks[i];
	}
	return NULL;
}

static int pt_count(const struct ptrace *t, uint64_t track, int type, const char *name)
{
	int n = 0;
	for (size_t i = 0; i < t->nev; i++)
		if ((!track || t->ev[i].track == track) && t->ev[i].type == type &&
		    (!name || !strcmp(t->ev[i].name, name)))
			n++;
	return n;
}

/* pt_last_begin: the name of the last slice begun on track. */
static const char *pt_last_begin(const struct ptrace *t, uint64_t track)
{
	const char *n = NULL;
	for (size_t i = 0; i < t->nev; i++)
		if (t->ev[i].track == track && t->ev[i].type == 1) n = t->ev[i].name;
	return n;
}

/* pt_check_wellformed: slices balanced and in order on every track, flows
 * begun before they end. */
static void pt_check_wellformed(const struct ptrace *t)
{
	for (size_t k = 0; k < t->ntracks; k++) {
		uint64_t u = t->tracks[k].uuid, last = 0;
		int depth = 0;
		for (size_t i = 0; i < t->nev; i++) {
			const struct pevent *e = &t->ev[i];
			if (e->track != u) continue;
			cr_assert(e->ts >= last, "track %s: time goes back at event %zu", t->tracks[k].name, i);
			last = e->ts;
			if (e->type == 1) depth++;
			if (e->type == 2) cr_assert(--depth >= 0, "track %s: an end with no begin", t->tracks[k].name);
		}
		cr_assert(depth == 0, "track %s: %d slices never end", t->tracks[k].name, depth);
	}
	/* Flows: sources seen so far, sorted as they come (ids increase). */
	uint64_t *src = malloc((t->nev + 1) * sizeof *src);
	size_t ns = 0;
	for (size_t i = 0; i < t->nev; i++) {
		if (t->ev[i].flow) src[ns++] = t->ev[i].flow;
		if (!t->ev[i].endflow) continue;
		size_t lo = 0, hi = ns;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (src[mid] < t->ev[i].endflow) lo = mid + 1;
			else hi = mid;
		}
		cr_assert(lo < ns && src[lo] == t->ev[i].endflow, "flow %" PRIu64 " ends (%s) but never began",
			  t->ev[i].endflow, t->ev[i].name);
	}
	free(src);
	for (size_t i = 0; i < t->nev; i++) {
		int found = 0;
		for (size_t k = 0; k < t->ntracks && !found; k++) found = t->tracks[k].uuid == t->ev[i].track;
		cr_assert(found, "event %s on track %" PRIu64 " that has no descriptor", t->ev[i].name, t->ev[i].track);
	}
}

static void pt_free(struct ptrace *t)
{
	free(t->tracks);
	free(t->ev);
}

#endif
