/* dwarfline.c: pc -> source file and line for tracebacks, from the
 * executable's DWARF line table (.debug_line, versions 2 to 5).
 *
 * Like symtab.c, whose read-only mapping of the executable it reads, it
 * works inside a signal handler and after memory corruption: it never
 * allocates, takes no lock and keeps no state; every read is bounds-checked
 * against the mapping, so a damaged or unexpected table ends the search
 * instead of faulting. Each lookup runs the line-number programs of the
 * units until one has a row range holding pc (tracebacks are rare, tables
 * small). Compressed debug sections (SHF_COMPRESSED) are not read: no line
 * is printed then, nor for code outside the executable (shared libraries).
 *
 * The state machine is DWARF 5's section 6.2 for a non-VLIW target (the
 * op_index register is ignored, as x86 has max_ops_per_insn 1). */
#include <elf.h>
#include "runtime.h"

/* A bounds-checked reader. ok turns false at the first read past end and
 * stays false; reads then return 0. */
struct rd {
	const uint8_t *p, *end;
	bool ok;
};

static uint64_t rd_u(struct rd *r, int n)
{
	if (!r->ok || r->end - r->p < n) {
		r->ok = false;
		return 0;
	}
	uint64_t v = 0;
	for (int i = 0; i < n; i++) v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

static uint64_t rd_uleb(struct rd *r)
{
	uint64_t v = 0;
	for (int shift = 0; r->ok; shift += 7) {
		if (r->p >= r->end) {
			r->ok = false;
			break;
		}
		uint8_t b = *r->p++;
		if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) return v;
	}
	return 0;
}

static int64_t rd_sleb(struct rd *r)
{
	int64_t v = 0;
	int shift = 0;
	uint8_t b = 0x80;
	while (r->ok && (b & 0x80)) {
		if (r->p >= r->end) {
			r->ok = false;
			return 0;
		}
		b = *r->p++;
		if (shift < 64) v |= (int64_t)(b & 0x7f) << shift;
		shift += 7;
	}
	if (shift < 64 && (b & 0x40)) v |= -((int64_t)1 << shift);
	return v;
}

static const char *rd_str(struct rd *r)
{
	const uint8_t *s = r->p;
	while (r->ok && r->p < r->end && *r->p) r->p++;
	if (!r->ok || r->p >= r->end) {
		r->ok = false;
		return NULL;
	}
	r->p++;
	return (const char *)s;
}

static void rd_skip(struct rd *r, uint64_t n)
{
	if (!r->ok || (uint64_t)(r->end - r->p) < n) {
		r->ok = false;
		return;
	}
	r->p += n;
}

/* The string sections a DWARF 5 file table points into. */
struct strsecs {
	struct rd line_str, str;
};

static const char *strat(const struct rd *sec, uint64_t off)
{
	if (!sec->p || off >= (uint64_t)(sec->end - sec->p)) return NULL;
	struct rd r = {sec->p + off, sec->end, true};
	return rd_str(&r);
}

/* DW_FORM_* values the line table header uses. */
enum {
	FORM_block2 = 0x03, FORM_block4 = 0x04, FORM_data2 = 0x05, FORM_data4 = 0x06,
	FORM_data8 = 0x07, FORM_string = 0x08, FORM_block = 0x09, FORM_block1 = 0x0a,
	FORM_data1 = 0x0b, FORM_sdata = 0x0d, FORM_strp = 0x0e, FORM_udata = 0x0f,
	FORM_data16 = 0x1e, FORM_line_strp = 0x1f,
};
enum { LNCT_path = 1, LNCT_directory_index = 2 };

/* read_form reads one attribute value: a string (*s) or a number (return). */
static uint64_t read_form(struct rd *r, uint64_t form, bool dwarf64, const struct strsecs *ss, const char **s)
{
	*s = NULL;
	switch (form) {
	case FORM_string: *s = rd_str(r); return 0;
	case FORM_line_strp: *s = strat(&ss->line_str, rd_u(r, dwarf64 ? 8 : 4)); return 0;
	case FORM_strp: *s = strat(&ss->str, rd_u(r, dwarf64 ? 8 : 4)); return 0;
	case FORM_udata: return rd_uleb(r);
	case FORM_sdata: return (uint64_t)rd_sleb(r);
	case FORM_data1: return rd_u(r, 1);
	case FORM_data2: return rd_u(r, 2);
	case FORM_data4: return rd_u(r, 4);
	case FORM_data8: return rd_u(r, 8);
	case FORM_data16: rd_skip(r, 16); return 0;
	case FORM_block1: rd_skip(r, rd_u(r, 1)); return 0;
	case FORM_block2: rd_skip(r, rd_u(r, 2)); return 0;
	case FORM_block4: rd_skip(r, rd_u(r, 4)); return 0;
	case FORM_block: rd_skip(r, rd_uleb(r)); return 0;
	default: r->ok = false; return 0;
	}
}

/* entry_table reads a DWARF 5 directory or file table and returns the path
 * and directory index of entry want (path NULL if there is none). On
 * return r is past the table. */
static void entry_table(struct rd *r, bool dwarf64, const struct strsecs *ss, uint64_t want,
			const char **path, uint64_t *dir)
{
	uint8_t nfmt = (uint8_t)rd_u(r, 1);
	const uint8_t *fmt = r->p;
	for (int i = 0; i < nfmt; i++) rd_uleb(r), rd_uleb(r);
	uint64_t n = rd_uleb(r);
	*path = NULL;
	*dir = 0;
	for (uint64_t e = 0; e < n && r->ok; e++) {
		struct rd f = {fmt, r->end, true};
		for (int i = 0; i < nfmt && r->ok; i++) {
			uint64_t type = rd_uleb(&f), form = rd_uleb(&f);
			const char *s;
			uint64_t v = read_form(r, form, dwarf64, ss, &s);
			if (e != want) continue;
			if (type == LNCT_path) *path = s;
			if (type == LNCT_directory_index) *dir = v;
		}
	}
}

/* The header of one unit's line program. */
struct lineunit {
	int version;
	bool dwarf64;
	uint8_t min_insn, default_is_stmt, line_range, opcode_base;
	int8_t line_base;
	const uint8_t *oplens;  /* standard_opcode_lengths */
	const uint8_t *tables;  /* directory and file tables */
	const uint8_t *program, *end;
};

/* unit_header reads the header of the unit at r; r moves to the next unit. */
static bool unit_header(struct rd *r, struct lineunit *u)
{
	uint64_t len = rd_u(r, 4);
	u->dwarf64 = len == 0xffffffff;
	if (u->dwarf64) len = rd_u(r, 8);
	if (!r->ok || len > (uint64_t)(r->end - r->p)) return false;
	struct rd h = {r->p, r->p + len, true};
	r->p += len;
	u->end = h.end;
	u->version = (int)rd_u(&h, 2);
	if (u->version < 2 || u->version > 5) return false;
	if (u->version >= 5) {
		if (rd_u(&h, 1) != 8) return false; /* address_size */
		rd_u(&h, 1);                        /* segment_selector_size */
	}
	uint64_t hlen = rd_u(&h, u->dwarf64 ? 8 : 4);
	if (!h.ok || hlen > (uint64_t)(h.end - h.p)) return false;
	u->program = h.p + hlen;
	u->min_insn = (uint8_t)rd_u(&h, 1);
	if (u->version >= 4) rd_u(&h, 1); /* maximum_operations_per_instruction */
	u->default_is_stmt = (uint8_t)rd_u(&h, 1);
	u->line_base = (int8_t)rd_u(&h, 1);
	u->line_range = (uint8_t)rd_u(&h, 1);
	u->opcode_base = (uint8_t)rd_u(&h, 1);
	u->oplens = h.p;
	rd_skip(&h, u->opcode_base ? u->opcode_base - 1u : 0);
	u->tables = h.p;
	return h.ok && u->line_range != 0 && u->opcode_base != 0;
}

/* unit_file fills pos's path parts for file index idx of unit u. */
static void unit_file(const struct lineunit *u, const struct strsecs *ss, uint64_t idx, struct srcpos *pos)
{
	struct rd r = {u->tables, u->program, true};
	pos->part[0] = pos->part[1] = pos->part[2] = NULL;
	if (u->version >= 5) {
		const char *dir0, *dir = NULL, *file;
		uint64_t d0, diridx;
		struct rd dirs = r;
		entry_table(&r, u->dwarf64, ss, 0, &dir0, &d0); /* past the directories */
		entry_table(&r, u->dwarf64, ss, idx, &file, &diridx);
		if (!r.ok || !file) return;
		entry_table(&dirs, u->dwarf64, ss, diridx, &dir, &d0);
		pos->part[2] = file;
		if (file[0] == '/') return;
		pos->part[1] = dir;
		if (dir && dir[0] != '/' && diridx != 0) pos->part[0] = dir0;
		return;
	}
	/* DWARF 2-4: include_directories, then file_names, 1-based. */
	const char *dirs_start = (const char *)r.p;
	while (r.ok && r.p < r.end && *r.p) rd_str(&r);
	rd_u(&r, 1);
	for (uint64_t i = 1; r.ok && r.p < r.end && *r.p; i++) {
		const char *file = rd_str(&r);
		uint64_t diridx = rd_uleb(&r);
		rd_uleb(&r), rd_uleb(&r); /* mtime, length */
		if (i != idx || !r.ok) continue;
		pos->part[2] = file;
		if (file[0] == '/' || diridx == 0) return;
		struct rd d = {(const uint8_t *)dirs_start, u->program, true};
		for (uint64_t k = 1; d.ok; k++) {
			const char *s = rd_str(&d);
			if (!s || !*s) break;
			if (k == diridx) pos->part[1] = s;
		}
		return;
	}
}

/* unit_find runs unit u's line program; true (and *file, *line) if a row
 * range [row, next row) of one sequence holds addr. */
static bool unit_find(const struct lineunit *u, uint64_t addr, uint64_t *file, uint32_t *line)
{
	struct rd r = {u->program, u->end, true};
	uint64_t a = 0, f = 1;
	int64_t l = 1;
	bool have_prev = false;
	uint64_t pa = 0, pf = 0;
	int64_t pl = 0;
	while (r.ok && r.p < r.end) {
		uint8_t op = (uint8_t)rd_u(&r, 1);
		bool emit = false, endseq = false;
		if (op >= u->opcode_base) {
			uint8_t adj = op - u->opcode_base;
			a += (uint64_t)(adj / u->line_range) * u->min_insn;
			l += u->line_base + adj % u->line_range;
			emit = true;
		} else if (op == 0) {
			uint64_t len = rd_uleb(&r);
			if (!r.ok || len == 0 || len > (uint64_t)(r.end - r.p)) return false;
			const uint8_t *next = r.p + len;
			uint8_t sub = (uint8_t)rd_u(&r, 1);
			if (sub == 1) emit = endseq = true;           /* DW_LNE_end_sequence */
			else if (sub == 2 && len == 9) a = rd_u(&r, 8); /* DW_LNE_set_address */
			r.p = next;
		} else {
			switch (op) {
			case 1: emit = true; break;                       /* copy */
			case 2: a += rd_uleb(&r) * u->min_insn; break;     /* advance_pc */
			case 3: l += rd_sleb(&r); break;                   /* advance_line */
			case 4: f = rd_uleb(&r); break;                    /* set_file */
			case 8: a += (uint64_t)((255 - u->opcode_base) / u->line_range) * u->min_insn; break;
			case 9: a += rd_u(&r, 2); break;                   /* fixed_advance_pc */
			default:                                           /* skip the operands */
				for (int i = 0; i < u->oplens[op - 1]; i++) rd_uleb(&r);
			}
		}
		if (!emit) continue;
		if (have_prev && pa <= addr && addr < a && pl > 0) {
			*file = pf;
			*line = (uint32_t)pl;
			return true;
		}
		have_prev = !endseq;
		pa = a, pf = f, pl = l;
		if (endseq) {
			a = 0, f = 1, l = 1;
		}
	}
	return false;
}

static const Elf64_Shdr *section(const char *base, size_t size, const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	if (eh->e_shoff == 0 || eh->e_shstrndx >= eh->e_shnum ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > size)
		return NULL;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(base + eh->e_shoff);
	const Elf64_Shdr *strs = &sh[eh->e_shstrndx];
	if (strs->sh_offset + strs->sh_size > size) return NULL;
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_name >= strs->sh_size) continue;
		const char *n = base + strs->sh_offset + sh[i].sh_name;
		size_t k = 0;
		while (name[k] && k < strs->sh_size - sh[i].sh_name && n[k] == name[k]) k++;
		if (name[k] || n[k]) continue;
		if (sh[i].sh_type == SHT_NOBITS || (sh[i].sh_flags & SHF_COMPRESSED) ||
		    sh[i].sh_offset + sh[i].sh_size > size)
			return NULL;
		return &sh[i];
	}
	return NULL;
}

static struct rd section_rd(const char *base, size_t size, const char *name)
{
	const Elf64_Shdr *s = section(base, size, name);
	if (!s) return (struct rd){NULL, NULL, false};
	return (struct rd){(const uint8_t *)base + s->sh_offset,
			   (const uint8_t *)base + s->sh_offset + s->sh_size, true};
}

/* pcline finds the source position of pc (a run-time address in the
 * executable; for a return address pass the address of the call, pc-1).
 * The parts point into the mapped file. */
bool pcline(uintptr_t pc, struct srcpos *pos)
{
	const char *base;
	size_t size;
	uintptr_t bias;
	if (!exe_image(&base, &size, &bias) || pc < bias) return false;
	struct rd lines = section_rd(base, size, ".debug_line");
	if (!lines.ok) return false;
	struct strsecs ss = {section_rd(base, size, ".debug_line_str"), section_rd(base, size, ".debug_str")};
	uint64_t addr = pc - bias;
	while (lines.ok && lines.p < lines.end) {
		struct lineunit u;
		if (!unit_header(&lines, &u)) return false;
		uint64_t file;
		uint32_t line;
		if (unit_find(&u, addr, &file, &line)) {
			unit_file(&u, &ss, file, pos);
			pos->line = line;
			return pos->part[2] != NULL;
		}
	}
	return false;
}
