/*
 * nooks-isolate: rebinds a driver module's imports to the nooks wrappers.
 *
 * Internal interface between the files of the tool: bindings.c (what nooks
 * wraps, from nooks-imports.txt and nooks.symvers), kofile.c (reading and
 * validating a .ko, its signature), rewrite.c (the isolation itself) and
 * report.c (--report).
 */
#ifndef NOOKS_ISOLATE_H
#define NOOKS_ISOLATE_H

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* struct modversion_info in the kernel: unsigned long crc; char name[64 - 8]. */
#define MODVERSION_ENTRY_SIZE 64
#define MODVERSION_NAME_LEN (MODVERSION_ENTRY_SIZE - 8)
#define NOOKS_WRAPPER_PREFIX "nooks_w_"
#define NOOKS_MODULE_NAME "nooks"
#define MODULE_SIG_MAGIC "~Module signature appended~\n"

/* Error text for the caller to print; functions return -1 after iso_fail(). */
struct iso_err {
	char msg[8192];
};
int iso_fail(struct iso_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- bindings.c ---------------------------------------------------------- */
enum binding_kind { BIND_WRAP, BIND_KERNEL };

struct binding {
	char *symbol;		/* the kernel symbol the driver imports */
	enum binding_kind kind;
	char *wrapper;		/* BIND_WRAP: nooks_w_<symbol> */
	char *class;		/* wrap: pass/alloc/...; kernel: the reason */
	bool has_crc;		/* BIND_WRAP: the wrapper's CRC is in nooks.symvers */
	uint32_t crc;
};

struct bindings {
	struct binding *v;
	size_t n;
};

/* Reads <dir>/nooks-imports.txt and <dir>/nooks.symvers. */
int bindings_load(struct bindings *b, const char *runtime_dir, struct iso_err *err);
int bindings_load_files(struct bindings *b, const char *imports_path,
			const char *symvers_path, struct iso_err *err);
const struct binding *bindings_find(const struct bindings *b, const char *symbol);
void bindings_free(struct bindings *b);

/* ---- kofile.c ------------------------------------------------------------- */
struct kofile {
	const char *path;
	unsigned char *bytes;	/* the file, without its signature */
	size_t size;
	size_t signature_size;	/* bytes stripped: 0 when unsigned */
	Elf *elf;		/* read-only view of bytes */
	size_t shstrndx;
};

/* Reads path, strips a module signature, checks it is an x86-64 relocatable ELF. */
int kofile_open(struct kofile *ko, const char *path, struct iso_err *err);
void kofile_close(struct kofile *ko);
/* Section lookup by name (NULL when absent). */
Elf_Scn *elf_section_by_name(Elf *elf, size_t shstrndx, const char *name);
Elf_Scn *elf_symtab(Elf *elf);

/* ---- rewrite.c -------------------------------------------------------------- */
struct rewrite_stats {
	size_t renamed;		/* imports bound to wrappers */
	size_t kernel_bound;	/* imports left to the kernel */
	size_t versions;	/* __versions entries rewritten or added */
	size_t sections;	/* section names changed */
	size_t signature;	/* signature bytes stripped */
};

int isolate_module(const char *in_path, const char *out_path, const struct bindings *b,
		   struct rewrite_stats *st, struct iso_err *err);
/* The new name of a section the loader would otherwise free or discard, or NULL. */
const char *resident_section_name(const char *name, char *buf, size_t len);
/* "depends=a,b" with nooks added unless it is there already. */
void modinfo_merge_depends(const char *old, char *out, size_t len);

/* ---- report.c ------------------------------------------------------------------ */
int report_module(const char *path, const struct bindings *b, bool json, FILE *out,
		  struct iso_err *err);

#endif
