/*
 * The guest side of a mode: its QEMU configuration (kernel command line),
 * the agent commands that make its ready snapshot ("load nooks <params>"),
 * and a check that the snapshot's nooks.ko really runs with those
 * parameters. Snapshot and trial use the same functions, so the restore
 * always sees the configuration the snapshot was saved with, and the
 * snapshot cache key (vmctl hashes the QEMU argv and the prep commands)
 * changes with the parameters and the command line.
 */
#include <stdio.h>
#include <string.h>

#include "runner.h"
#include "vmctl.h"

int mode_append_line(const struct campaign_cfg *cfg, const char *mode, char *buf, size_t size)
{
	const struct mode_setup *s = campaign_mode_setup_c(cfg, mode);
	struct vm_config vcfg;
	char **argv;
	int rc = -1;

	/* vmctl's default command line, as its argv builder writes it */
	vm_config_init(&vcfg, "/nonexistent");
	argv = vm_argv_build(&vcfg, false);
	for (size_t i = 0; argv && argv[i]; i++)
		if (strcmp(argv[i], "-append") == 0 && argv[i + 1]) {
			snprintf(buf, size, "%s%s%s", argv[i + 1], s && s->kernel_args[0] ? " " : "",
				 s ? s->kernel_args : "");
			rc = 0;
			break;
		}
	vm_argv_free(argv);
	return rc;
}

void mode_vm_config(const struct campaign_cfg *cfg, const char *mode, const char *dir,
		    struct vm_config *vcfg, char *append, size_t append_size)
{
	const struct mode_setup *s = campaign_mode_setup_c(cfg, mode);

	vm_config_init(vcfg, dir);
	/* only a mode that adds something changes the argv (and the snapshot key) */
	if (s && s->kernel_args[0] && mode_append_line(cfg, mode, append, append_size) == 0)
		vcfg->append = append;
}

size_t mode_prep(const struct campaign_cfg *cfg, const char *mode, char *buf, size_t size,
		 const char *prep[2])
{
	const struct mode_setup *s = campaign_mode_setup_c(cfg, mode);

	prep[0] = prep[1] = NULL;
	if (!s || !s->runtime)
		return 0;
	snprintf(buf, size, "load nooks%s%s", s->nooks_params[0] ? " " : "", s->nooks_params);
	prep[0] = buf;
	return 1;
}

struct param_read {
	char value[256];
};

/* sysfs shows a bool parameter as Y/N whatever form it was given in. */
static int same_param_value(const char *shown, const char *given)
{
	if (strcmp(shown, given) == 0)
		return 1;
	if (strcmp(shown, "Y") == 0)
		return strchr("1yY", given[0]) && given[0] && (!given[1] || strcmp(given, "yes") == 0);
	if (strcmp(shown, "N") == 0)
		return strchr("0nN", given[0]) && given[0] && (!given[1] || strcmp(given, "no") == 0);
	return 0;
}

static void on_data(const struct vm_reply *r, void *arg)
{
	struct param_read *p = arg;

	if (r->kind == VM_REPLY_DATA && !p->value[0])
		snprintf(p->value, sizeof(p->value), "%s", r->text);
}

/*
 * Restores the snapshot once and reads each parameter back from
 * /sys/module/nooks/parameters/. A parameter sysfs does not show (mode 0)
 * cannot be checked here; the .modinfo check before the boot still holds.
 */
int mode_verify_snapshot(const struct campaign_cfg *cfg, const char *mode, const char *snapshot,
			 const char *dir, char *err, size_t errlen)
{
	const struct mode_setup *s = campaign_mode_setup_c(cfg, mode);
	char append[1024];
	struct vm_config vcfg;
	struct vm *vm;
	const char *p;
	int rc = 0;

	if (!s || !s->runtime || !s->nooks_params[0])
		return 0;
	mode_vm_config(cfg, mode, dir, &vcfg, append, sizeof(append));
	if (vm_restore(&vcfg, snapshot, &vm) < 0) {
		snprintf(err, errlen, "restore of the %s snapshot: %s", mode, vm_error());
		return -1;
	}
	for (p = s->nooks_params; *p && rc == 0; p += strspn(p, " ")) {
		size_t n = strcspn(p, " "), eq = strcspn(p, "=");
		struct param_read got = { { 0 } };
		struct vm_cmd_result res;
		char want[256];

		snprintf(want, sizeof(want), "%.*s", (int)(n - eq - 1), p + eq + 1);
		if (vm_agent(vm, 10000, on_data, &got, &res, "cat /sys/module/nooks/parameters/%.*s",
			     (int)eq, p) == VM_CMD_OK && !same_param_value(got.value, want)) {
			snprintf(err, errlen, "mode %s: nooks.ko in the guest reports %.*s=%s, not %.*s "
				 "(it did not accept the parameter)", mode, (int)eq, p, got.value, (int)n, p);
			rc = -1;
		}
		p += n;
	}
	vm_destroy(vm);
	return rc;
}

/*
 * The domain the runtime made for the driver must be of the mode's kind:
 * a parameter `k=v` of the mode that the runtime also shows per driver
 * (/sys/kernel/nooks/<driver>/<k>, e.g. isolation) must read v there too.
 * nooks.ko falls back to exceptions-only for a domain whose page tables it
 * could not build; such a trial is not a nooks-pt trial.
 */
int mode_check_domain(const struct campaign_cfg *cfg, const char *mode, struct vm *vm,
		      char *why, size_t whylen)
{
	const struct mode_setup *s = campaign_mode_setup_c(cfg, mode);

	if (!s || !s->runtime)
		return 0;
	for (const char *p = s->nooks_params; *p; p += strspn(p, " ")) {
		size_t n = strcspn(p, " "), eq = strcspn(p, "=");
		struct param_read got = { { 0 } };
		char want[256];

		snprintf(want, sizeof(want), "%.*s", (int)(n - eq - 1), p + eq + 1);
		if (vm_agent(vm, 10000, on_data, &got, NULL, "cat /sys/kernel/nooks/%s/%.*s", cfg->driver,
			     (int)eq, p) == VM_CMD_OK && !same_param_value(got.value, want)) {
			snprintf(why, whylen, "domain-%.*s-%s", (int)eq, p, got.value);
			return -1;
		}
		p += n;
	}
	return 0;
}
