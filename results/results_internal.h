/* Internal interface between the files of libresults. */
#ifndef NOOKS_RESULTS_INTERNAL_H
#define NOOKS_RESULTS_INTERNAL_H

#include "results.h"

struct results_db {
	sqlite3 *sql;
	char path[4096];
	char err[1024];
};

/* results_migrations[v] upgrades v-1 to v; index 0 is unused. */
extern const char *const results_migrations[];
extern const int results_migration_count;

/* printf-style: records a message in db->err, returns -1. */
int results_fail(struct results_db *db, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Records sqlite's message with some context, returns -1. */
int results_fail_sql(struct results_db *db, const char *what);
/* Runs SQL without results; -1 and a message on failure. */
int results_exec(struct results_db *db, const char *sql);

/* Binds NULL for RESULTS_NULL_INT / NULL strings. */
int results_bind_int_or_null(sqlite3_stmt *st, int idx, int64_t v);
int results_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s);

#endif
