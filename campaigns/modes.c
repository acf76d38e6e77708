/*
 * The campaign modes and what each does to a trial. A mode is data, not a
 * branch in the trial code: whether the mutated driver goes through
 * nooks-isolate, whether the ready snapshot loads nooks.ko and with which
 * module parameters, and what the guest kernel command line adds. The
 * parameters and kernel arguments can be changed per mode in the campaign
 * file (`nooks-pt.nooks_params = ...`), because the page-table runtime may
 * need other settings than the ones known today.
 *
 * The up-front check matters because the kernel ignores an unknown module
 * parameter with a warning: a nooks.ko without `isolation` would load
 * "isolation=pagetable" fine and the nooks-pt rows would silently be nooks
 * rows. So a parameter the module does not declare in .modinfo is an error
 * before any VM starts.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "campaign.h"

static const struct mode_setup known_modes[] = {
	{ "native", false, false, "", "" },
	{ "nooks", true, true, "", "" },
	/*
	 * runtime v2: the same isolated driver, nooks.ko in page-table mode.
	 * Without PGE the kernel's TLB entries are not global, so none of them
	 * survives the CR3 switch into the domain's read-only view (issue 6:
	 * "boot the guest with clearcpuid=pge or with PTI on"; 13 is PGE's bit,
	 * the spelling the runtime tests and its refusal message use).
	 */
	{ "nooks-pt", true, true, "isolation=pagetable", "clearcpuid=13" },
};
#define N_KNOWN_MODES (sizeof(known_modes) / sizeof(known_modes[0]))

_Static_assert(N_KNOWN_MODES <= CAMPAIGN_MAX_MODES, "campaign_cfg.setups too small");

const struct mode_setup *campaign_mode_default(const char *mode)
{
	for (size_t i = 0; i < N_KNOWN_MODES; i++)
		if (strcmp(known_modes[i].name, mode) == 0)
			return &known_modes[i];
	return NULL;
}

void campaign_modes_init(struct campaign_cfg *cfg)
{
	for (size_t i = 0; i < N_KNOWN_MODES; i++)
		cfg->setups[i] = known_modes[i];
}

const char *campaign_known_modes(void)
{
	return "native, nooks, nooks-pt";
}

const struct mode_setup *campaign_mode_setup_c(const struct campaign_cfg *cfg, const char *mode)
{
	if (!cfg->setups[0].name[0])	/* a zeroed cfg has the built-in setups */
		return campaign_mode_default(mode);
	for (size_t i = 0; i < N_KNOWN_MODES; i++)
		if (strcmp(cfg->setups[i].name, mode) == 0)
			return &cfg->setups[i];
	return NULL;
}

struct mode_setup *campaign_mode_setup(struct campaign_cfg *cfg, const char *mode)
{
	if (!cfg->setups[0].name[0])
		campaign_modes_init(cfg);
	/* cfg is not const here: the pointer is into it */
	return (struct mode_setup *)campaign_mode_setup_c(cfg, mode);
}

/*
 * Parameters go to the agent's `load` line and the kernel command line goes
 * to QEMU's -append: blank-separated words of printable ASCII, no quotes
 * (neither path has a shell or a quoting rule to honour them).
 */
static int check_words(const char *what, const char *s, bool need_eq, char *err, size_t errlen)
{
	const char *p = s;

	for (const char *c = s; *c; c++)
		if (!isprint((unsigned char)*c) || *c == '"' || *c == '\'' || *c == '\\') {
			snprintf(err, errlen, "%s '%s': only printable characters without quotes or backslashes",
				 what, s);
			return -1;
		}
	while (*p) {
		size_t len = strcspn(p, " ");
		const char *eq = memchr(p, '=', len);

		if (len && need_eq) {
			bool name_ok = eq && eq > p;

			for (const char *c = p; name_ok && c < eq; c++)
				name_ok = isalnum((unsigned char)*c) || *c == '_';
			if (!name_ok || eq == p + len - 1) {
				snprintf(err, errlen, "%s: '%.*s' is not name=value", what, (int)len, p);
				return -1;
			}
		}
		p += len;
		p += strspn(p, " ");
	}
	return 0;
}

int campaign_mode_key(struct campaign_cfg *cfg, const char *key, const char *value,
		      char *err, size_t errlen)
{
	const char *dot = strrchr(key, '.');
	char mode[32];
	struct mode_setup *s;
	char *dst;
	size_t dst_size;
	bool params;

	if (!dot || dot == key || (size_t)(dot - key) >= sizeof(mode)) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -1;
	}
	snprintf(mode, sizeof(mode), "%.*s", (int)(dot - key), key);
	s = campaign_mode_setup(cfg, mode);
	if (!s) {
		snprintf(err, errlen, "unknown mode '%s' in key '%s' (known: %s)", mode, key,
			 campaign_known_modes());
		return -1;
	}
	params = strcmp(dot + 1, "nooks_params") == 0;
	if (!params && strcmp(dot + 1, "kernel_args") != 0) {
		snprintf(err, errlen, "unknown key '%s' (per-mode keys: %s.nooks_params, %s.kernel_args)",
			 key, mode, mode);
		return -1;
	}
	if (params && !s->runtime) {
		snprintf(err, errlen, "mode %s does not load nooks.ko: it has no nooks_params", mode);
		return -1;
	}
	/* "none": the file format has no empty values */
	if (strcmp(value, "none") == 0)
		value = "";
	if (check_words(key, value, params, err, errlen) < 0)
		return -1;
	dst = params ? s->nooks_params : s->kernel_args;
	dst_size = params ? sizeof(s->nooks_params) : sizeof(s->kernel_args);
	if (strlen(value) >= dst_size) {
		snprintf(err, errlen, "%s: longer than %zu bytes", key, dst_size - 1);
		return -1;
	}
	snprintf(dst, dst_size, "%s", value);
	return 0;
}

int modinfo_declares_param(const char *modinfo, size_t len, const char *name)
{
	size_t name_len = strlen(name);

	/* .modinfo is NUL-separated "key=value" strings; parameters appear as
	 * "parm=NAME:description" and "parmtype=NAME:type" */
	for (size_t i = 0; i < len;) {
		const char *s = modinfo + i;
		size_t n = strnlen(s, len - i);

		for (const char *pfx = "parmtype=";; pfx = "parm=") {
			size_t pl = strlen(pfx);

			if (n > pl + name_len && strncmp(s, pfx, pl) == 0 &&
			    strncmp(s + pl, name, name_len) == 0 && s[pl + name_len] == ':')
				return 1;
			if (strcmp(pfx, "parm=") == 0)
				break;
		}
		i += n + 1;
	}
	return 0;
}

/* The .modinfo section of a .ko (libelf); copies at most size bytes. */
static ssize_t read_modinfo(const char *ko, char *buf, size_t size, char *err, size_t errlen)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	ssize_t got = -1;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", ko, strerror(errno));
		return -1;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0) {
		snprintf(err, errlen, "%s: not an ELF module (%s)", ko, elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".modinfo") != 0)
			continue;
		d = elf_getdata(scn, NULL);
		got = d && d->d_buf ? (ssize_t)(d->d_size < size ? d->d_size : size) : 0;
		if (got)
			memcpy(buf, d->d_buf, (size_t)got);
		break;
	}
	if (got < 0)
		snprintf(err, errlen, "%s: no .modinfo section", ko);
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return got;
}

int campaign_mode_supported(const struct mode_setup *s, const char *nooks_ko, char *why, size_t whylen)
{
	static char modinfo[1 << 16];
	const char *p;
	ssize_t len;

	if (!s->runtime || !s->nooks_params[0])
		return 1;
	len = read_modinfo(nooks_ko, modinfo, sizeof(modinfo), why, whylen);
	if (len < 0)
		return -1;
	for (p = s->nooks_params; *p; p += strspn(p, " ")) {
		size_t n = strcspn(p, " ");
		char name[128];
		size_t eq = strcspn(p, "=");

		snprintf(name, sizeof(name), "%.*s", (int)(eq < n ? eq : n), p);
		if (!modinfo_declares_param(modinfo, (size_t)len, name)) {
			snprintf(why, whylen, "unsupported by this nooks.ko: %s has no module parameter '%s' "
				 "(mode %s loads it with '%.*s'; the kernel would ignore an unknown parameter "
				 "and the trials would silently run another mode)",
				 nooks_ko, name, s->name, (int)n, p);
			return 0;
		}
		p += n;
	}
	return 1;
}
