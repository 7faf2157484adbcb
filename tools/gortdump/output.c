/* output.c: gortdump's two renderings of a report: the human one (short
 * headings, aligned columns, a note on what each piece does at start-up)
 * and one JSON object with stable keys (addresses as "0x..." strings, since
 * they may not fit a double; sizes and counts as numbers).
 *
 * Strings from the image (task names, file names, the interpreter path)
 * may be anything: text output escapes control bytes and invalid UTF-8 as
 * \xNN, JSON output as \u00NN / U+FFFD, so both stay printable and the JSON
 * stays valid. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "gortdump.h"

/* ---- strings ---- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0. */
static size_t utf8len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	unsigned min;
	if (c < 0x80) return 1;
	if (c >= 0xc2 && c <= 0xdf) n = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef) n = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4) n = 4, min = 0x10000;
	else return 0;
	unsigned cp = c & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
	return n;
}

/* clean: a printable copy of s for the text report. */
static char *clean(const char *s)
{
	if (!s) return strdup("?");
	size_t len = strlen(s);
	char *o = malloc(4 * len + 1), *p = o;
	if (!o) return NULL;
	for (const unsigned char *u = (const unsigned char *)s; *u;) {
		size_t n = utf8len(u);
		if (n == 1 && *u >= 0x20 && *u != 0x7f && *u != '\\') {
			*p++ = (char)*u++;
		} else if (n > 1) {
			memcpy(p, u, n);
			p += n, u += n;
		} else {
			p += sprintf(p, "\\x%02x", *u++);
		}
	}
	*p = 0;
	return o;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0) s = NULL;
	va_end(ap);
	return s;
}

/* Columns are measured in characters, not bytes (task names may be UTF-8). */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; s && *s; s++) w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* ---- aligned tables ---- */

#define MAXCOL 8
struct table {
	size_t ncol, nrow, cap;
	char *(*cell)[MAXCOL];
};

/* row: appends a row of ncol cells (malloc'd strings, owned by the table;
 * NULL prints as empty). */
static void row(struct table *t, ...)
{
	if (t->nrow == t->cap) {
		size_t nc = t->cap ? 2 * t->cap : 16;
		void *p = realloc(t->cell, nc * sizeof *t->cell);
		if (!p) return; /* out of memory: the row is lost, the report goes on */
		t->cell = p;
		t->cap = nc;
	}
	va_list ap;
	va_start(ap, t);
	for (size_t i = 0; i < t->ncol; i++) t->cell[t->nrow][i] = va_arg(ap, char *);
	va_end(ap);
	t->nrow++;
}

static void flush(struct table *t, FILE *out, const char *indent)
{
	size_t w[MAXCOL] = {0};
	for (size_t r = 0; r < t->nrow; r++)
		for (size_t c = 0; c < t->ncol; c++)
			if (width(t->cell[r][c]) > w[c]) w[c] = width(t->cell[r][c]);
	for (size_t r = 0; r < t->nrow; r++) {
		fputs(indent, out);
		size_t last = t->ncol;
		while (last > 0 && !(t->cell[r][last - 1] && *t->cell[r][last - 1])) last--;
		for (size_t c = 0; c < last; c++) {
			const char *s = t->cell[r][c] ? t->cell[r][c] : "";
			fputs(s, out);
			if (c + 1 < last) fprintf(out, "%*s", (int)(w[c] - width(s) + 2), "");
		}
		fputc('\n', out);
		for (size_t c = 0; c < t->ncol; c++) free(t->cell[r][c]);
	}
	free(t->cell);
	t->cell = NULL;
	t->nrow = t->cap = 0;
}

static void drop(struct table *t)
{
	for (size_t r = 0; r < t->nrow; r++)
		for (size_t c = 0; c < t->ncol; c++) free(t->cell[r][c]);
	free(t->cell);
	t->cell = NULL;
	t->nrow = t->cap = 0;
}

/* ---- text ---- */

static char *flagstr(uint32_t f)
{
	return fmt("%c%c%c", f & PF_R ? 'R' : ' ', f & PF_W ? 'W' : ' ', f & PF_X ? 'E' : ' ');
}

static char *segnote(const struct gd *g, const struct gd_seg *s)
{
	switch (s->type) {
	case PT_PHDR: return strdup("the program headers, seen by the loader and the libc (AT_PHDR)");
	case PT_INTERP: {
		char *c = clean(g->interp), *r = fmt("loader: %s", c ? c : "?");
		free(c);
		return r;
	}
	case PT_LOAD:
		if (s->memsz > s->filesz)
			return fmt("%s; 0x%llx bytes zero-filled (.bss)",
				   s->flags & PF_X ? "code" : s->flags & PF_W ? "data" : "read-only",
				   (unsigned long long)(s->memsz - s->filesz));
		return strdup(s->flags & PF_X ? "code" : s->flags & PF_W ? "data" : "read-only");
	case PT_DYNAMIC:
		return strdup(strcmp(g->linking, "static-pie") == 0
				      ? "dynamic section: the program relocates itself from it"
				      : "dynamic section: read by the loader");
	case PT_TLS:
		return fmt("thread-local storage: 0x%llx bytes initialised (.tdata), 0x%llx zeroed (.tbss)",
			   (unsigned long long)s->filesz,
			   (unsigned long long)(s->memsz > s->filesz ? s->memsz - s->filesz : 0));
	case PT_GNU_STACK:
		return strdup(s->flags & PF_X ? "EXECUTABLE stack" : "stack not executable");
	case PT_GNU_RELRO: return strdup("made read-only once relocated");
	case PT_GNU_EH_FRAME: return strdup("unwind table index (.eh_frame_hdr)");
	case PT_NOTE: return strdup("notes");
	case PT_GNU_PROPERTY: return strdup("CPU feature properties");
	}
	return NULL;
}

/* The sections that matter to start-up, in the order of the list below
 * being irrelevant: they print in section-header order. */
static const struct {
	const char *name, *note;
	int entries; /* 0: none, 8: pointer array, GD_RECSIZE: init-task records, 24: relocations */
} start_secs[] = {
	{".interp", "loader path", 0},
	{".rela.dyn", "applied by the loader (static PIE: by the program itself)", 24},
	{".rela.plt", "library calls (PLT)", 24},
	{".relr.dyn", "packed relative relocations", 0},
	{".init", "run by the libc before constructors", 0},
	{"gort_systext", "libc code (gort.ld): never preempted", 0},
	{"gort_text", "runtime code: hidden in tracebacks", 0},
	{".text", "program code", 0},
	{".fini", "run by the libc at exit", 0},
	{".eh_frame_hdr", "unwind table index", 0},
	{".eh_frame", "unwind tables (CFI)", 0},
	{".tdata", "TLS initial values", 0},
	{".tbss", "TLS, zeroed", 0},
	{".preinit_array", "run before constructors", 8},
	{".init_array", "constructors, run before init tasks", 8},
	{".fini_array", "destructors, run at exit", 8},
	{".data.rel.ro", "read-only once relocated", 0},
	{".dynamic", "dynamic section", 0},
	{"gort_rtinittask", "the runtime's init tasks", GD_RECSIZE},
	{"gort_inittask", "init tasks", GD_RECSIZE},
	{".debug_gdb_scripts", "gdb auto-loads the scripts named here", 0},
};
#define NSTART (sizeof start_secs / sizeof *start_secs)

static int start_sec(const struct gd_sec *s)
{
	for (size_t i = 0; i < NSTART; i++)
		if (strcmp(s->name, start_secs[i].name) == 0) return (int)i;
	return -1;
}

static char *secnote(const struct gd *g, const struct gd_sec *s, int k)
{
	int e = start_secs[k].entries;
	if (!e) return strdup(start_secs[k].note);
	const char *note = start_secs[k].note;
	if (!g->gort && strcmp(s->name, ".init_array") == 0) note = "constructors, run before main";
	const char *unit = e == 8 ? "entries" : e == 24 ? "relocations" : "records";
	if (e == 8 && s->size / 8 == 1) unit = "entry";
	if (e == GD_RECSIZE && s->size / GD_RECSIZE == 1) unit = "record";
	return fmt("%llu %s: %s", (unsigned long long)(s->size / (unsigned)e), unit, note);
}

static char *taskname(const struct gd_table *tab, size_t i)
{
	return clean(tab->t[i].name);
}

static char *depnames(const struct gd_table *tab, const struct gd_task *t)
{
	if (!t->ndeps && !t->deps_unreadable) return strdup("-");
	size_t len = 0;
	char *s = NULL;
	FILE *m = open_memstream(&s, &len);
	if (!m) return NULL;
	for (size_t k = 0; k < t->ndeps; k++) {
		if (k) fputs(", ", m);
		if (t->dep[k] >= 0) {
			char *c = taskname(tab, (size_t)t->dep[k]);
			fputs(c ? c : "?", m);
			free(c);
		} else {
			fprintf(m, "0x%llx (not a task)", (unsigned long long)t->dep_addr[k]);
		}
	}
	if (t->deps_unreadable) fputs(t->ndeps ? ", ...?" : "?", m);
	fclose(m);
	return s;
}

static char *fnname(const struct gd_task *t)
{
	if (!t->fn) return strdup("(none)");
	if (!t->fn_sym) return fmt("0x%llx", (unsigned long long)t->fn);
	char *c = clean(t->fn_sym), *r = t->fn_off ? fmt("%s+0x%llx", c, (unsigned long long)t->fn_off) : c;
	if (t->fn_off) free(c);
	return r;
}

static char *declared(const struct gd_task *t)
{
	char *c = clean(t->file_addr ? t->file : "(none)"), *r = fmt("%s:%d", c ? c : "?", t->line);
	free(c);
	return r;
}

/* The runtime's fatal message for a table it refuses (proc.c's doinit). */
static void refusal(const struct gd_table *tab, FILE *out)
{
	if (tab->status == GD_TAB_CYCLE) {
		fputs("  init task cycle: ", out);
		for (size_t i = 0; i <= tab->norder; i++) {
			char *c = taskname(tab, tab->order[i % tab->norder]);
			fprintf(out, "%s%s", i ? " -> " : "", c ? c : "?");
			free(c);
		}
		fputc('\n', out);
	} else {
		const struct gd_task *t = &tab->t[tab->order[0]];
		char *c = taskname(tab, tab->order[0]), *d = declared(t);
		fprintf(out, "  init task %s (%s) depends on a task outside the init-task table\n", c ? c : "?",
			d ? d : "?");
		free(c);
		free(d);
	}
	fputs("  (the runtime stops before main with this as \"fatal error: ...\", exit status 2)\n", out);
}

static void text_table(const struct gd_table *tab, const char *title, const char *when, FILE *out)
{
	if (!tab->present) {
		fprintf(out, "\n%s: none (no %s section)\n", title, tab->section);
		return;
	}
	fprintf(out, "\n%s: section %s, %zu record%s at 0x%llx", title, tab->section, tab->n, tab->n == 1 ? "" : "s",
		(unsigned long long)tab->addr);
	if (tab->status == GD_TAB_UNREADABLE) {
		fprintf(out, "\n  cannot read the table: %s\n", tab->problem);
	} else if (tab->n == 0) {
		fputs(": nothing to run\n", out);
	} else if (tab->status == GD_TAB_OK) {
		fprintf(out, ", %s:\n", when);
	} else {
		fputs(": CANNOT RUN\n", out);
		refusal(tab, out);
		fputs("  records, in table order (none of them runs):\n", out);
	}
	if (tab->n && tab->status != GD_TAB_UNREADABLE) {
		/* Run order first, then the record's place in the table (which
		 * GCC fills last-declared first within a file). */
		bool ordered = tab->status == GD_TAB_OK;
		struct table t = {.ncol = 6};
		row(&t, strdup("#"), strdup("rec"), strdup("task"), strdup("depends on"), strdup("fn"),
		    strdup("declared at"));
		for (size_t i = 0; i < tab->n; i++) {
			size_t r = ordered ? tab->order[i] : i;
			const struct gd_task *k = &tab->t[r];
			row(&t, ordered ? fmt("%zu", i + 1) : strdup("-"), fmt("%zu", r), taskname(tab, r),
			    depnames(tab, k), fnname(k), declared(k));
		}
		flush(&t, out, "  ");
	}
	for (size_t i = 0; i < tab->nwarn; i++) {
		char *c = clean(tab->warn[i]);
		fprintf(out, "  warning: %s\n", c ? c : "?");
		free(c);
	}
	if (tab->nwarn_dropped) fprintf(out, "  (%zu more warnings)\n", tab->nwarn_dropped);
}

void gd_print_text(const struct gd *g, FILE *out)
{
	char *name = clean(g->name);
	fprintf(out, "%s\n", name ? name : "?");
	free(name);

	struct table t = {.ncol = 2};
	row(&t, strdup("ELF"), fmt("64-bit little-endian x86-64, %s", g->eh.e_type == ET_EXEC ? "EXEC (fixed addresses)"
								     : "DYN (position-independent)"));
	char *es = clean(g->entry_sym);
	row(&t, strdup("entry"),
	    !g->entry_sym ? fmt("0x%llx (no symbol%s)", (unsigned long long)g->eh.e_entry, g->nsym ? "" : ": stripped")
	    : g->entry_off ? fmt("0x%llx %s+0x%llx", (unsigned long long)g->eh.e_entry, es,
				 (unsigned long long)g->entry_off)
			   : fmt("0x%llx %s", (unsigned long long)g->eh.e_entry, es));
	free(es);
	row(&t, strdup("gort program"), g->gort ? fmt("yes (%s)", g->gort_why) : strdup("no"));
	static const struct {
		const char *key, *text;
	} links[] = {
		{"static", "statically linked"},
		{"static-pie", "static PIE (relocates itself at start-up)"},
		{"dynamic", "dynamically linked"},
		{"dynamic-pie", "dynamically linked PIE"},
		{"shared", "shared object (no interpreter, not marked PIE)"},
	};
	const char *lk = g->linking;
	for (size_t i = 0; i < sizeof links / sizeof *links; i++)
		if (strcmp(links[i].key, g->linking) == 0) lk = links[i].text;
	char *why = clean(g->libc_why);
	row(&t, strdup("libc"), *g->libc_why ? fmt("%s (%s)", g->libc, why ? why : "") : strdup(g->libc));
	free(why);
	row(&t, strdup("linking"), strdup(lk));
	if (g->nneeded) {
		size_t len = 0;
		char *s = NULL;
		FILE *m = open_memstream(&s, &len);
		if (m) {
			for (size_t i = 0; i < g->nneeded; i++) {
				char *c = clean(g->needed[i]);
				fprintf(m, "%s%s", i ? ", " : "", c ? c : "?");
				free(c);
			}
			fclose(m);
		}
		row(&t, strdup("needs"), s);
	}
	row(&t, strdup("relocations"),
	    g->nrelative + g->nrelr + g->nirelative + g->nrelother == 0
		    ? strdup("none")
		    : fmt("%zu relative, %zu packed relative (RELR), %zu ifunc (IRELATIVE), %zu other", g->nrelative,
			  g->nrelr, g->nirelative, g->nrelother));
	row(&t, strdup("gdb scripts"),
	    strdup(g->gdb_scripts ? "yes (.debug_gdb_scripts)" : "none (no .debug_gdb_scripts)"));
	flush(&t, out, "  ");

	text_table(&g->rttasks, "Runtime init tasks", "run first, in this order", out);
	text_table(&g->tasks, "Init tasks", "run in this order before main", out);

	fputs("\nSegments:\n", out);
	t = (struct table){.ncol = 8};
	row(&t, strdup("type"), strdup("offset"), strdup("vaddr"), strdup("filesz"), strdup("memsz"),
	    strdup("flags"), strdup("align"), strdup(""));
	for (size_t i = 0; i < g->nseg; i++) {
		const struct gd_seg *s = &g->seg[i];
		const char *ty = gd_segtype(s->type);
		row(&t, ty ? strdup(ty) : fmt("0x%x", s->type), fmt("0x%llx", (unsigned long long)s->offset),
		    fmt("0x%llx", (unsigned long long)s->vaddr), fmt("0x%llx", (unsigned long long)s->filesz),
		    fmt("0x%llx", (unsigned long long)s->memsz), flagstr(s->flags),
		    fmt("0x%llx", (unsigned long long)s->align), segnote(g, s));
	}
	if (g->nseg == 0) {
		fputs("  none\n", out);
		drop(&t);
	} else {
		flush(&t, out, "  ");
	}

	fputs("\nSections that matter to start-up:\n", out);
	t = (struct table){.ncol = 6};
	row(&t, strdup("name"), strdup("type"), strdup("addr"), strdup("offset"), strdup("size"), strdup(""));
	size_t shown = 0;
	for (size_t i = 0; i < g->nsec; i++) {
		const struct gd_sec *s = &g->sec[i];
		int k = start_sec(s);
		if (k < 0) continue;
		const char *ty = gd_sectype(s->type);
		row(&t, clean(s->name), ty ? strdup(ty) : fmt("0x%x", s->type), fmt("0x%llx", (unsigned long long)s->addr),
		    fmt("0x%llx", (unsigned long long)s->offset), fmt("0x%llx", (unsigned long long)s->size),
		    secnote(g, s, k));
		shown++;
	}
	if (!shown) {
		fputs(g->nsec ? "  none\n" : "  none (no section headers)\n", out);
		drop(&t);
	} else {
		flush(&t, out, "  ");
	}
}

/* ---- JSON ---- */

static void jstr(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *u = (const unsigned char *)s; *u;) {
		size_t n = utf8len(u);
		if (n > 1) {
			fwrite(u, 1, n, out);
			u += n;
			continue;
		}
		unsigned c = *u++;
		if (n == 0) fputs("\\ufffd", out);
		else if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
		else if (c == '\n') fputs("\\n", out);
		else if (c == '\t') fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f) fprintf(out, "\\u%04x", c);
		else fputc((int)c, out);
	}
	fputc('"', out);
}

static void jaddr(FILE *out, uint64_t a)
{
	fprintf(out, "\"0x%llx\"", (unsigned long long)a);
}

static void jtask(const struct gd_table *tab, size_t r, long run, FILE *out)
{
	const struct gd_task *t = &tab->t[r];
	fprintf(out, "{\"record\": %zu, \"run\": ", r);
	if (run > 0) fprintf(out, "%ld", run);
	else fputs("null", out);
	fputs(", \"name\": ", out);
	jstr(out, t->name);
	fputs(", \"addr\": ", out);
	jaddr(out, t->addr);
	fputs(", \"fn\": ", out);
	jaddr(out, t->fn);
	fputs(", \"fn_symbol\": ", out);
	jstr(out, t->fn_sym);
	fprintf(out, ", \"fn_offset\": %llu, \"file\": ", (unsigned long long)t->fn_off);
	jstr(out, t->file);
	fprintf(out, ", \"line\": %d, \"deps\": [", t->line);
	for (size_t k = 0; k < t->ndeps; k++) {
		if (k) fputs(", ", out);
		fputs("{\"name\": ", out);
		jstr(out, t->dep[k] >= 0 ? tab->t[t->dep[k]].name : NULL);
		fputs(", \"record\": ", out);
		if (t->dep[k] >= 0) fprintf(out, "%lld", (long long)t->dep[k]);
		else fputs("null", out);
		fputs(", \"addr\": ", out);
		jaddr(out, t->dep_addr[k]);
		fputc('}', out);
	}
	fprintf(out, "], \"deps_unreadable\": %s}", t->deps_unreadable ? "true" : "false");
}

static void jtable(const struct gd_table *tab, FILE *out)
{
	if (!tab->present) {
		fputs("null", out);
		return;
	}
	static const char *const st[] = {"ok", "cycle", "outside", "unreadable"};
	fputs("{\n    \"section\": ", out);
	jstr(out, tab->section);
	fputs(", \"addr\": ", out);
	jaddr(out, tab->addr);
	fprintf(out, ", \"size\": %llu, \"count\": %zu,\n    \"status\": \"%s\", \"error\": ",
		(unsigned long long)tab->size, tab->n, st[tab->status]);
	if (tab->status == GD_TAB_UNREADABLE) {
		jstr(out, tab->problem);
	} else if (tab->status != GD_TAB_OK) {
		/* the text the runtime's fatal error would carry */
		char *s = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&s, &len);
		if (m) {
			if (tab->status == GD_TAB_CYCLE) {
				fputs("init task cycle: ", m);
				for (size_t i = 0; i <= tab->norder; i++)
					fprintf(m, "%s%s", i ? " -> " : "", tab->t[tab->order[i % tab->norder]].name
										? tab->t[tab->order[i % tab->norder]].name
										: "?");
			} else {
				const struct gd_task *t = &tab->t[tab->order[0]];
				fprintf(m, "init task %s (%s:%d) depends on a task outside the init-task table",
					t->name ? t->name : "?", t->file ? t->file : "?", t->line);
			}
			fclose(m);
		}
		jstr(out, s);
		free(s);
	} else {
		fputs("null", out);
	}
	fputs(",\n    \"cycle\": [", out);
	for (size_t i = 0; tab->status == GD_TAB_CYCLE && i < tab->norder; i++) {
		if (i) fputs(", ", out);
		jstr(out, tab->t[tab->order[i]].name);
	}
	fputs("],\n    \"warnings\": [", out);
	for (size_t i = 0; i < tab->nwarn; i++) {
		if (i) fputs(", ", out);
		jstr(out, tab->warn[i]);
	}
	fputs("],\n    \"tasks\": [", out);
	if (tab->status != GD_TAB_UNREADABLE) {
		bool ordered = tab->status == GD_TAB_OK;
		for (size_t i = 0; i < tab->n; i++) {
			fputs(i ? ",\n      " : "\n      ", out);
			jtask(tab, ordered ? tab->order[i] : i, ordered ? (long)i + 1 : 0, out);
		}
	}
	fputs("]}", out);
}

void gd_print_json(const struct gd *g, FILE *out)
{
	fputs("{\n  \"file\": ", out);
	jstr(out, g->name);
	fprintf(out, ",\n  \"elf\": {\"class\": \"ELF64\", \"byte_order\": \"little-endian\", \"machine\": \"x86-64\", "
		     "\"type\": \"%s\", \"entry\": ",
		g->eh.e_type == ET_EXEC ? "EXEC" : "DYN");
	jaddr(out, g->eh.e_entry);
	fputs(", \"entry_symbol\": ", out);
	jstr(out, g->entry_sym);
	fprintf(out, ", \"entry_offset\": %llu},\n", (unsigned long long)g->entry_off);
	fprintf(out, "  \"gort\": {\"program\": %s, \"evidence\": ", g->gort ? "true" : "false");
	jstr(out, g->gort_why);
	fputs("},\n  \"libc\": {\"name\": ", out);
	jstr(out, g->libc);
	fputs(", \"linking\": ", out);
	jstr(out, g->linking);
	fprintf(out, ", \"pie\": %s, \"interpreter\": ", g->eh.e_type == ET_DYN ? "true" : "false");
	jstr(out, g->interp);
	fputs(", \"needed\": [", out);
	for (size_t i = 0; i < g->nneeded; i++) {
		if (i) fputs(", ", out);
		jstr(out, g->needed[i]);
	}
	fputs("], \"evidence\": ", out);
	jstr(out, g->libc_why);
	fprintf(out, "},\n  \"relocations\": {\"relative\": %zu, \"relr\": %zu, \"irelative\": %zu, \"other\": %zu},\n",
		g->nrelative, g->nrelr, g->nirelative, g->nrelother);
	const char *stack = "null";
	for (size_t i = 0; i < g->nseg; i++)
		if (g->seg[i].type == PT_GNU_STACK) stack = g->seg[i].flags & PF_X ? "true" : "false";
	fprintf(out, "  \"stack_executable\": %s,\n  \"debug_gdb_scripts\": %s,\n", stack,
		g->gdb_scripts ? "true" : "false");
	fputs("  \"runtime_init_tasks\": ", out);
	jtable(&g->rttasks, out);
	fputs(",\n  \"init_tasks\": ", out);
	jtable(&g->tasks, out);
	fputs(",\n  \"segments\": [", out);
	for (size_t i = 0; i < g->nseg; i++) {
		const struct gd_seg *s = &g->seg[i];
		const char *ty = gd_segtype(s->type);
		fputs(i ? ",\n    " : "\n    ", out);
		fputs("{\"type\": ", out);
		if (ty) fprintf(out, "\"%s\"", ty);
		else fprintf(out, "\"0x%x\"", s->type);
		fprintf(out, ", \"offset\": %llu, \"vaddr\": ", (unsigned long long)s->offset);
		jaddr(out, s->vaddr);
		fprintf(out, ", \"filesz\": %llu, \"memsz\": %llu, \"flags\": \"%s%s%s\", \"align\": %llu}",
			(unsigned long long)s->filesz, (unsigned long long)s->memsz, s->flags & PF_R ? "R" : "",
			s->flags & PF_W ? "W" : "", s->flags & PF_X ? "E" : "", (unsigned long long)s->align);
	}
	fputs("],\n  \"sections\": [", out);
	size_t shown = 0;
	for (size_t i = 0; i < g->nsec; i++) {
		const struct gd_sec *s = &g->sec[i];
		int k = start_sec(s);
		if (k < 0) continue;
		const char *ty = gd_sectype(s->type);
		fputs(shown++ ? ",\n    " : "\n    ", out);
		fputs("{\"name\": ", out);
		jstr(out, s->name);
		if (ty) fprintf(out, ", \"type\": \"%s\"", ty);
		else fprintf(out, ", \"type\": \"0x%x\"", s->type);
		fputs(", \"addr\": ", out);
		jaddr(out, s->addr);
		fprintf(out, ", \"offset\": %llu, \"size\": %llu, \"entries\": ", (unsigned long long)s->offset,
			(unsigned long long)s->size);
		if (start_secs[k].entries) fprintf(out, "%llu}", (unsigned long long)(s->size / (unsigned)start_secs[k].entries));
		else fputs("null}", out);
	}
	fputs("]\n}\n", out);
}
