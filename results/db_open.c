/*
 * Opening a results database: connection settings, schema version check and
 * in-place migration.
 *
 * WAL lets `nooks-results show` and the sqlite3 CLI read while a campaign
 * writes; the busy timeout lets J trial workers (and a concurrent reader)
 * take turns on the write lock instead of failing with SQLITE_BUSY.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results_internal.h"

#define BUSY_TIMEOUT_MS 30000

int results_fail(struct results_db *db, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(db->err, sizeof(db->err), fmt, ap);
	va_end(ap);
	return -1;
}

int results_fail_sql(struct results_db *db, const char *what)
{
	return results_fail(db, "%s: %s: %s", db->path, what,
			    sqlite3_errmsg(db->sql));
}

int results_exec(struct results_db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db->sql, sql, NULL, NULL, &msg) != SQLITE_OK) {
		results_fail(db, "%s: %s", db->path, msg ? msg : "sqlite error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int results_bind_int_or_null(sqlite3_stmt *st, int idx, int64_t v)
{
	if (v == RESULTS_NULL_INT)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_int64(st, idx, v);
}

int results_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

const char *results_errmsg(const struct results_db *db)
{
	return db ? db->err : "no database";
}

sqlite3 *results_sqlite(struct results_db *db)
{
	return db->sql;
}

int results_user_version(struct results_db *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db->sql, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return results_fail_sql(db, "reading schema version");
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (v < 0)
		return results_fail_sql(db, "reading schema version");
	return v;
}

int results_migrate_to(struct results_db *db, int version)
{
	char sql[64];
	int cur;

	if (version > results_migration_count)
		return results_fail(db, "%s: no migration to schema version %d",
				    db->path, version);
	/* IMMEDIATE: two processes opening a fresh file must not both migrate it. */
	if (results_exec(db, "BEGIN IMMEDIATE") < 0)
		return -1;
	cur = results_user_version(db);
	if (cur < 0)
		goto fail;
	for (int v = cur + 1; v <= version; v++) {
		if (results_exec(db, results_migrations[v]) < 0)
			goto fail;
	}
	if (version > cur) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
		if (results_exec(db, sql) < 0)
			goto fail;
	}
	return results_exec(db, "COMMIT");
fail:
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Says why a path cannot be opened for writing before SQLite's vaguer message. */
static int check_writable(const char *path, int create, char *err, size_t errlen)
{
	char dir[4096];
	const char *slash;

	if (access(path, F_OK) == 0) {
		if (access(path, W_OK) != 0) {
			snprintf(err, errlen, "%s: database is not writable: %s",
				 path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!create) {
		snprintf(err, errlen, "%s: no such database", path);
		return -1;
	}
	slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "%s: cannot create database in %s: %s",
			 path, dir, strerror(errno));
		return -1;
	}
	return 0;
}

struct results_db *results_open(const char *path, int flags, char *err,
				size_t errlen)
{
	struct results_db *db;
	int readonly = flags & RESULTS_OPEN_READONLY;
	int oflags = readonly ? SQLITE_OPEN_READONLY :
		     SQLITE_OPEN_READWRITE | (flags & RESULTS_OPEN_CREATE ? SQLITE_OPEN_CREATE : 0);
	int version;

	if (!path || !*path) {
		snprintf(err, errlen, "no database path given");
		return NULL;
	}
	if (readonly ? access(path, R_OK) != 0 :
	    check_writable(path, flags & RESULTS_OPEN_CREATE, err, errlen) < 0) {
		if (readonly)
			snprintf(err, errlen, "%s: cannot read database: %s",
				 path, strerror(errno));
		return NULL;
	}
	db = calloc(1, sizeof(*db));
	if (!db) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(db->path, sizeof(db->path), "%s", path);
	if (sqlite3_open_v2(path, &db->sql, oflags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open database: %s", path,
			 db->sql ? sqlite3_errmsg(db->sql) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(db->sql, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->sql, 1);
	if (results_exec(db, "PRAGMA foreign_keys = ON") < 0)
		goto fail_msg;
	version = results_user_version(db);
	if (version < 0)	/* e.g. "file is not a database" */
		goto fail_msg;
	if (version > RESULTS_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "%s: database schema version %d is newer than this program understands (%d); "
			 "use a newer nooks build", path, version, RESULTS_SCHEMA_VERSION);
		goto fail;
	}
	if (readonly) {
		if (version != RESULTS_SCHEMA_VERSION) {
			snprintf(err, errlen,
				 "%s: database schema version %d is older than %d; open it once for writing to upgrade",
				 path, version, RESULTS_SCHEMA_VERSION);
			goto fail;
		}
		return db;
	}
	if (results_exec(db, "PRAGMA journal_mode = WAL") < 0 ||
	    results_exec(db, "PRAGMA synchronous = NORMAL") < 0)
		goto fail_msg;
	if (!(flags & RESULTS_OPEN_NO_MIGRATE) &&
	    results_migrate_to(db, RESULTS_SCHEMA_VERSION) < 0)
		goto fail_msg;
	return db;
fail_msg:
	snprintf(err, errlen, "%s", db->err);
fail:
	sqlite3_close(db->sql);
	free(db);
	return NULL;
}

void results_close(struct results_db *db)
{
	if (!db)
		return;
	sqlite3_close(db->sql);
	free(db);
}
