/* inittab.c: gortdump's reading of the init-task tables (sections
 * gort_inittask and gort_rtinittask, arrays of struct gort_inittask) and
 * their run order.
 *
 * The order is not recomputed here: the records are rebuilt in memory as
 * real struct gort_inittask values (strings copied, dependency pointers
 * pointing into the rebuilt array) and handed to the runtime's own
 * order_inittasks (runtime/inittask.c, linked in), so gortdump cannot
 * disagree with the runtime, however that function evolves.
 *
 * Pointers in the records are virtual addresses, read with gd_ptr (which
 * applies the loader's relocations) and never trusted: a pointer that leads
 * outside the image makes a warning, not a crash. */
#define GORT_NO_ERRNO_OVERRIDE /* gort.h's errno is for gort programs */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "gortdump.h"
#include "runtime.h"

_Static_assert(sizeof(struct gort_inittask) == GD_RECSIZE, "record layout");
_Static_assert(offsetof(struct gort_inittask, name) == 0, "record layout");
_Static_assert(offsetof(struct gort_inittask, fn) == 8, "record layout");
_Static_assert(offsetof(struct gort_inittask, deps) == 16, "record layout");
_Static_assert(offsetof(struct gort_inittask, file) == 24, "record layout");
_Static_assert(offsetof(struct gort_inittask, line) == 32, "record layout");

static void warn(struct gd_table *tab, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct gd_table *tab, const char *fmt, ...)
{
	if (tab->nwarn == GD_MAXWARN) {
		tab->nwarn_dropped++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tab->warn[tab->nwarn++], sizeof tab->warn[0], fmt, ap);
	va_end(ap);
}

static void unreadable(struct gd_table *tab, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void unreadable(struct gd_table *tab, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tab->problem, sizeof tab->problem, fmt, ap);
	va_end(ap);
	tab->status = GD_TAB_UNREADABLE;
}

/* The record index of the task at address a, or -1. */
static int64_t record_at(const struct gd_table *tab, uint64_t a)
{
	if (a < tab->addr || a - tab->addr >= (uint64_t)tab->n * GD_RECSIZE) return -1;
	if ((a - tab->addr) % GD_RECSIZE) return -1;
	return (int64_t)((a - tab->addr) / GD_RECSIZE);
}

/* read_deps: the NULL-terminated list of dependency pointers at t->deps_addr. */
static bool read_deps(const struct gd *g, struct gd_table *tab, struct gd_task *t)
{
	if (!t->deps_addr) return true;
	size_t cap = 0;
	for (size_t k = 0;; k++) {
		uint64_t p;
		if (k == GD_MAXDEPS || t->deps_addr > UINT64_MAX - 8 * k || !gd_ptr(g, t->deps_addr + 8 * k, &p)) {
			t->deps_unreadable = true;
			return true;
		}
		if (!p) return true;
		if (t->ndeps == cap) {
			cap = cap ? 2 * cap : 8;
			uint64_t *a = realloc(t->dep_addr, cap * sizeof *a);
			if (!a) return false;
			t->dep_addr = a;
			int64_t *d = realloc(t->dep, cap * sizeof *d);
			if (!d) return false;
			t->dep = d;
		}
		t->dep_addr[t->ndeps] = p;
		t->dep[t->ndeps++] = record_at(tab, p);
	}
}

/* read_records: fills tab->t. False only when out of memory. */
static bool read_records(const struct gd *g, struct gd_table *tab)
{
	tab->t = calloc(tab->n, sizeof *tab->t);
	if (!tab->t) return false;
	for (size_t i = 0; i < tab->n; i++) {
		struct gd_task *t = &tab->t[i];
		t->addr = tab->addr + i * GD_RECSIZE;
		if (!gd_ptr(g, t->addr, &t->name_addr) || !gd_ptr(g, t->addr + 8, &t->fn) ||
		    !gd_ptr(g, t->addr + 16, &t->deps_addr) || !gd_ptr(g, t->addr + 24, &t->file_addr) ||
		    !gd_read(g, t->addr + 32, &t->line, sizeof t->line)) {
			unreadable(tab, "record %zu at 0x%llx is not in the image", i, (unsigned long long)t->addr);
			return true;
		}
		t->name = t->name_addr ? gd_str(g, t->name_addr) : NULL;
		/* Records of one file share its __FILE__ string, so the
		 * rebuilt table shares one copy: order_inittasks compares
		 * pointers first, as it would in the program. */
		if (i && t->file_addr == t[-1].file_addr) t->file = t[-1].file, t->file_shared = true;
		else t->file = t->file_addr ? gd_str(g, t->file_addr) : NULL;
		if (!t->name_addr) warn(tab, "record %zu: no name (NULL)", i);
		else if (!t->name)
			warn(tab, "record %zu: name pointer 0x%llx leads outside the image", i,
			     (unsigned long long)t->name_addr);
		if (t->file_addr && !t->file)
			warn(tab, "record %zu: file pointer 0x%llx leads outside the image", i,
			     (unsigned long long)t->file_addr);
		if (t->fn) t->fn_sym = gd_symbolize(g, t->fn, &t->fn_off);
		else warn(tab, "record %zu (%s): no function", i, t->name ? t->name : "?");
		if (!read_deps(g, tab, t)) return false;
		if (t->deps_unreadable)
			warn(tab, "record %zu (%s): dependency list at 0x%llx runs outside the image", i,
			     t->name ? t->name : "?", (unsigned long long)t->deps_addr);
	}
	return true;
}

/* order: rebuilds the table as the runtime sees it and runs the runtime's
 * ordering on it. */
static bool order(struct gd_table *tab)
{
	size_t n = tab->n;
	bool ok = false;
	/* One spare record: "outside the table" dependencies point at it,
	 * past the end, where order_inittasks's bounds check catches them. */
	struct gort_inittask *rt = calloc(n + 1, sizeof *rt);
	const struct gort_inittask ***deps = calloc(n, sizeof *deps);
	uint32_t *ord = calloc(2 * n, sizeof *ord);
	uint8_t *state = calloc(n, 1);
	if (!rt || !deps || !ord || !state) goto out;
	for (size_t i = 0; i < n; i++) {
		const struct gd_task *t = &tab->t[i];
		if (t->ndeps) {
			deps[i] = calloc(t->ndeps + 1, sizeof *deps[i]);
			if (!deps[i]) goto out;
			for (size_t k = 0; k < t->ndeps; k++)
				deps[i][k] = t->dep[k] >= 0 ? &rt[t->dep[k]] : &rt[n];
		}
		rt[i] = (struct gort_inittask){t->name ? t->name : "?", NULL,
					       (const struct gort_inittask *const *)deps[i], t->file, t->line};
	}
	size_t ncycle = 0;
	int r = order_inittasks(rt, n, ord, state, ord + n, &ncycle);
	tab->order = ord;
	ord = NULL;
	if (r == 0) {
		tab->status = GD_TAB_OK;
		tab->norder = n;
	} else if (r == -1 && ncycle > 0) {
		tab->status = GD_TAB_CYCLE;
		tab->norder = ncycle;
	} else if (r == -2) {
		tab->status = GD_TAB_OUTSIDE;
		tab->norder = 1;
	} else { /* the output prints order[0..norder) as a cycle: never empty */
		unreadable(tab, "order_inittasks returned %d with a cycle of %zu tasks", r, ncycle);
	}
	ok = true;
out:
	if (deps)
		for (size_t i = 0; i < n; i++) free(deps[i]);
	free(deps);
	free(rt);
	free(ord);
	free(state);
	return ok;
}

void gd_read_table(struct gd *g, struct gd_table *tab, const char *section)
{
	memset(tab, 0, sizeof *tab);
	tab->section = section;
	const struct gd_sec *s = gd_section(g, section);
	if (!s) return;
	tab->present = true;
	tab->addr = s->addr;
	tab->size = s->size;
	if (s->size % GD_RECSIZE)
		warn(tab, "section size %llu is not a multiple of the record size (%d)",
		     (unsigned long long)s->size, GD_RECSIZE);
	if (s->size / GD_RECSIZE > GD_MAXTASKS) {
		unreadable(tab, "%llu records: more than gortdump reads (%u)",
			   (unsigned long long)(s->size / GD_RECSIZE), GD_MAXTASKS);
		return;
	}
	tab->n = (size_t)(s->size / GD_RECSIZE);
	if (s->addr > UINT64_MAX - s->size) {
		unreadable(tab, "section address 0x%llx + size wraps around", (unsigned long long)s->addr);
		return;
	}
	if (tab->n == 0) return; /* status OK, nothing to run */
	if (!read_records(g, tab) || (tab->status == GD_TAB_OK && !order(tab))) {
		unreadable(tab, "out of memory");
		return;
	}
}

void gd_free_table(struct gd_table *tab)
{
	for (size_t i = 0; tab->t && i < tab->n; i++) {
		free(tab->t[i].name);
		if (!tab->t[i].file_shared) free(tab->t[i].file);
		free(tab->t[i].dep_addr);
		free(tab->t[i].dep);
	}
	free(tab->t);
	free(tab->order);
	tab->t = NULL;
	tab->order = NULL;
}
