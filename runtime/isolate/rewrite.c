/*
 * The isolation rewrite. Given a driver module and what nooks offers:
 *  - every undefined symbol with a wrapper is renamed foo -> nooks_w_foo
 *    (new names are appended to .strtab; symbol indices, hence every
 *    relocation, stay as they are);
 *  - its __versions entry is renamed too and given the wrapper's CRC from
 *    nooks.symvers: the 6.1 loader refuses a symbol whose entry is missing
 *    ("no symbol version") or whose CRC differs ("disagrees about version");
 *  - .modinfo gets depends=nooks, merged into an existing depends= entry;
 *  - sections the loader frees after init (names starting with ".init":
 *    module_init_section()) or, without CONFIG_MODULE_UNLOAD, drops
 *    (".exit": module_exit_section()) are renamed so they stay resident:
 *    recovery calls the driver's init again and its exit when unloading;
 *  - the appended signature is dropped (it no longer matches; the loader
 *    then only taints the kernel, unless module.sig_enforce is set).
 * A driver importing a symbol nooks neither wraps nor knows as kernel-bound
 * is refused with the list. The output is written to a temporary file and
 * renamed into place, so a failure never leaves a half-isolated module.
 */
#include "isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Growing byte buffer for rebuilt section contents. */
struct buf {
	unsigned char *p;
	size_t len, cap;
};

static int buf_put(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		unsigned char *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

/* One import of the driver that will be bound to a wrapper. */
struct rebind {
	size_t symndx;
	const struct binding *bind;
	bool versioned;		/* found an entry in __versions */
};

struct plan {
	struct rebind *v;
	size_t n;
	size_t kernel_bound;
};

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

const char *resident_section_name(const char *name, char *out, size_t len)
{
	static const char *const rela[] = { ".rela", ".rel", "" };

	for (size_t i = 0; i < sizeof(rela) / sizeof(rela[0]); i++) {
		const char *rest;

		if (!starts_with(name, rela[i]))
			continue;
		rest = name + strlen(rela[i]);
		/* .init_array holds constructors the loader finds by that exact name */
		if ((starts_with(rest, ".init") && !starts_with(rest, ".init_array")) ||
		    starts_with(rest, ".exit")) {
			snprintf(out, len, "%s.nooks%s", rela[i], rest);
			return out;
		}
	}
	return NULL;
}

/* Appends "name" to a list for an error message, ", "-separated. */
static void list_add(char *list, size_t len, const char *name)
{
	size_t used = strlen(list);

	if (used + strlen(name) + 8 >= len) {
		if (!strstr(list, "..."))
			snprintf(list + used, len - used, ", ...");
		return;
	}
	snprintf(list + used, len - used, "%s%s", used ? ", " : "", name);
}

static bool has_versions(Elf *elf, size_t shstrndx)
{
	return elf_section_by_name(elf, shstrndx, "__versions") != NULL;
}

/* Decides every import's fate before anything is written. */
static int plan_rebinding(const struct kofile *ko, const struct bindings *b, struct plan *pl,
			  struct iso_err *err)
{
	Elf_Scn *symscn = elf_symtab(ko->elf);
	Elf_Data *syms = elf_getdata(symscn, NULL);
	GElf_Shdr sh;
	char unknown[4096] = "", nocrc[2048] = "", toolong[2048] = "", wrapped[1024] = "";
	size_t nunknown = 0, count;
	bool versions = has_versions(ko->elf, ko->shstrndx);

	gelf_getshdr(symscn, &sh);
	if (!syms || sh.sh_entsize != sizeof(Elf64_Sym))
		return iso_fail(err, "%s: unreadable symbol table", ko->path);
	count = sh.sh_size / sh.sh_entsize;
	pl->v = calloc(count ? count : 1, sizeof(*pl->v));
	if (!pl->v)
		return iso_fail(err, "out of memory");
	for (size_t i = 1; i < count; i++) {
		GElf_Sym sym;
		const char *name;
		const struct binding *bind;

		if (!gelf_getsym(syms, (int)i, &sym) || sym.st_shndx != SHN_UNDEF)
			continue;
		name = elf_strptr(ko->elf, sh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		if (starts_with(name, NOOKS_WRAPPER_PREFIX)) {
			list_add(wrapped, sizeof(wrapped), name);
			continue;
		}
		bind = bindings_find(b, name);
		if (!bind) {
			nunknown++;
			list_add(unknown, sizeof(unknown), name);
			continue;
		}
		if (bind->kind == BIND_KERNEL) {
			pl->kernel_bound++;
			continue;
		}
		if (strlen(bind->wrapper) >= MODVERSION_NAME_LEN)
			list_add(toolong, sizeof(toolong), bind->wrapper);
		if (versions && !bind->has_crc)
			list_add(nocrc, sizeof(nocrc), bind->wrapper);
		pl->v[pl->n].symndx = i;
		pl->v[pl->n].bind = bind;
		pl->n++;
	}
	if (*wrapped)
		return iso_fail(err, "%s: already isolated (imports %s)", ko->path, wrapped);
	if (nunknown)
		return iso_fail(err, "%s: refused: %zu imported symbol%s ha%s no nooks wrapper "
				"(add %s to runtime/wrappers.tbl): %s", ko->path, nunknown,
				nunknown > 1 ? "s" : "", nunknown > 1 ? "ve" : "s",
				nunknown > 1 ? "them" : "it", unknown);
	if (*toolong)
		return iso_fail(err, "%s: wrapper names longer than the %d bytes of a modversion "
				"name: %s", ko->path, MODVERSION_NAME_LEN - 1, toolong);
	if (*nocrc)
		return iso_fail(err, "%s: the runtime's nooks.symvers has no CRC for: %s "
				"(nooks.ko older than the table?)", ko->path, nocrc);
	return 0;
}

/* Memory handed to libelf as section data; freed after elf_end(). */
struct owned {
	void *p[8];
	int n;
};

static int set_data(Elf_Data *d, struct buf *b, struct owned *own)
{
	if (own->n == (int)(sizeof(own->p) / sizeof(own->p[0])))
		return -1;
	own->p[own->n++] = b->p;
	d->d_buf = b->p;
	d->d_size = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
	return 0;
}

static int rename_imports(Elf *elf, const struct plan *pl, struct owned *own,
			  struct iso_err *err)
{
	Elf_Scn *symscn = elf_symtab(elf);
	Elf_Data *syms = elf_getdata(symscn, NULL);
	Elf_Data *strs;
	GElf_Shdr sh;
	struct buf nb = { 0 };

	gelf_getshdr(symscn, &sh);
	strs = elf_getdata(elf_getscn(elf, sh.sh_link), NULL);
	if (!syms || !strs || buf_put(&nb, strs->d_buf, strs->d_size))
		return iso_fail(err, "cannot read the symbol table: %s", elf_errmsg(-1));
	for (size_t i = 0; i < pl->n; i++) {
		GElf_Sym sym;
		const char *w = pl->v[i].bind->wrapper;

		gelf_getsym(syms, (int)pl->v[i].symndx, &sym);
		sym.st_name = (Elf64_Word)nb.len;
		if (buf_put(&nb, w, strlen(w) + 1) ||
		    !gelf_update_sym(syms, (int)pl->v[i].symndx, &sym)) {
			free(nb.p);
			return iso_fail(err, "cannot rename %s: %s", pl->v[i].bind->symbol, elf_errmsg(-1));
		}
	}
	elf_flagdata(syms, ELF_C_SET, ELF_F_DIRTY);
	if (set_data(strs, &nb, own)) {
		free(nb.p);
		return iso_fail(err, "internal: too many rebuilt sections");
	}
	return 0;
}

static void put_version(unsigned char *entry, uint32_t crc, const char *name)
{
	uint64_t crc64 = crc;	/* unsigned long on x86-64, little-endian like the file */

	memset(entry, 0, MODVERSION_ENTRY_SIZE);
	memcpy(entry, &crc64, sizeof(crc64));
	memcpy(entry + 8, name, strlen(name));
}

static int rewrite_versions(Elf *elf, size_t shstrndx, struct plan *pl, struct owned *own,
			    size_t *changed, struct iso_err *err)
{
	Elf_Scn *scn = elf_section_by_name(elf, shstrndx, "__versions");
	Elf_Data *d;
	struct buf nb = { 0 };

	*changed = 0;
	if (!scn)
		return 0;	/* built without CONFIG_MODVERSIONS: nothing to keep in step */
	d = elf_getdata(scn, NULL);
	if (!d || d->d_size % MODVERSION_ENTRY_SIZE)
		return iso_fail(err, "__versions is %zu bytes, not a whole number of %d-byte entries",
				d ? d->d_size : 0, MODVERSION_ENTRY_SIZE);
	if (buf_put(&nb, d->d_buf, d->d_size))
		return iso_fail(err, "out of memory");
	for (size_t off = 0; off < nb.len; off += MODVERSION_ENTRY_SIZE) {
		char name[MODVERSION_NAME_LEN + 1] = "";

		memcpy(name, nb.p + off + 8, MODVERSION_NAME_LEN);
		for (size_t i = 0; i < pl->n; i++) {
			if (strcmp(name, pl->v[i].bind->symbol) != 0)
				continue;
			put_version(nb.p + off, pl->v[i].bind->crc, pl->v[i].bind->wrapper);
			pl->v[i].versioned = true;
			(*changed)++;
		}
	}
	/* an import the build did not version still needs an entry now */
	for (size_t i = 0; i < pl->n; i++) {
		unsigned char entry[MODVERSION_ENTRY_SIZE];

		if (pl->v[i].versioned)
			continue;
		put_version(entry, pl->v[i].bind->crc, pl->v[i].bind->wrapper);
		if (buf_put(&nb, entry, sizeof(entry))) {
			free(nb.p);
			return iso_fail(err, "out of memory");
		}
		(*changed)++;
	}
	if (set_data(d, &nb, own)) {
		free(nb.p);
		return iso_fail(err, "internal: too many rebuilt sections");
	}
	return 0;
}

/* "depends=a,b" + nooks, unless already there. */
void modinfo_merge_depends(const char *old, char *out, size_t len)
{
	const char *v = old + strlen("depends=");
	size_t n = strlen(NOOKS_MODULE_NAME);

	for (const char *p = v; *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : p + strlen(p)) {
		if (strncmp(p, NOOKS_MODULE_NAME, n) == 0 && (p[n] == ',' || p[n] == '\0')) {
			snprintf(out, len, "%s", old);
			return;
		}
	}
	snprintf(out, len, "depends=%s%s%s", v, *v ? "," : "", NOOKS_MODULE_NAME);
}

/*
 * Rebuilds .modinfo with the merged depends= in place of the old one. The
 * strings after it move, so the symbols that name them (one per
 * MODULE_INFO: __UNIQUE_ID_*) are moved along.
 */
static int add_depends(Elf *elf, size_t shstrndx, struct owned *own, struct iso_err *err)
{
	Elf_Scn *scn = elf_section_by_name(elf, shstrndx, ".modinfo");
	Elf_Scn *symscn = elf_symtab(elf), *s = NULL;
	Elf_Data *d, *syms;
	struct buf nb = { 0 };
	size_t at = (size_t)-1, oldlen = 0, newlen = 0;
	char dep[1024];
	GElf_Shdr sh;

	if (!scn)
		return iso_fail(err, "no .modinfo section: not a kernel module");
	d = elf_getdata(scn, NULL);
	if (!d || (d->d_size && ((char *)d->d_buf)[d->d_size - 1] != '\0'))
		return iso_fail(err, ".modinfo is not a list of NUL-terminated strings");
	while ((s = elf_nextscn(elf, s)))
		if (gelf_getshdr(s, &sh) && (sh.sh_type == SHT_RELA || sh.sh_type == SHT_REL) &&
		    sh.sh_info == elf_ndxscn(scn))
			return iso_fail(err, ".modinfo has relocations: cannot move its strings");
	for (size_t off = 0; off < d->d_size;) {
		const char *str = (const char *)d->d_buf + off;
		size_t n = strlen(str) + 1;

		if (at == (size_t)-1 && starts_with(str, "depends=")) {
			modinfo_merge_depends(str, dep, sizeof(dep));
			at = off;
			oldlen = n;
			newlen = strlen(dep) + 1;
			if (buf_put(&nb, dep, newlen))
				goto oom;
		} else if (buf_put(&nb, str, n)) {
			goto oom;
		}
		off += n;
	}
	if (at == (size_t)-1) {
		snprintf(dep, sizeof(dep), "depends=%s", NOOKS_MODULE_NAME);
		if (buf_put(&nb, dep, strlen(dep) + 1))
			goto oom;
	}
	if (set_data(d, &nb, own))
		goto oom;
	if (at == (size_t)-1 || newlen == oldlen)
		return 0;
	syms = elf_getdata(symscn, NULL);
	gelf_getshdr(symscn, &sh);
	for (size_t i = 1; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym sym;

		if (!gelf_getsym(syms, (int)i, &sym) || sym.st_shndx != elf_ndxscn(scn) ||
		    sym.st_value <= at)
			continue;
		sym.st_value += newlen - oldlen;
		gelf_update_sym(syms, (int)i, &sym);
	}
	elf_flagdata(syms, ELF_C_SET, ELF_F_DIRTY);
	return 0;
oom:
	free(nb.p);
	return iso_fail(err, "out of memory");
}

static int keep_sections_resident(Elf *elf, size_t shstrndx, struct owned *own,
				  size_t *renamed, struct iso_err *err)
{
	Elf_Scn *strscn = elf_getscn(elf, shstrndx), *scn = NULL;
	Elf_Data *d = elf_getdata(strscn, NULL);
	struct buf nb = { 0 };

	*renamed = 0;
	if (!d || buf_put(&nb, d->d_buf, d->d_size))
		return iso_fail(err, "cannot read the section name table");
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		char newname[256];
		const char *name;

		gelf_getshdr(scn, &sh);
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || !resident_section_name(name, newname, sizeof(newname)))
			continue;
		sh.sh_name = (Elf64_Word)nb.len;
		if (buf_put(&nb, newname, strlen(newname) + 1) || !gelf_update_shdr(scn, &sh)) {
			free(nb.p);
			return iso_fail(err, "cannot rename section %s: %s", name, elf_errmsg(-1));
		}
		(*renamed)++;
	}
	if (set_data(d, &nb, own)) {
		free(nb.p);
		return iso_fail(err, "internal: too many rebuilt sections");
	}
	return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* Applies the plan to a copy of the (unsigned) input at tmp_path. */
static int rewrite_copy(const struct kofile *ko, const char *tmp_path, int fd, struct plan *pl,
			struct rewrite_stats *st, struct iso_err *err)
{
	struct owned own = { .n = 0 };
	Elf *elf;
	size_t shstrndx;
	int rc = -1;

	if (write_all(fd, ko->bytes, ko->size) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		return iso_fail(err, "%s: %s", tmp_path, strerror(errno));
	elf = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return iso_fail(err, "%s: libelf: %s", tmp_path, elf_errmsg(-1));
	/*
	 * Read every section now: elf_update() lays the grown file out anew
	 * and must not overwrite bytes it has not read yet.
	 */
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		if (!elf_getdata(scn, NULL) && elf_errno() != 0) {
			iso_fail(err, "%s: section %zu: %s", tmp_path, elf_ndxscn(scn), elf_errmsg(-1));
			goto out;
		}
	}
	if (rename_imports(elf, pl, &own, err) ||
	    rewrite_versions(elf, shstrndx, pl, &own, &st->versions, err) ||
	    add_depends(elf, shstrndx, &own, err) ||
	    keep_sections_resident(elf, shstrndx, &own, &st->sections, err))
		goto out;
	if (elf_update(elf, ELF_C_WRITE) < 0) {
		iso_fail(err, "%s: writing: %s", tmp_path, elf_errmsg(-1));
		goto out;
	}
	rc = 0;
out:
	elf_end(elf);
	for (int i = 0; i < own.n; i++)
		free(own.p[i]);
	return rc;
}

int isolate_module(const char *in_path, const char *out_path, const struct bindings *b,
		   struct rewrite_stats *st, struct iso_err *err)
{
	struct kofile ko;
	struct plan pl = { 0 };
	char *tmp = NULL;
	int fd = -1, rc = -1;

	memset(st, 0, sizeof(*st));
	if (kofile_open(&ko, in_path, err))
		return -1;
	if (plan_rebinding(&ko, b, &pl, err))
		goto out;
	if (asprintf(&tmp, "%s.tmp.XXXXXX", out_path) < 0) {
		tmp = NULL;
		iso_fail(err, "out of memory");
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		iso_fail(err, "%s: %s", out_path, strerror(errno));
		goto out;
	}
	if (rewrite_copy(&ko, tmp, fd, &pl, st, err))
		goto out;
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		iso_fail(err, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, out_path) != 0) {
		iso_fail(err, "%s: %s", out_path, strerror(errno));
		goto out;
	}
	st->renamed = pl.n;
	st->kernel_bound = pl.kernel_bound;
	st->signature = ko.signature_size;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp)
		unlink(tmp);
	free(tmp);
	free(pl.v);
	kofile_close(&ko);
	return rc;
}
