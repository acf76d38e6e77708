/*
 * --report: a driver's interface with the kernel, as nooks sees it.
 *  - imports, grouped by the class of their nooks binding (wrapper class, or
 *    the reason a symbol stays bound to the kernel, or "unknown");
 *  - callbacks: pointers to the driver's own functions stored in its data
 *    (.data*, .rodata*): the pci_driver, net_device_ops, ethtool_ops tables
 *    through which the kernel calls in. Found through relocations, which
 *    name either the function or its section plus an offset;
 *  - data symbols of the kernel it reads directly (no wrapper can see those).
 * The facts are collected once, then printed for people or as JSON.
 */
#include "isolate.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct import {
	const char *name;
	const char *group;	/* class or reason */
	const char *binding;	/* "wrap", "kernel" or "none" */
	bool called;		/* some relocation is a call (PLT32) */
	bool addressed;		/* some relocation takes its address or reads it */
	bool reads_data;	/* kernel data the driver reads directly */
};

struct callback {
	const char *function;
	const char *object;	/* NULL when no symbol covers the slot */
	const char *section;
	unsigned long long offset;	/* in object, or in section */
};

struct interface {
	struct import *imp;
	size_t nimp, nunknown;
	struct callback *cb;
	size_t ncb, cbcap;
};

static int cmp_import(const void *a, const void *b)
{
	const struct import *x = a, *y = b;
	int c = strcmp(x->group, y->group);

	return c ? c : strcmp(x->name, y->name);
}

/* The function of this module that starts at (shndx, value), or NULL. */
static const char *function_at(Elf *elf, Elf_Data *syms, const GElf_Shdr *symsh,
			       size_t shndx, GElf_Addr value)
{
	for (size_t i = 1; i < symsh->sh_size / symsh->sh_entsize; i++) {
		GElf_Sym s;

		if (gelf_getsym(syms, (int)i, &s) && GELF_ST_TYPE(s.st_info) == STT_FUNC &&
		    s.st_shndx == shndx && s.st_value == value)
			return elf_strptr(elf, symsh->sh_link, s.st_name);
	}
	return NULL;
}

/* The data object that holds (shndx, offset), e.g. e1000_netdev_ops. */
static const char *object_at(Elf *elf, Elf_Data *syms, const GElf_Shdr *symsh, size_t shndx,
			     GElf_Addr off, GElf_Addr *start)
{
	for (size_t i = 1; i < symsh->sh_size / symsh->sh_entsize; i++) {
		GElf_Sym s;

		if (gelf_getsym(syms, (int)i, &s) && GELF_ST_TYPE(s.st_info) == STT_OBJECT &&
		    s.st_shndx == shndx && s.st_value <= off && off < s.st_value + s.st_size) {
			*start = s.st_value;
			return elf_strptr(elf, symsh->sh_link, s.st_name);
		}
	}
	return NULL;
}

static bool is_data_section(const char *name, const GElf_Shdr *sh)
{
	return (sh->sh_flags & SHF_ALLOC) && !(sh->sh_flags & SHF_EXECINSTR) &&
	       (strncmp(name, ".data", 5) == 0 || strncmp(name, ".rodata", 7) == 0);
}

static int add_callback(struct interface *in, const struct callback *cb)
{
	if (in->ncb == in->cbcap) {
		size_t cap = in->cbcap ? 2 * in->cbcap : 64;
		struct callback *p = realloc(in->cb, cap * sizeof(*p));

		if (!p)
			return -1;
		in->cb = p;
		in->cbcap = cap;
	}
	in->cb[in->ncb++] = *cb;
	return 0;
}

/* One relocation in a data section: a callback if it points at a function start. */
static int note_callback(const struct kofile *ko, Elf_Data *syms, const GElf_Shdr *symsh,
			 size_t data_shndx, const char *data_name, const GElf_Rela *r,
			 struct interface *in)
{
	GElf_Sym s;
	GElf_Shdr fsh;
	GElf_Addr objstart = 0;
	struct callback cb = { .section = data_name };

	if (!gelf_getsym(syms, (int)GELF_R_SYM(r->r_info), &s) ||
	    s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE ||
	    !gelf_getshdr(elf_getscn(ko->elf, s.st_shndx), &fsh) ||
	    !(fsh.sh_flags & SHF_EXECINSTR))
		return 0;
	if (GELF_ST_TYPE(s.st_info) == STT_FUNC && r->r_addend == 0)
		cb.function = elf_strptr(ko->elf, symsh->sh_link, s.st_name);
	else if (GELF_ST_TYPE(s.st_info) == STT_SECTION)
		cb.function = function_at(ko->elf, syms, symsh, s.st_shndx,
					  s.st_value + r->r_addend);
	if (!cb.function)
		return 0;
	cb.object = object_at(ko->elf, syms, symsh, data_shndx, r->r_offset, &objstart);
	cb.offset = r->r_offset - (cb.object ? objstart : 0);
	return add_callback(in, &cb);
}

static int find_callbacks(const struct kofile *ko, Elf_Data *syms, const GElf_Shdr *symsh,
			  struct interface *in)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(ko->elf, scn))) {
		GElf_Shdr rsh, tsh;
		Elf_Scn *target;
		Elf_Data *rd;
		const char *tname;

		if (!gelf_getshdr(scn, &rsh) || rsh.sh_type != SHT_RELA || rsh.sh_entsize == 0)
			continue;
		target = elf_getscn(ko->elf, rsh.sh_info);
		if (!target || !gelf_getshdr(target, &tsh))
			continue;
		tname = elf_strptr(ko->elf, ko->shstrndx, tsh.sh_name);
		if (!tname || !is_data_section(tname, &tsh))
			continue;
		rd = elf_getdata(scn, NULL);
		for (size_t i = 0; rd && i < rsh.sh_size / rsh.sh_entsize; i++) {
			GElf_Rela r;

			if (gelf_getrela(rd, (int)i, &r) &&
			    note_callback(ko, syms, symsh, rsh.sh_info, tname, &r, in))
				return -1;
		}
	}
	return 0;
}

/* How each import is used: called (PLT32) or addressed/read (anything else). */
static void classify_uses(const struct kofile *ko, struct import *imp, const size_t *symidx,
			  size_t nimp)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(ko->elf, scn))) {
		GElf_Shdr rsh;
		Elf_Data *rd;

		if (!gelf_getshdr(scn, &rsh) || rsh.sh_type != SHT_RELA || rsh.sh_entsize == 0)
			continue;
		rd = elf_getdata(scn, NULL);
		for (size_t i = 0; rd && i < rsh.sh_size / rsh.sh_entsize; i++) {
			GElf_Rela r;

			if (!gelf_getrela(rd, (int)i, &r))
				continue;
			for (size_t k = 0; k < nimp; k++) {
				if (symidx[k] != GELF_R_SYM(r.r_info))
					continue;
				if (GELF_R_TYPE(r.r_info) == R_X86_64_PLT32)
					imp[k].called = true;
				else
					imp[k].addressed = true;
			}
		}
	}
}

static bool is_data_reason(const char *g)
{
	return strcmp(g, "data") == 0 || strcmp(g, "percpu") == 0 || strcmp(g, "static-key") == 0;
}

static int collect_imports(const struct kofile *ko, Elf_Data *syms, const GElf_Shdr *symsh,
			   const struct bindings *b, struct interface *in)
{
	size_t count = symsh->sh_size / symsh->sh_entsize;
	size_t *symidx = calloc(count + 1, sizeof(*symidx));

	in->imp = calloc(count + 1, sizeof(*in->imp));
	if (!symidx || !in->imp) {
		free(symidx);
		return -1;
	}
	for (size_t i = 1; i < count; i++) {
		GElf_Sym s;
		const char *name;
		const struct binding *bind;
		struct import *im = &in->imp[in->nimp];

		if (!gelf_getsym(syms, (int)i, &s) || s.st_shndx != SHN_UNDEF)
			continue;
		name = elf_strptr(ko->elf, symsh->sh_link, s.st_name);
		if (!name || !*name)
			continue;
		bind = b ? bindings_find(b, name) : NULL;
		im->name = name;
		im->group = bind ? bind->class : "unknown";
		im->binding = !bind ? "none" : bind->kind == BIND_WRAP ? "wrap" : "kernel";
		in->nunknown += !bind;
		symidx[in->nimp++] = i;
	}
	classify_uses(ko, in->imp, symidx, in->nimp);
	for (size_t k = 0; k < in->nimp; k++) {
		struct import *im = &in->imp[k];

		/* unknown imports: judged by how the code uses them */
		im->reads_data = strcmp(im->binding, "kernel") == 0 ? is_data_reason(im->group)
			       : strcmp(im->binding, "none") == 0 && im->addressed && !im->called;
	}
	free(symidx);
	qsort(in->imp, in->nimp, sizeof(*in->imp), cmp_import);
	return 0;
}

static void print_text(const char *path, const struct kofile *ko, const struct interface *in,
		       FILE *out)
{
	const char *group = NULL;

	fprintf(out, "%s: %zu imports%s\n", path, in->nimp,
		ko->signature_size ? " (signed module)" : "");
	fputs("imports by class (wrap classes: pass alloc free lock unlock custom; "
	      "kernel-bound: data percpu static-key static-call compiler noreturn address-taken):\n", out);
	for (size_t i = 0; i < in->nimp; i++) {
		const struct import *im = &in->imp[i];

		if (!group || strcmp(group, im->group) != 0) {
			size_t n = 0;

			for (size_t k = i; k < in->nimp && strcmp(in->imp[k].group, im->group) == 0; k++)
				n++;
			group = im->group;
			if (strcmp(im->binding, "none") == 0)
				fprintf(out, "  unknown (no nooks binding) (%zu):\n", n);
			else
				fprintf(out, "  %s %s (%zu):\n", im->binding, group, n);
		}
		fprintf(out, "    %s%s\n", im->name,
			!im->called && im->addressed ? "  [address taken or read]" : "");
	}
	fputs("callbacks (pointers to its own functions stored in its data):\n", out);
	for (size_t i = 0; i < in->ncb; i++) {
		const struct callback *cb = &in->cb[i];

		if (cb->object)
			fprintf(out, "  %-28s %s+0x%llx\t(%s)\n", cb->function, cb->object,
				cb->offset, cb->section);
		else
			fprintf(out, "  %-28s %s+0x%llx\n", cb->function, cb->section, cb->offset);
	}
	fputs("kernel data it reads directly:\n   ", out);
	for (size_t i = 0; i < in->nimp; i++)
		if (in->imp[i].reads_data)
			fprintf(out, " %s", in->imp[i].name);
	fprintf(out, "\nsummary: %zu imports, %zu without a nooks binding, %zu callbacks\n",
		in->nimp, in->nunknown, in->ncb);
}

static int print_json(const char *path, const struct kofile *ko, const struct interface *in,
		      FILE *out)
{
	json_t *root = json_object(), *imports = json_array(), *cbs = json_array();
	json_t *data = json_array();
	int rc;

	for (size_t i = 0; i < in->nimp; i++) {
		const struct import *im = &in->imp[i];

		json_array_append_new(imports, json_pack("{s:s, s:s, s:s, s:b, s:b}",
			"symbol", im->name, "binding", im->binding, "class", im->group,
			"called", im->called, "address_taken", im->addressed));
		if (im->reads_data)
			json_array_append_new(data, json_string(im->name));
	}
	for (size_t i = 0; i < in->ncb; i++) {
		const struct callback *cb = &in->cb[i];

		json_array_append_new(cbs, json_pack("{s:s, s:o, s:s, s:I}",
			"function", cb->function,
			"object", cb->object ? json_string(cb->object) : json_null(),
			"section", cb->section, "offset", (json_int_t)cb->offset));
	}
	json_object_set_new(root, "module", json_string(path));
	json_object_set_new(root, "signed", json_boolean(ko->signature_size != 0));
	json_object_set_new(root, "imports", imports);
	json_object_set_new(root, "unbound", json_integer((json_int_t)in->nunknown));
	json_object_set_new(root, "callbacks", cbs);
	json_object_set_new(root, "reads_kernel_data", data);
	rc = json_dumpf(root, out, JSON_COMPACT);
	fputc('\n', out);
	json_decref(root);
	return rc;
}

int report_module(const char *path, const struct bindings *b, bool json, FILE *out,
		  struct iso_err *err)
{
	struct kofile ko;
	struct interface in = { 0 };
	Elf_Scn *symscn;
	Elf_Data *syms;
	GElf_Shdr symsh;
	int rc = -1;

	if (kofile_open(&ko, path, err))
		return -1;
	symscn = elf_symtab(ko.elf);
	syms = elf_getdata(symscn, NULL);
	if (!syms || !gelf_getshdr(symscn, &symsh) || symsh.sh_entsize != sizeof(Elf64_Sym)) {
		iso_fail(err, "%s: unreadable symbol table", path);
		goto out;
	}
	if (collect_imports(&ko, syms, &symsh, b, &in) ||
	    find_callbacks(&ko, syms, &symsh, &in)) {
		iso_fail(err, "out of memory");
		goto out;
	}
	if (json) {
		if (print_json(path, &ko, &in, out)) {
			iso_fail(err, "writing JSON failed");
			goto out;
		}
	} else {
		print_text(path, &ko, &in, out);
	}
	rc = 0;
out:
	free(in.imp);
	free(in.cb);
	kofile_close(&ko);
	return rc;
}
