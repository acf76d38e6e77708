// SPDX-License-Identifier: MIT
/*
 * snapshot.c — ready-state snapshots: save a running guest to a file and
 * start fresh QEMUs from it, plus the cache of ready snapshots.
 *
 * Save: agent `quiesce`, QMP `stop`, then `migrate` to a file descriptor
 * handed over with `getfd` (SCM_RIGHTS): a stopped VM migrates in one pass
 * with no dirty-page rounds. Restore: QEMU with `-incoming defer`,
 * `migrate-incoming` from the file's fd, `cont`, and the agent — still
 * running in the guest — is greeted on the new socket with `hello`.
 *
 * Cache key: SHA-256 (OpenSSL) over everything that makes a snapshot what
 * it is: kernel, initrd and module bytes, the QEMU binary's identity, the
 * argv with the VM dir abstracted, and the preparation commands. Any
 * change gives a new file name, so a stale snapshot is never used.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "vm_internal.h"

#define SNAPSHOT_TIMEOUT_MS 120000
#define SNAPSHOT_FDNAME "vmctl-snapshot"

/* Poll query-migrate until it finishes; 0 completed, <0 failed/timeout. */
static int wait_migration(struct vm *vm, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		json_t *ret = NULL;
		int r = qmp_execute(&vm->qmp, "query-migrate", NULL, &ret, VM_QMP_TIMEOUT_MS, -1);

		if (r < 0)
			return r;
		const char *status = json_string_value(json_object_get(ret, "status"));
		char st[32];

		snprintf(st, sizeof(st), "%s", status ? status : "none");
		const char *err = json_string_value(json_object_get(ret, "error-desc"));
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err ? err : "");
		json_decref(ret);
		if (strcmp(st, "completed") == 0)
			return 0;
		if (strcmp(st, "failed") == 0 || strcmp(st, "cancelled") == 0)
			return vm_fail(EIO, "migration %s: %s", st, msg);
		if (now_ms() >= deadline)
			return vm_fail(ETIMEDOUT, "migration not done after %d ms (%s)", timeout_ms, st);
		usleep(5000);
	}
}

int vm_snapshot_save(struct vm *vm, const char *path)
{
	char tmp[PATH_MAX];
	struct vm_cmd_result res;
	int fd, r;

	if (!vm->has_qmp)
		return vm_fail(ENOTCONN, "QMP is not connected");
	if (vm->has_agent && !vm->paused &&
	    agent_command(&vm->agent, "quiesce", NULL, 0, 60000, NULL, NULL, &res) != VM_CMD_OK)
		return vm_fail(EIO, "agent quiesce failed: %s %s", vm_cmd_status_name(res.status),
			       res.final);
	r = qmp_execute(&vm->qmp, "stop", NULL, NULL, VM_QMP_TIMEOUT_MS, -1);
	if (r < 0)
		return r;
	vm->paused = true;
	/* Migration is throttled by default; a local file wants no limit. */
	r = qmp_execute(&vm->qmp, "migrate-set-parameters",
			json_pack("{s:I}", "max-bandwidth", (json_int_t)1 << 40), NULL,
			VM_QMP_TIMEOUT_MS, -1);
	if (r < 0)
		return r;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return vm_fail(ENAMETOOLONG, "snapshot path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return vm_fail(errno, "cannot create %s: %s", tmp, strerror(errno));
	r = qmp_execute(&vm->qmp, "getfd", json_pack("{s:s}", "fdname", SNAPSHOT_FDNAME), NULL,
			VM_QMP_TIMEOUT_MS, fd);
	close(fd); /* QEMU holds its own copy now */
	if (r == 0)
		r = qmp_execute(&vm->qmp, "migrate",
				json_pack("{s:s}", "uri", "fd:" SNAPSHOT_FDNAME), NULL,
				VM_QMP_TIMEOUT_MS, -1);
	if (r == 0)
		r = wait_migration(vm, SNAPSHOT_TIMEOUT_MS);
	if (r == 0 && rename(tmp, path) < 0)
		r = vm_fail(errno, "cannot rename %s: %s", tmp, strerror(errno));
	if (r < 0)
		unlink(tmp);
	return r;
}

/* After migrate-incoming: wait until QEMU left the "inmigrate" state. */
static int wait_incoming(struct vm *vm, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		json_t *ret = NULL;
		int r = qmp_execute(&vm->qmp, "query-status", NULL, &ret, VM_QMP_TIMEOUT_MS, -1);

		if (r < 0)
			return r;
		const char *status = json_string_value(json_object_get(ret, "status"));
		bool loading = status && strcmp(status, "inmigrate") == 0;
		bool running = json_is_true(json_object_get(ret, "running"));

		json_decref(ret);
		if (!loading) {
			if (running)
				return 0;
			return qmp_execute(&vm->qmp, "cont", NULL, NULL, VM_QMP_TIMEOUT_MS, -1);
		}
		if (vm_qemu_gone(vm))
			return vm_fail(ECHILD, "QEMU exited while loading the snapshot (see %s/qemu.log)",
				       vm->dir);
		if (now_ms() >= deadline)
			return vm_fail(ETIMEDOUT, "snapshot not loaded after %d ms", timeout_ms);
		usleep(2000);
	}
}

/* VMCTL_TRACE=1 prints where restore time goes (stderr). */
static void trace(const char *what, double t0)
{
	if (getenv("VMCTL_TRACE"))
		fprintf(stderr, "vmctl: %-26s %8.3f s\n", what, now_seconds() - t0);
}

int vm_restore(const struct vm_config *cfg, const char *snapshot, struct vm **out)
{
	struct vm *vm = NULL;
	double t0 = now_seconds();
	int fd, r;

	fd = open(snapshot, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vm_fail(errno, "snapshot %s: %s", snapshot, strerror(errno));
	r = vm_new(cfg, &vm);
	if (r == 0)
		r = vm_start_qemu(vm, true);
	trace("QEMU up, sockets connected", t0);
	if (r == 0)
		r = qmp_execute(&vm->qmp, "getfd", json_pack("{s:s}", "fdname", SNAPSHOT_FDNAME),
				NULL, VM_QMP_TIMEOUT_MS, fd);
	close(fd);
	if (r == 0)
		r = qmp_execute(&vm->qmp, "migrate-incoming",
				json_pack("{s:s}", "uri", "fd:" SNAPSHOT_FDNAME), NULL,
				VM_QMP_TIMEOUT_MS, -1);
	if (r == 0)
		r = wait_incoming(vm, vm->cfg.ready_timeout_ms);
	trace("state loaded, running", t0);
	if (r == 0) {
		vm->paused = false;
		vm->agent.last_alive_ms = now_ms();
		r = vm_connect_agent(vm, false);
	}
	trace("agent READY", t0);
	if (r < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", vm_error());
		vm_destroy(vm);
		return vm_fail(-r, "restore %s: %s", snapshot, msg);
	}
	*out = vm;
	return 0;
}

/* ---- cache -------------------------------------------------------------- */

static int hash_file(EVP_MD_CTX *ctx, const char *path)
{
	char buf[1 << 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return vm_fail(errno, "cannot read %s: %s", path, strerror(errno));
	EVP_DigestUpdate(ctx, path, strlen(path) + 1);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	close(fd);
	return n < 0 ? vm_fail(EIO, "read error on %s", path) : 0;
}

static void hash_str(EVP_MD_CTX *ctx, const char *s)
{
	EVP_DigestUpdate(ctx, s, strlen(s) + 1); /* NUL separates fields */
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every build/kmod/ *.ko, in name order. */
static int hash_modules(EVP_MD_CTX *ctx)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	char *names[512];
	int n = 0, r = 0;
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/build/kmod", vm_top_dir());
	d = opendir(dir);
	if (!d)
		return 0; /* no modules built: nothing to hash */
	while ((e = readdir(d)) && n < 512) {
		size_t len = strlen(e->d_name);

		if (len > 3 && strcmp(e->d_name + len - 3, ".ko") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (r == 0)
			r = hash_file(ctx, path);
		free(names[i]);
	}
	return r;
}

/* Which QEMU: the resolved binary's path, size and mtime. */
static void hash_qemu(EVP_MD_CTX *ctx, const char *qemu)
{
	char path[PATH_MAX], desc[PATH_MAX + 64];
	const char *env = getenv("PATH");
	struct stat st = { 0 };

	snprintf(path, sizeof(path), "%s", qemu);
	if (!strchr(qemu, '/') && env) {
		char *dirs = strdup(env), *save = NULL;

		for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
			snprintf(path, sizeof(path), "%s/%s", d, qemu);
			if (access(path, X_OK) == 0)
				break;
		}
		free(dirs);
	}
	stat(path, &st);
	snprintf(desc, sizeof(desc), "%s %lld %lld", path, (long long)st.st_size,
		 (long long)st.st_mtime);
	hash_str(ctx, desc);
}

int vm_snapshot_key(const struct vm_config *cfg, const char *const *prep, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	struct vm_config abstract = *cfg;
	char **argv;
	int r = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(ctx);
		return vm_fail(ENOMEM, "sha256 unavailable");
	}
	hash_str(ctx, "nooks-vmctl-snapshot-v1");
	abstract.dir = "@VMDIR@"; /* the same VM in another dir is the same VM */
	argv = vm_argv_build(&abstract, false);
	if (!argv)
		r = -EINVAL;
	for (char **a = argv; a && *a; a++)
		hash_str(ctx, *a);
	vm_argv_free(argv);
	hash_qemu(ctx, cfg->qemu ? cfg->qemu : "qemu-system-x86_64");
	if (r == 0)
		r = hash_file(ctx, cfg->kernel);
	if (r == 0)
		r = hash_file(ctx, cfg->initrd);
	if (r == 0)
		r = hash_modules(ctx);
	hash_str(ctx, "prep");
	for (size_t i = 0; prep && prep[i]; i++)
		hash_str(ctx, prep[i]);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int vm_ready_snapshot(const struct vm_config *cfg, const char *cache_dir,
		      const char *const *prep, char *path, size_t size)
{
	char key[65];
	struct vm *vm;
	struct vm_cmd_result res;
	int r = vm_snapshot_key(cfg, prep, key);

	if (r < 0)
		return r;
	r = mkdir_p(cache_dir);
	if (r < 0)
		return vm_fail(-r, "cannot create %s: %s", cache_dir, strerror(-r));
	if (snprintf(path, size, "%s/%s.snap", cache_dir, key) >= (int)size)
		return vm_fail(ENAMETOOLONG, "snapshot path too long");
	if (access(path, R_OK) == 0)
		return 0;
	r = vm_boot(cfg, &vm);
	if (r < 0)
		return r;
	for (size_t i = 0; prep && prep[i]; i++) {
		if (vm_agent(vm, 120000, NULL, NULL, &res, "%s", prep[i]) != VM_CMD_OK) {
			vm_destroy(vm);
			return vm_fail(EIO, "preparing the snapshot: `%s` ended %s %s", prep[i],
				       vm_cmd_status_name(res.status), res.final);
		}
	}
	r = vm_snapshot_save(vm, path);
	vm_destroy(vm);
	return r;
}
