/*
 * Load-time application: the mutated module is the original ELF (its appended
 * signature dropped: it would no longer be true) with the plan's bytes
 * rewritten in place and the relocations of blanked instructions set to
 * R_X86_64_NONE -- all through libelf, with the file layout frozen
 * (ELF_F_LAYOUT) so every offset that ORC, __ex_table, __bug_table and friends
 * hold stays right. The result is re-read and checked against the relocation
 * rule before it is kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

static const struct inj_reloc *reloc_by_index(const struct inj_section *s, size_t index)
{
	for (size_t i = 0; i < s->nrelocs; i++)
		if (s->relocs[i].index == index)
			return &s->relocs[i];
	return NULL;
}

/* Everything a plan claims about the file must hold before anything is written. */
static int validate_fault(struct inj_module *m, const struct inj_fault *f, size_t k,
			  struct inj_error *err)
{
	int si = inj_module_section_index(m, f->section);
	const struct inj_section *s;

	if (si < 0) {
		inj_err(err, "fault %zu: no section %s in %s", k, f->section, m->id.name);
		return -1;
	}
	s = &m->secs[si];
	if (!(f->modes & INJ_MODE_LOAD)) {
		inj_err(err, "fault %zu (%s): run-time only, cannot be written into the file", k,
			inj_type_name(f->type));
		return -1;
	}
	if (!s->data || f->off + f->len > s->size || f->len == 0) {
		inj_err(err, "fault %zu: %s+%#llx..+%u is outside the section's file bytes", k,
			f->section, (unsigned long long)f->off, f->len);
		return -1;
	}
	if (memcmp(s->data + f->off, f->old_bytes, f->len)) {
		inj_err(err, "fault %zu: bytes at %s+%#llx differ from the plan's old bytes", k,
			f->section, (unsigned long long)f->off);
		return -1;
	}
	if (s->exec && !inj_decodes_exactly(m, f->new_bytes, f->len, f->off)) {
		inj_err(err, "fault %zu: new bytes are not valid x86-64 instructions", k);
		return -1;
	}
	for (size_t i = 0; i < f->nrelocs; i++) {
		const struct inj_reloc *r = (f->relocs[i].rela_sec == s->rela)
						    ? reloc_by_index(s, f->relocs[i].index) : NULL;
		if (!r || r->offset != f->relocs[i].r_offset) {
			inj_err(err, "fault %zu: relocation %zu of section %d does not match", k,
				f->relocs[i].index, f->relocs[i].rela_sec);
			return -1;
		}
	}
	return 0;
}

static int patch_elf(struct inj_module *m, const struct inj_plan *p, int fd,
		     struct inj_error *err)
{
	Elf *e;
	int rc = -1;

	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!e) {
		inj_err(err, "libelf: %s", elf_errmsg(-1));
		return -1;
	}
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	for (size_t k = 0; k < p->nfaults; k++) {
		const struct inj_fault *f = &p->faults[k];
		int si = inj_module_section_index(m, f->section);
		Elf_Scn *scn = elf_getscn(e, si);
		Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;

		if (!d || !d->d_buf || f->off + f->len > d->d_size) {
			inj_err(err, "libelf: cannot get data of %s", f->section);
			goto out;
		}
		memcpy((uint8_t *)d->d_buf + f->off, f->new_bytes, f->len);
		elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
		for (size_t i = 0; i < f->nrelocs; i++) {
			Elf_Scn *rs = elf_getscn(e, f->relocs[i].rela_sec);
			Elf_Data *rd = rs ? elf_getdata(rs, NULL) : NULL;
			GElf_Rela r;

			if (!rd || !gelf_getrela(rd, (int)f->relocs[i].index, &r)) {
				inj_err(err, "libelf: cannot read relocation %zu", f->relocs[i].index);
				goto out;
			}
			r.r_info = GELF_R_INFO(0, R_X86_64_NONE);
			r.r_addend = 0;
			gelf_update_rela(rd, (int)f->relocs[i].index, &r);
			elf_flagdata(rd, ELF_C_SET, ELF_F_DIRTY);
		}
	}
	if (elf_update(e, ELF_C_WRITE) < 0) {
		inj_err(err, "libelf: writing the module failed: %s", elf_errmsg(-1));
		goto out;
	}
	rc = 0;
out:
	elf_end(e);
	return rc;
}

static int write_all(int fd, const uint8_t *p, size_t n)
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

static uint8_t *read_fd(int fd, size_t *size)
{
	struct stat st;
	uint8_t *b;

	if (fstat(fd, &st) || lseek(fd, 0, SEEK_SET) < 0)
		return NULL;
	b = malloc(st.st_size ? st.st_size : 1);
	if (b && pread(fd, b, st.st_size, 0) != st.st_size) {
		free(b);
		return NULL;
	}
	*size = st.st_size;
	return b;
}

/*
 * libelf keeps each section at the file offset the input claims; a corrupt
 * header can make it write a sparse file of exabytes. A mutated module is
 * never much bigger than its input.
 */
static int module_out_too_big(const struct inj_module *m, int fd, struct inj_error *err)
{
	struct stat st;

	if (fstat(fd, &st))
		return 0;	/* read_fd reports it */
	if ((uint64_t)st.st_size <= 2 * (uint64_t)m->size + (1u << 20))
		return 0;
	inj_err(err, "libelf laid out a %llu-byte module from a %zu-byte input: corrupt section offsets",
		(unsigned long long)st.st_size, m->size);
	return 1;
}

/* Write the mutated module to fd and verify it; the image read back on success. */
static int apply_fd(struct inj_module *m, const struct inj_plan *p, int fd, uint8_t **img,
		    size_t *img_size, struct inj_error *err)
{
	struct inj_module *mut;
	uint8_t *b;
	size_t n;

	if (inj_plan_check_binary(p, m, err))
		return -1;
	for (size_t k = 0; k < p->nfaults; k++)
		if (validate_fault(m, &p->faults[k], k, err))
			return -1;
	if (write_all(fd, m->buf, m->size) || patch_elf(m, p, fd, err) < 0) {
		if (!*err->msg)
			inj_err(err, "writing the module: %s", strerror(errno));
		return -1;
	}
	if (module_out_too_big(m, fd, err))
		return -1;
	b = read_fd(fd, &n);
	if (!b) {
		inj_err(err, "reading back the module: %s", strerror(errno));
		return -1;
	}
	mut = inj_module_open_mem(b, n, "mutated", err);
	if (!mut || inj_check_relocs(m, mut, err)) {
		inj_module_close(mut);
		free(b);
		return -1;
	}
	inj_module_close(mut);
	if (img) {
		*img = b;
		*img_size = n;
	} else {
		free(b);
	}
	return 0;
}

int inj_apply_image(struct inj_module *m, const struct inj_plan *p, uint8_t **img,
		    size_t *img_size, struct inj_error *err)
{
	int fd = memfd_create("inject", MFD_CLOEXEC), rc;

	if (fd < 0) {
		inj_err(err, "memfd_create: %s", strerror(errno));
		return -1;
	}
	err->msg[0] = 0;
	rc = apply_fd(m, p, fd, img, img_size, err);
	close(fd);
	return rc;
}

int inj_apply_write(struct inj_module *m, const struct inj_plan *p, const char *out_path,
		    struct inj_error *err)
{
	int fd = open(out_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), rc;

	if (fd < 0) {
		inj_err(err, "%s: %s", out_path, strerror(errno));
		return -1;
	}
	err->msg[0] = 0;
	rc = apply_fd(m, p, fd, NULL, NULL, err);
	close(fd);
	if (rc)
		unlink(out_path);
	return rc;
}

int inj_check_relocs(struct inj_module *orig, struct inj_module *mut, struct inj_error *err)
{
	int bad = 0;

	if (orig->nsecs != mut->nsecs) {
		inj_err(err, "section count changed");
		return 1;
	}
	for (size_t i = 0; i < orig->nsecs; i++) {
		const struct inj_section *a = &orig->secs[i], *b = &mut->secs[i];

		if (a->size != b->size || a->nrelocs != b->nrelocs || strcmp(a->name, b->name)) {
			inj_err(err, "section %s changed shape", a->name);
			return 1;
		}
		for (size_t k = 0; k < b->nrelocs; k++) {
			const struct inj_reloc *ra = &a->relocs[k], *rb = &b->relocs[k];
			bool changed = false;
			uint64_t len = ra->size;

			for (uint64_t x = 0; x < len && a->data && b->data; x++)
				changed |= a->data[ra->offset + x] != b->data[ra->offset + x];
			if (rb->type != R_X86_64_NONE && changed) {
				inj_err(err, "relocation %zu of %s (type %u) lands on rewritten bytes "
					"at %#llx", rb->index, a->name, rb->type,
					(unsigned long long)rb->offset);
				bad++;
			}
			if (ra->type != R_X86_64_NONE && rb->type == R_X86_64_NONE && !changed) {
				inj_err(err, "relocation %zu of %s removed though its bytes are "
					"unchanged", rb->index, a->name);
				bad++;
			}
		}
	}
	return bad;
}
