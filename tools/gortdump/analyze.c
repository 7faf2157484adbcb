/* analyze.c: gortdump_analyze, the whole analysis of one image: open it
 * (elfread.c), name the entry point, decide whether it is a gort program,
 * which libc it uses and how it is linked, read the init-task tables
 * (inittab.c), print (output.c).
 *
 * The conclusions come with the evidence they rest on, because each test is
 * a heuristic a learner should be able to check with readelf or nm. */
#include <stdarg.h>
#include <string.h>
#include "gortdump.h"

static void addwhy(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void addwhy(char *buf, size_t len, const char *fmt, ...)
{
	size_t k = strlen(buf);
	if (k + 3 >= len) return;
	if (k) {
		strcpy(buf + k, ", ");
		k += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + k, len - k, fmt, ap);
	va_end(ap);
}

/* A gort program: its entry is crt/rt0_linux_amd64.S, or (stripped) it has
 * the sections only gort's build makes: gort_text (the runtime's code,
 * renamed when the library is built) and gort_rtinittask (the runtime's
 * own init tasks). gort_inittask alone is not enough: any program can
 * declare such a section. */
static void classify_gort(struct gd *g)
{
	if (g->entry_sym && g->entry_off == 0 && strcmp(g->entry_sym, "_rt0_amd64_linux") == 0)
		addwhy(g->gort_why, sizeof g->gort_why, "entry is _rt0_amd64_linux");
	if (gd_has_symbol(g, "rt0_go") && gd_has_symbol(g, "schedinit") && gd_has_symbol(g, "runtime_main"))
		addwhy(g->gort_why, sizeof g->gort_why, "symbols rt0_go, schedinit, runtime_main");
	if (gd_section(g, "gort_text")) addwhy(g->gort_why, sizeof g->gort_why, "section gort_text");
	if (gd_section(g, "gort_rtinittask")) addwhy(g->gort_why, sizeof g->gort_why, "section gort_rtinittask");
	g->gort = g->gort_why[0] != 0;
}

static bool has_string(const struct gd *g, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < g->nsec; i++) {
		const struct gd_sec *sec = &g->sec[i];
		if (sec->type != SHT_PROGBITS || !(sec->flags & SHF_ALLOC) || (sec->flags & SHF_EXECINSTR))
			continue;
		if (memmem(g->data + sec->offset, sec->size, s, n)) return true;
	}
	return false;
}

/* The libc: the dynamic loader's name or the libraries needed when there
 * are any; otherwise symbols only one libc defines (musl's __init_libc and
 * __libc; glibc's __libc_setup_tls and _dl_relocate_static_pie); stripped,
 * glibc's own sections and its tunables variable's name. A stripped musl
 * program has nothing that names musl. */
static void classify_libc(struct gd *g)
{
	char *why = g->libc_why;
	size_t wl = sizeof g->libc_why;
	bool pie = g->eh.e_type == ET_DYN;
	if (g->interp) g->linking = pie ? "dynamic-pie" : "dynamic";
	else if (!pie) g->linking = "static";
	else g->linking = (g->dt_flags1 & DF_1_PIE) ? "static-pie" : "shared";

	g->libc = "unknown";
	if (g->interp) {
		addwhy(why, wl, "interpreter %.100s", g->interp);
		if (strstr(g->interp, "ld-musl")) g->libc = "musl";
		else if (strstr(g->interp, "ld-linux")) g->libc = "glibc";
	}
	for (size_t i = 0; i < g->nneeded; i++) {
		const char *n = g->needed[i];
		if (strcmp(n, "libc.so.6") == 0) g->libc = "glibc";
		else if (strcmp(n, "libc.so") == 0 || strncmp(n, "libc.musl-", 10) == 0) g->libc = "musl";
		else continue;
		addwhy(why, wl, "needs %.60s", n);
	}
	if (g->interp || g->nneeded) return;
	if (gd_has_symbol(g, "__init_libc") && gd_has_symbol(g, "__libc")) {
		g->libc = "musl";
		addwhy(why, wl, "symbols __init_libc, __libc");
		return;
	}
	static const char *const gsyms[] = {"__libc_setup_tls", "_dl_relocate_static_pie", "_dl_aux_init"};
	char found[160] = "";
	for (size_t i = 0; i < sizeof gsyms / sizeof *gsyms; i++)
		if (gd_has_symbol(g, gsyms[i])) addwhy(found, sizeof found, "%s", gsyms[i]);
	if (found[0]) {
		g->libc = "glibc";
		addwhy(why, wl, "symbols %s", found);
		return;
	}
	static const char *const gsecs[] = {"__libc_freeres_fn", "__libc_subfreeres", "__libc_IO_vtables",
					    "__libc_atexit"};
	for (size_t i = 0; i < sizeof gsecs / sizeof *gsecs; i++)
		if (gd_section(g, gsecs[i])) addwhy(found, sizeof found, "%s", gsecs[i]);
	if (found[0]) {
		g->libc = "glibc";
		addwhy(why, wl, "sections %s", found);
	}
	if (has_string(g, "GLIBC_TUNABLES")) {
		g->libc = "glibc";
		addwhy(why, wl, "string GLIBC_TUNABLES");
	}
	if (strcmp(g->libc, "glibc") == 0) return;
	if (gd_has_symbol(g, "__libc_start_main")) {
		addwhy(why, wl, "__libc_start_main but no musl or glibc internals");
	} else if (g->nsym) {
		g->libc = "none";
		addwhy(why, wl, "no libc symbols");
	} else {
		addwhy(why, wl, "static and stripped, no glibc markers: probably musl");
	}
}

int gortdump_analyze(const void *data, size_t size, const char *name, int json, FILE *out,
		     char *err, size_t errlen)
{
	struct gd g;
	memset(&g, 0, sizeof g);
	g.name = name;
	int r = gd_open(&g, data, size, err, errlen);
	if (r == 0) {
		g.entry_sym = gd_symbolize(&g, g.eh.e_entry, &g.entry_off);
		classify_gort(&g);
		classify_libc(&g);
		g.gdb_scripts = gd_section(&g, ".debug_gdb_scripts") != NULL;
		gd_read_table(&g, &g.tasks, "gort_inittask");
		gd_read_table(&g, &g.rttasks, "gort_rtinittask");
		if (json) gd_print_json(&g, out);
		else gd_print_text(&g, out);
		gd_free_table(&g.tasks);
		gd_free_table(&g.rttasks);
	}
	gd_close(&g);
	return r;
}
