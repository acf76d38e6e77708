/*
 * Reading a kernel module: the whole file into memory, its appended
 * signature (if any) cut off, and a check that it is what the loader wants
 * (64-bit little-endian x86-64 ET_REL) before libelf looks at it, so bad
 * input gets a sentence, not a crash.
 */
#include "isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* struct module_signature: algo, hash, id_type, signer_len, key_id_len, pad[3], __be32 sig_len */
#define MODULE_SIG_INFO_SIZE 12

static int read_whole_file(const char *path, unsigned char **bytes, size_t *size,
			   struct iso_err *err)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return iso_fail(err, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return iso_fail(err, "%s: not a regular file", path);
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return iso_fail(err, "%s: out of memory", path);
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n <= 0) {
			free(buf);
			close(fd);
			return iso_fail(err, "%s: read error: %s", path, n ? strerror(errno) : "short read");
		}
		got += n;
	}
	close(fd);
	*bytes = buf;
	*size = got;
	return 0;
}

/* The appended PKCS#7 signature: [sig][struct module_signature][magic]. */
static int strip_signature(struct kofile *ko, struct iso_err *err)
{
	size_t magic = strlen(MODULE_SIG_MAGIC);
	const unsigned char *info;
	uint32_t sig_len;

	if (ko->size < magic || memcmp(ko->bytes + ko->size - magic, MODULE_SIG_MAGIC, magic) != 0)
		return 0;
	if (ko->size < magic + MODULE_SIG_INFO_SIZE)
		return iso_fail(err, "%s: truncated module signature", ko->path);
	info = ko->bytes + ko->size - magic - MODULE_SIG_INFO_SIZE;
	sig_len = (uint32_t)info[8] << 24 | (uint32_t)info[9] << 16 |
		  (uint32_t)info[10] << 8 | info[11];
	if (sig_len > ko->size - magic - MODULE_SIG_INFO_SIZE)
		return iso_fail(err, "%s: module signature claims %u bytes, the file has fewer",
				ko->path, sig_len);
	ko->signature_size = magic + MODULE_SIG_INFO_SIZE + sig_len;
	ko->size -= ko->signature_size;
	return 0;
}

static int check_header(const struct kofile *ko, struct iso_err *err)
{
	Elf64_Ehdr eh;

	if (ko->size < SELFMAG || memcmp(ko->bytes, ELFMAG, SELFMAG) != 0)
		return iso_fail(err, "%s: not an ELF file", ko->path);
	if (ko->size < EI_NIDENT || ko->bytes[EI_CLASS] != ELFCLASS64)
		return iso_fail(err, "%s: not a 64-bit ELF file (x86-64 kernel modules are ELFCLASS64)",
				ko->path);
	if (ko->size < sizeof(eh))
		return iso_fail(err, "%s: truncated: %zu bytes, shorter than an ELF header",
				ko->path, ko->size);
	memcpy(&eh, ko->bytes, sizeof(eh));
	if (ko->bytes[EI_DATA] != ELFDATA2LSB)
		return iso_fail(err, "%s: big-endian ELF, not an x86-64 module", ko->path);
	if (eh.e_machine != EM_X86_64)
		return iso_fail(err, "%s: ELF machine %u, not x86-64 (%u)", ko->path,
				eh.e_machine, EM_X86_64);
	if (eh.e_type != ET_REL)
		return iso_fail(err, "%s: ELF type %u, not relocatable (a kernel module is ET_REL)",
				ko->path, eh.e_type);
	if (eh.e_shoff == 0 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    eh.e_shoff > ko->size || (ko->size - eh.e_shoff) / sizeof(Elf64_Shdr) < eh.e_shnum)
		return iso_fail(err, "%s: truncated or corrupt: the section header table "
				"(%u entries at offset %llu) is not inside the %zu-byte file",
				ko->path, eh.e_shnum, (unsigned long long)eh.e_shoff, ko->size);
	return 0;
}

static int check_sections(const struct kofile *ko, struct iso_err *err)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(ko->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return iso_fail(err, "%s: bad section header: %s", ko->path, elf_errmsg(-1));
		if (sh.sh_type == SHT_NOBITS)
			continue;
		if (sh.sh_offset > ko->size || sh.sh_size > ko->size - sh.sh_offset)
			return iso_fail(err, "%s: truncated: section %zu ends at %llu, past the end "
					"of the %zu-byte file", ko->path, elf_ndxscn(scn),
					(unsigned long long)(sh.sh_offset + sh.sh_size), ko->size);
	}
	if (!elf_symtab(ko->elf))
		return iso_fail(err, "%s: no symbol table: not a kernel module", ko->path);
	return 0;
}

int kofile_open(struct kofile *ko, const char *path, struct iso_err *err)
{
	memset(ko, 0, sizeof(*ko));
	ko->path = path;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return iso_fail(err, "libelf: %s", elf_errmsg(-1));
	if (read_whole_file(path, &ko->bytes, &ko->size, err))
		return -1;
	if (strip_signature(ko, err) || check_header(ko, err))
		goto bad;
	ko->elf = elf_memory((char *)ko->bytes, ko->size);
	if (!ko->elf || elf_kind(ko->elf) != ELF_K_ELF) {
		iso_fail(err, "%s: libelf cannot read it: %s", path, elf_errmsg(-1));
		goto bad;
	}
	if (elf_getshdrstrndx(ko->elf, &ko->shstrndx) != 0) {
		iso_fail(err, "%s: no section name table: %s", path, elf_errmsg(-1));
		goto bad;
	}
	if (check_sections(ko, err))
		goto bad;
	return 0;
bad:
	kofile_close(ko);
	return -1;
}

void kofile_close(struct kofile *ko)
{
	if (ko->elf)
		elf_end(ko->elf);
	free(ko->bytes);
	ko->elf = NULL;
	ko->bytes = NULL;
}

Elf_Scn *elf_section_by_name(Elf *elf, size_t shstrndx, const char *name)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			continue;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (n && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

Elf_Scn *elf_symtab(Elf *elf)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			return scn;
	}
	return NULL;
}
