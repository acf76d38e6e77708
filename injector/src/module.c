/*
 * Opening a kernel module: the file is read whole, its appended signature (if
 * any) is set aside, and libelf parses the rest. Everything later stages need
 * is indexed here once: sections, symbols, relocations (with the bytes each
 * one writes), bytes the kernel itself patches at load time (protected), and
 * offsets other code may jump to (branch targets).
 *
 * Bad input must give a clear error, never a crash: every header field that
 * points into the file is bounds-checked before use.
 */
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

#define SIG_MAGIC "~Module signature appended~\n"

/* Sections whose entries name text bytes that the kernel rewrites or checks
 * at load/run time; a mutation must leave those instructions alone. */
static const char *const patched_tables[] = {
	"__mcount_loc", ".retpoline_sites", ".return_sites", "__jump_table",
	".static_call_sites", ".altinstructions", ".smp_locks", ".parainstructions",
	".ibt_endbr_seal", "__patchable_function_entries", ".kcfi_traps", NULL,
};

static bool in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

bool inj_range_has(const uint8_t *map, uint64_t off, uint64_t len)
{
	if (!map)
		return false;
	for (uint64_t i = 0; i < len; i++)
		if (map[off + i])
			return true;
	return false;
}

static unsigned reloc_size(uint32_t type)
{
	switch (type) {
	case R_X86_64_64: case R_X86_64_PC64: return 8;
	case R_X86_64_PC32: case R_X86_64_PLT32: case R_X86_64_32:
	case R_X86_64_32S: case R_X86_64_GOTPCREL: case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX: return 4;
	case R_X86_64_16: case R_X86_64_PC16: return 2;
	case R_X86_64_8: case R_X86_64_PC8: return 1;
	default: return 0;
	}
}

const char *inj_reloc_symbol(const struct inj_module *m, const struct inj_reloc *r)
{
	const struct inj_symbol *s;

	if (r->sym >= m->nsyms)
		return "?";
	s = &m->syms[r->sym];
	if (s->type == STT_SECTION && s->shndx < m->nsecs)
		return m->secs[s->shndx].name;
	return s->name;
}

const struct inj_reloc *inj_reloc_at(const struct inj_section *s, uint64_t off, uint64_t len)
{
	for (size_t i = 0; i < s->nrelocs; i++) {
		const struct inj_reloc *r = &s->relocs[i];
		if (r->size && r->offset < off + len && off < r->offset + r->size)
			return r;
	}
	return NULL;
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct inj_reloc *x = a, *y = b;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int hex(char *out, size_t outlen, const uint8_t *p, size_t n)
{
	if (outlen < 2 * n + 1)
		return -1;
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = 0;
	return 0;
}

/* Split off "~Module signature appended~": struct module_signature (12 bytes,
 * sig_len big-endian in the last 4) sits just before the magic. */
static int find_signature(struct inj_module *m, struct inj_error *err)
{
	size_t ml = strlen(SIG_MAGIC), sl;
	const uint8_t *p;

	m->size = m->file_size;
	if (m->file_size < ml || memcmp(m->buf + m->file_size - ml, SIG_MAGIC, ml))
		return 0;
	if (m->file_size < ml + 12) {
		inj_err(err, "truncated module signature");
		return -1;
	}
	p = m->buf + m->file_size - ml - 12;
	sl = (size_t)p[8] << 24 | (size_t)p[9] << 16 | (size_t)p[10] << 8 | p[11];
	if (sl > m->file_size - ml - 12) {
		inj_err(err, "module signature length %zu exceeds the file", sl);
		return -1;
	}
	m->size = m->file_size - ml - 12 - sl;
	m->signed_file = true;
	return 0;
}

static int load_sections(struct inj_module *m, struct inj_error *err)
{
	GElf_Ehdr eh;
	size_t shstrndx, n;

	if (!gelf_getehdr(m->elf, &eh)) {
		inj_err(err, "not an ELF file (%s)", elf_errmsg(-1));
		return -1;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64) {
		inj_err(err, "not an x86-64 ELF (class %d, machine %d)", eh.e_ident[EI_CLASS],
			eh.e_machine);
		return -1;
	}
	if (eh.e_type != ET_REL) {
		inj_err(err, "not a relocatable object (e_type %d): kernel modules are ET_REL",
			eh.e_type);
		return -1;
	}
	if (eh.e_shoff > m->size || (uint64_t)eh.e_shnum * eh.e_shentsize > m->size - eh.e_shoff) {
		inj_err(err, "truncated file: section header table past the end");
		return -1;
	}
	if (elf_getshdrnum(m->elf, &n) || elf_getshdrstrndx(m->elf, &shstrndx) || n == 0) {
		inj_err(err, "bad section headers (%s)", elf_errmsg(-1));
		return -1;
	}
	m->secs = calloc(n, sizeof(*m->secs));
	if (!m->secs) {
		inj_err(err, "out of memory");
		return -1;
	}
	m->nsecs = n;
	for (size_t i = 0; i < n; i++) {
		Elf_Scn *scn = elf_getscn(m->elf, i);
		GElf_Shdr sh;
		struct inj_section *s = &m->secs[i];

		if (!scn || !gelf_getshdr(scn, &sh)) {
			inj_err(err, "bad section header %zu (%s)", i, elf_errmsg(-1));
			return -1;
		}
		s->name = elf_strptr(m->elf, shstrndx, sh.sh_name);
		if (!s->name)
			s->name = "";
		/* plans name sections in JSON: a name must survive the round trip */
		for (const char *c = s->name; *c; c++)
			if (*c < 0x20 || *c > 0x7e) {
				inj_err(err, "corrupt file: section [%zu] name is not printable ASCII",
					i);
				return -1;
			}
		s->elf_index = i;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->size = sh.sh_size;
		s->rela = -1;
		if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL) {
			if (sh.sh_offset > m->size || sh.sh_size > m->size - sh.sh_offset) {
				inj_err(err, "truncated file: section %s [%zu] runs past the end",
					s->name, i);
				return -1;
			}
			s->data = m->buf + sh.sh_offset;
		}
		/* NOBITS sizes are not backed by the file; a module's .bss is small */
		if (sh.sh_type == SHT_NULL)
			s->size = 0;	/* an unused header: its size means nothing */
		/* even NOBITS sections have a place in the file layout, which
		 * libelf keeps when it writes the mutated copy */
		if (sh.sh_type != SHT_NULL && sh.sh_offset > m->size) {
			inj_err(err, "corrupt file: section %s [%zu] starts past the end", s->name, i);
			return -1;
		}
		if (sh.sh_type == SHT_NOBITS && sh.sh_size > (1u << 26)) {
			inj_err(err, "section %s [%zu] claims %llu bytes of NOBITS: implausible",
				s->name, i, (unsigned long long)sh.sh_size);
			return -1;
		}
		s->exec = sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_EXECINSTR) &&
			  (sh.sh_flags & SHF_ALLOC);
	}
	return 0;
}

static int cmp_section_name(const void *a, const void *b)
{
	const struct inj_section *x = *(const struct inj_section *const *)a;
	const struct inj_section *y = *(const struct inj_section *const *)b;
	return strcmp(x->name, y->name);
}

/* A plan names its sections, so a fault may only go where the name is unique. */
static int mark_unique_names(struct inj_module *m, struct inj_error *err)
{
	struct inj_section **v = calloc(m->nsecs, sizeof(*v));

	if (!v) {
		inj_err(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < m->nsecs; i++)
		v[i] = &m->secs[i];
	qsort(v, m->nsecs, sizeof(*v), cmp_section_name);
	for (size_t i = 0; i < m->nsecs; i++)
		v[i]->unique_name = *v[i]->name &&
				    (i == 0 || strcmp(v[i - 1]->name, v[i]->name)) &&
				    (i + 1 == m->nsecs || strcmp(v[i + 1]->name, v[i]->name));
	free(v);
	return 0;
}

static int load_symbols(struct inj_module *m, struct inj_error *err)
{
	for (size_t i = 0; i < m->nsecs; i++) {
		Elf_Scn *scn = elf_getscn(m->elf, i);
		GElf_Shdr sh;
		Elf_Data *d;
		size_t n;

		if (m->secs[i].type != SHT_SYMTAB)
			continue;
		gelf_getshdr(scn, &sh);
		d = elf_getdata(scn, NULL);
		if (!d || sh.sh_entsize != sizeof(Elf64_Sym) || sh.sh_link >= m->nsecs) {
			inj_err(err, "bad symbol table (%s)", elf_errmsg(-1));
			return -1;
		}
		n = d->d_size / sizeof(Elf64_Sym);
		m->syms = calloc(n ? n : 1, sizeof(*m->syms));
		if (!m->syms) {
			inj_err(err, "out of memory");
			return -1;
		}
		m->nsyms = n;
		for (size_t k = 0; k < n; k++) {
			GElf_Sym s;
			const char *name;

			if (!gelf_getsym(d, k, &s)) {
				inj_err(err, "bad symbol %zu", k);
				return -1;
			}
			name = elf_strptr(m->elf, sh.sh_link, s.st_name);
			m->syms[k] = (struct inj_symbol){ name ? name : "", s.st_shndx,
							  s.st_value, s.st_size,
							  GELF_ST_TYPE(s.st_info) };
		}
		return 0;
	}
	inj_err(err, "stripped module: no symbol table");
	return -1;
}

static int load_relocs(struct inj_module *m, struct inj_error *err)
{
	for (size_t i = 0; i < m->nsecs; i++) {
		Elf_Scn *scn;
		GElf_Shdr sh;
		Elf_Data *d;
		struct inj_section *t;
		size_t n;

		if (m->secs[i].type == SHT_REL) {
			inj_err(err, "SHT_REL section %s: x86-64 modules use RELA", m->secs[i].name);
			return -1;
		}
		if (m->secs[i].type != SHT_RELA)
			continue;
		scn = elf_getscn(m->elf, i);
		gelf_getshdr(scn, &sh);
		if (sh.sh_info >= m->nsecs || sh.sh_info == 0) {
			inj_err(err, "relocation section %s targets no section", m->secs[i].name);
			return -1;
		}
		t = &m->secs[sh.sh_info];
		if (t->rela >= 0) {
			inj_err(err, "section %s has two relocation sections", t->name);
			return -1;
		}
		d = elf_getdata(scn, NULL);
		if (!d || sh.sh_entsize != sizeof(Elf64_Rela)) {
			inj_err(err, "bad relocation section %s", m->secs[i].name);
			return -1;
		}
		n = d->d_size / sizeof(Elf64_Rela);
		t->rela = (int)i;
		t->relocs = calloc(n ? n : 1, sizeof(*t->relocs));
		if (!t->relocs) {
			inj_err(err, "out of memory");
			return -1;
		}
		t->nrelocs = n;
		for (size_t k = 0; k < n; k++) {
			GElf_Rela r;
			struct inj_reloc *x = &t->relocs[k];

			gelf_getrela(d, k, &r);
			x->offset = r.r_offset;
			x->type = GELF_R_TYPE(r.r_info);
			x->sym = GELF_R_SYM(r.r_info);
			x->addend = r.r_addend;
			x->index = k;
			x->size = reloc_size(x->type);
			if (x->sym >= m->nsyms || x->offset > t->size ||
			    x->size > t->size - x->offset) {
				inj_err(err, "relocation %zu of %s out of range", k, m->secs[i].name);
				return -1;
			}
		}
		qsort(t->relocs, n, sizeof(*t->relocs), cmp_reloc);
	}
	return 0;
}

/* Target offset (in an executable section) that reloc r points at, or -1. */
static int64_t reloc_text_target(const struct inj_module *m, const struct inj_reloc *r,
				 int *tsec)
{
	const struct inj_symbol *s = &m->syms[r->sym];
	int64_t t;

	if (s->shndx == SHN_UNDEF || s->shndx >= m->nsecs || !m->secs[s->shndx].exec)
		return -1;
	t = (int64_t)s->value + r->addend;
	*tsec = s->shndx;
	return t;
}

static void mark(uint8_t *map, uint64_t size, int64_t off, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (off >= 0 && (uint64_t)off + i < size)
			map[off + i] = 1;
}

static int build_maps(struct inj_module *m, struct inj_error *err)
{
	for (size_t i = 0; i < m->nsecs; i++) {
		struct inj_section *s = &m->secs[i];

		s->reloc_map = calloc(s->size + 1, 1);
		if (s->exec) {
			s->protected_map = calloc(s->size + 1, 1);
			s->branch_target = calloc(s->size + 1, 1);
		}
		if (!s->reloc_map || (s->exec && (!s->protected_map || !s->branch_target))) {
			inj_err(err, "out of memory");
			return -1;
		}
		for (size_t k = 0; k < s->nrelocs; k++)
			mark(s->reloc_map, s->size, s->relocs[k].offset, s->relocs[k].size);
	}
	for (size_t i = 0; i < m->nsecs; i++) {
		struct inj_section *s = &m->secs[i];
		bool table = in_list(s->name, patched_tables);
		bool alt = !strcmp(s->name, ".altinstructions");

		for (size_t k = 0; k < s->nrelocs; k++) {
			const struct inj_reloc *r = &s->relocs[k];
			int ts;
			int64_t t = reloc_text_target(m, r, &ts);
			uint64_t len = 1;

			if (t < 0)
				continue;
			/* struct alt_instr: s32 instr, s32 repl, u16 cpuid, u8 instrlen */
			if (alt && s->data && r->offset % 12 == 0 && r->offset + 10 < s->size)
				len = s->data[r->offset + 10];
			if (table)
				mark(m->secs[ts].protected_map, m->secs[ts].size, t, len ? len : 1);
			/* jump/ex tables and cross-section branches land on t, or on
			 * t+4 when the addend carries the PC-relative -4. */
			mark(m->secs[ts].branch_target, m->secs[ts].size, t, 1);
			mark(m->secs[ts].branch_target, m->secs[ts].size, t + 4, 1);
		}
	}
	return 0;
}

static void read_build_id(struct inj_module *m)
{
	for (size_t i = 0; i < m->nsecs; i++) {
		Elf_Scn *scn = elf_getscn(m->elf, i);
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, noff, doff;

		if (m->secs[i].type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		while (d && (off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + noff, "GNU", 4) && nh.n_descsz <= 32) {
				hex(m->id.build_id, sizeof(m->id.build_id),
				    (uint8_t *)d->d_buf + doff, nh.n_descsz);
				return;
			}
		}
	}
}

struct inj_module *inj_module_open_mem(const uint8_t *buf, size_t size, const char *name,
				       struct inj_error *err)
{
	struct inj_module *m = calloc(1, sizeof(*m));
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	const char *base = strrchr(name, '/');

	if (!m) {
		inj_err(err, "out of memory");
		return NULL;
	}
	m->buf = malloc(size ? size : 1);
	if (!m->buf) {
		free(m);
		inj_err(err, "out of memory");
		return NULL;
	}
	memcpy(m->buf, buf, size);
	m->file_size = size;
	snprintf(m->id.name, sizeof(m->id.name), "%s", base ? base + 1 : name);
	sha256_init(&ctx);
	sha256_update(&ctx, size, buf);
	sha256_digest(&ctx, sizeof(digest), digest);
	hex(m->id.sha256, sizeof(m->id.sha256), digest, sizeof(digest));

	if (size < sizeof(Elf64_Ehdr) || memcmp(buf, ELFMAG, SELFMAG)) {
		inj_err(err, "%s: not an ELF file%s", name,
			size < sizeof(Elf64_Ehdr) ? " (too short)" : " (bad magic)");
		goto fail;
	}
	if (find_signature(m, err))
		goto fail;
	elf_version(EV_CURRENT);
	m->elf = elf_memory((char *)m->buf, m->size);
	if (!m->elf || elf_kind(m->elf) != ELF_K_ELF) {
		inj_err(err, "%s: not an ELF file (%s)", name, elf_errmsg(-1));
		goto fail;
	}
	if (load_sections(m, err) || mark_unique_names(m, err) || load_symbols(m, err) || load_relocs(m, err) ||
	    build_maps(m, err))
		goto fail;
	read_build_id(m);
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &m->cs) != CS_ERR_OK) {
		inj_err(err, "capstone: cannot open x86-64 decoder");
		goto fail;
	}
	cs_option(m->cs, CS_OPT_DETAIL, CS_OPT_ON);
	m->scratch = cs_malloc(m->cs);
	return m;
fail:
	inj_module_close(m);
	return NULL;
}

struct inj_module *inj_module_open(const char *path, struct inj_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	struct inj_module *m;
	size_t got = 0;

	if (fd < 0) {
		inj_err(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		inj_err(err, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		inj_err(err, "out of memory");
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, st.st_size - got);
		if (r <= 0) {
			inj_err(err, "%s: read error", path);
			free(buf);
			close(fd);
			return NULL;
		}
		got += r;
	}
	close(fd);
	m = inj_module_open_mem(buf, got, path, err);
	free(buf);
	return m;
}

void inj_module_close(struct inj_module *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nsecs; i++) {
		free(m->secs[i].relocs);
		free(m->secs[i].reloc_map);
		free(m->secs[i].protected_map);
		free(m->secs[i].branch_target);
	}
	if (m->scratch)
		cs_free(m->scratch, 1);
	if (m->cs)
		cs_close(&m->cs);
	free(m->secs);
	free(m->syms);
	free(m->insns);
	if (m->elf)
		elf_end(m->elf);
	free(m->buf);
	free(m);
}

const struct inj_identity *inj_module_identity(const struct inj_module *m)
{
	return &m->id;
}

int inj_module_has_signature(const struct inj_module *m)
{
	return m->signed_file;
}

const char *inj_module_section_name(const struct inj_module *m, int sec)
{
	return sec >= 0 && (size_t)sec < m->nsecs ? m->secs[sec].name : "?";
}

int inj_module_section_index(const struct inj_module *m, const char *name)
{
	for (size_t i = 0; i < m->nsecs; i++)
		if (!strcmp(m->secs[i].name, name))
			return (int)i;
	return -1;
}

const uint8_t *inj_module_section_bytes(const struct inj_module *m, int sec, uint64_t *size)
{
	if (sec < 0 || (size_t)sec >= m->nsecs)
		return NULL;
	*size = m->secs[sec].size;
	return m->secs[sec].data;
}

const char *inj_module_function_at(const struct inj_module *m, int sec, uint64_t off,
				   uint64_t *func_off)
{
	const struct inj_symbol *best = NULL;

	for (size_t i = 0; i < m->nsyms; i++) {
		const struct inj_symbol *s = &m->syms[i];
		if (s->shndx != sec || (s->type != STT_FUNC && s->type != STT_OBJECT) ||
		    !*s->name || s->value > off)
			continue;
		if (off < s->value + (s->size ? s->size : 1) && (!best || s->value > best->value))
			best = s;
	}
	*func_off = best ? off - best->value : off;
	return best ? best->name : "";
}
