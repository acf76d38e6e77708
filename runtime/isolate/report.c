/*
 * --report: a driver's interface with the kernel, as nooks sees it.
 *  - imports, grouped by the class of their nooks binding (wrapper class, or
 *    the reason a symbol stays bound to the kernel, or "unknown");
 *  - callbacks: pointers to the driver's own functions stored in its data
 *    (.data*, .rodata*): the pci_driver, net_device_ops, ethtool_ops tables
 *    through which the kernel calls in. Found through relocations, which
 *    name either the function or its section plus an offset;
 *  - data symbols of the kernel it reads directly (no wrapper can see those).
 */
#include "isolate.h"

#include <stdlib.h>
#include <string.h>

struct import {
	const char *name;
	const char *group;	/* class or reason */
	bool called;		/* some relocation is a call (PLT32) */
	bool addressed;		/* some relocation takes its address or reads it */
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

static void report_callbacks(const struct kofile *ko, Elf_Data *syms, const GElf_Shdr *symsh,
			     FILE *out, size_t *ncallbacks)
{
	Elf_Scn *scn = NULL;

	fputs("callbacks (pointers to its own functions stored in its data):\n", out);
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
			GElf_Sym s;
			GElf_Shdr fsh;
			GElf_Addr objstart = 0, target_off;
			const char *fn = NULL, *obj;

			if (!gelf_getrela(rd, (int)i, &r) ||
			    !gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &s) ||
			    s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE)
				continue;
			if (!gelf_getshdr(elf_getscn(ko->elf, s.st_shndx), &fsh) ||
			    !(fsh.sh_flags & SHF_EXECINSTR))
				continue;
			target_off = s.st_value + r.r_addend;
			if (GELF_ST_TYPE(s.st_info) == STT_FUNC && r.r_addend == 0)
				fn = elf_strptr(ko->elf, symsh->sh_link, s.st_name);
			else if (GELF_ST_TYPE(s.st_info) == STT_SECTION)
				fn = function_at(ko->elf, syms, symsh, s.st_shndx, target_off);
			if (!fn)
				continue;
			obj = object_at(ko->elf, syms, symsh, rsh.sh_info, r.r_offset, &objstart);
			if (obj)
				fprintf(out, "  %-28s %s+0x%llx\t(%s)\n", fn, obj,
					(unsigned long long)(r.r_offset - objstart), tname);
			else
				fprintf(out, "  %-28s %s+0x%llx\n", fn, tname,
					(unsigned long long)r.r_offset);
			(*ncallbacks)++;
		}
	}
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

int report_module(const char *path, const struct bindings *b, FILE *out, struct iso_err *err)
{
	struct kofile ko;
	Elf_Scn *symscn;
	Elf_Data *syms;
	GElf_Shdr symsh;
	struct import *imp;
	size_t *symidx, nimp = 0, nunknown = 0, ncallbacks = 0, count;
	const char *group = NULL;

	if (kofile_open(&ko, path, err))
		return -1;
	symscn = elf_symtab(ko.elf);
	syms = elf_getdata(symscn, NULL);
	gelf_getshdr(symscn, &symsh);
	count = symsh.sh_entsize ? symsh.sh_size / symsh.sh_entsize : 0;
	imp = calloc(count + 1, sizeof(*imp));
	symidx = calloc(count + 1, sizeof(*symidx));
	if (!syms || !imp || !symidx) {
		free(imp);
		free(symidx);
		kofile_close(&ko);
		return iso_fail(err, "%s: cannot read the symbol table", path);
	}
	for (size_t i = 1; i < count; i++) {
		GElf_Sym s;
		const char *name;
		const struct binding *bind;

		if (!gelf_getsym(syms, (int)i, &s) || s.st_shndx != SHN_UNDEF)
			continue;
		name = elf_strptr(ko.elf, symsh.sh_link, s.st_name);
		if (!name || !*name)
			continue;
		bind = b ? bindings_find(b, name) : NULL;
		imp[nimp].name = name;
		imp[nimp].group = !bind ? "unknown (no nooks binding)"
			        : bind->kind == BIND_WRAP ? bind->class : bind->class;
		if (bind && bind->kind == BIND_KERNEL)
			imp[nimp].group = bind->class;
		nunknown += !bind;
		symidx[nimp++] = i;
	}
	classify_uses(&ko, imp, symidx, nimp);
	/* sort names and use flags together: symidx is no longer needed */
	qsort(imp, nimp, sizeof(*imp), cmp_import);

	fprintf(out, "%s: %zu imports%s\n", path, nimp,
		ko.signature_size ? " (signed module)" : "");
	fputs("imports by class (wrap classes: pass alloc free lock unlock custom; "
	      "kernel-bound: data percpu static-key static-call compiler noreturn address-taken):\n", out);
	for (size_t i = 0; i < nimp; i++) {
		const struct binding *bind = b ? bindings_find(b, imp[i].name) : NULL;
		const char *how = !bind ? "" : bind->kind == BIND_WRAP ? "wrap" : "kernel";

		if (!group || strcmp(group, imp[i].group) != 0) {
			size_t n = 0;

			for (size_t k = i; k < nimp && strcmp(imp[k].group, imp[i].group) == 0; k++)
				n++;
			group = imp[i].group;
			fprintf(out, "  %s%s%s (%zu):\n", how, *how ? " " : "", group, n);
		}
		fprintf(out, "    %s%s\n", imp[i].name,
			!imp[i].called && imp[i].addressed ? "  [address taken or read]" : "");
	}
	report_callbacks(&ko, syms, &symsh, out, &ncallbacks);
	fputs("kernel data it reads directly:\n   ", out);
	for (size_t i = 0; i < nimp; i++) {
		const struct binding *bind = b ? bindings_find(b, imp[i].name) : NULL;
		bool data = bind ? bind->kind == BIND_KERNEL && is_data_reason(bind->class)
				 : imp[i].addressed && !imp[i].called;

		if (data)
			fprintf(out, " %s", imp[i].name);
	}
	fprintf(out, "\nsummary: %zu imports, %zu without a nooks binding, %zu callbacks\n",
		nimp, nunknown, ncallbacks);
	free(imp);
	free(symidx);
	kofile_close(&ko);
	return 0;
}
