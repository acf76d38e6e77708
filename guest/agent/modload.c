/* Module loading; see modload.h. */
#include "modload.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fsutil.h"

int modinfo_get(const char *path, const char *key, char *out, size_t cap)
{
	size_t keylen = strlen(key), shstrndx;
	Elf_Scn *scn = NULL;
	Elf *elf;
	int fd, rc = EINVAL;

	out[0] = '\0';
	if (elf_version(EV_CURRENT) == EV_NONE)
		return EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF ||
	    elf_getshdrstrndx(elf, &shstrndx) != 0)
		goto out;
	rc = 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;
		const char *name, *p, *end;

		if (!gelf_getshdr(scn, &shdr))
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name || strcmp(name, ".modinfo") != 0)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			break;
		/* .modinfo is a run of NUL-terminated "key=value" strings. */
		p = data->d_buf;
		end = p + data->d_size;
		while (p < end) {
			size_t len = strnlen(p, (size_t)(end - p));

			if (len > keylen && strncmp(p, key, keylen) == 0 &&
			    p[keylen] == '=') {
				snprintf(out, cap, "%.*s", (int)(len - keylen - 1),
					 p + keylen + 1);
				break;
			}
			p += len + 1;
		}
		break;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}

void modload_default_dirs(struct moddep_dirs *dirs, char *kdir, size_t cap)
{
	struct utsname u;

	uname(&u);
	snprintf(kdir, cap, "/lib/modules/%s", u.release);
	dirs->nooks_dir = NOOKS_MODULE_DIR;
	dirs->kernel_dir = kdir;
}

static int finit_file(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, params, 0) != 0)
		rc = errno;
	close(fd);
	return rc;
}

int modload_load(const struct moddep_dirs *dirs, const char *spec,
		 const char *params, struct modload_result *res, char *msg,
		 size_t msglen)
{
	struct modplan plan;
	char depends[512], name[64];
	const char *main_path;
	long long t0;
	int rc;

	memset(res, 0, sizeof(*res));
	if (moddep_is_path(spec)) {
		rc = modinfo_get(spec, "depends", depends, sizeof(depends));
		if (rc) {
			snprintf(msg, msglen, "cannot read modinfo of %s: %s", spec,
				 strerror(rc));
			return rc;
		}
		rc = moddep_plan_file(dirs, spec, depends, &plan, msg, msglen);
	} else {
		rc = moddep_plan_name(dirs, spec, &plan, msg, msglen);
	}
	if (rc)
		return rc;

	for (int i = 0; i + 1 < plan.n; i++) {
		rc = finit_file(plan.path[i], "");
		if (rc == EEXIST)
			continue;
		if (rc) {
			snprintf(msg, msglen, "dependency %s: %s", plan.path[i],
				 strerror(rc));
			return rc;
		}
		res->deps_loaded++;
	}
	main_path = plan.path[plan.n - 1];
	snprintf(res->path, sizeof(res->path), "%s", main_path);
	if (modinfo_get(main_path, "name", name, sizeof(name)) || !name[0])
		moddep_name_of(main_path, name, sizeof(name));
	snprintf(res->name, sizeof(res->name), "%s", name);

	t0 = now_ms();
	rc = finit_file(main_path, params ? params : "");
	res->ms = now_ms() - t0;
	if (rc) {
		snprintf(msg, msglen, "finit_module %s: %s", main_path,
			 strerror(rc));
		return rc;
	}
	return 0;
}

int modload_unload(const char *name)
{
	char norm[64];

	moddep_name_of(name, norm, sizeof(norm));
	if (syscall(SYS_delete_module, norm, O_NONBLOCK) != 0)
		return errno;
	return 0;
}

int modload_is_loaded(const char *name)
{
	char path[128], norm[64];

	moddep_name_of(name, norm, sizeof(norm));
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", norm);
	return access(path, F_OK) == 0;
}
