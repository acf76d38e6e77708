/*
 * libresults: the SQLite store of fault-injection campaigns.
 *
 * One database holds campaigns, their trials (one row per trial index and
 * mode), the nooks events seen during a trial, the workload steps and the
 * compressed kernel console. The schema is versioned with
 * PRAGMA user_version and upgraded in place by results_open(); a database
 * written by a newer version of this code is refused rather than guessed at.
 * See results/SCHEMA.md for the tables.
 *
 * Every function that can fail returns a negative value (or NULL) and leaves
 * a readable message in results_errmsg(db).
 */
#ifndef NOOKS_RESULTS_H
#define NOOKS_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

/* The schema version this code writes and understands. */
#define RESULTS_SCHEMA_VERSION 2

/* results_open() flags. */
enum {
	RESULTS_OPEN_CREATE = 1 << 0,	/* create the file and schema if missing */
	RESULTS_OPEN_READONLY = 1 << 1,	/* never write (no migration either) */
	RESULTS_OPEN_NO_MIGRATE = 1 << 2,	/* tests: leave user_version as found */
};

/* An integer column that may be NULL ("unknown"). */
#define RESULTS_NULL_INT INT64_MIN

struct results_db;

struct results_db *results_open(const char *path, int flags, char *err,
				size_t errlen);
void results_close(struct results_db *db);
const char *results_errmsg(const struct results_db *db);
sqlite3 *results_sqlite(struct results_db *db);
int results_user_version(struct results_db *db);
/* Applies migrations up to (and including) version; tests use it to build old databases. */
int results_migrate_to(struct results_db *db, int version);

/* ---- vocabulary ---------------------------------------------------- */

/* Outcomes in report order; harness-error is stored but never counted. */
extern const char *const results_outcomes[];
extern const size_t results_outcome_count;	/* includes harness-error */
#define RESULTS_HARNESS_ERROR "harness-error"
extern const char *const results_modes[];
extern const size_t results_mode_count;
extern const char *const results_event_kinds[];
extern const size_t results_event_kind_count;

int results_outcome_valid(const char *s);
int results_mode_valid(const char *s);
int results_event_kind_valid(const char *s);

/* ---- campaigns ----------------------------------------------------- */

struct results_campaign {
	const char *name;
	const char *driver;
	const char *config_json;	/* canonical JSON (sorted keys): identity of the campaign */
	const char *tool_versions_json;	/* may be NULL */
	const char *kernel_version;	/* may be NULL */
	const char *driver_build_id;	/* may be NULL */
	const char *driver_sha256;	/* may be NULL */
};

/*
 * Returns the id of the campaign with this name, creating it if needed. A
 * campaign of the same name with a different driver or config is an error:
 * mixing trials of two designs under one name would poison the statistics.
 */
int64_t results_campaign_ensure(struct results_db *db,
				const struct results_campaign *c);
/* Looks a campaign up by decimal id or by name; -1 when absent. */
int64_t results_campaign_lookup(struct results_db *db, const char *id_or_name);

/* ---- trials -------------------------------------------------------- */

struct results_event {
	double time_s;		/* console timestamp (guest seconds), or -1 */
	const char *kind;	/* fault | recovery | disabled */
	const char *detail;
};

struct results_step {
	const char *name;
	int pass;
	const char *detail;	/* key=value ... from the agent, may be NULL */
};

struct results_trial {
	int64_t campaign_id;
	int64_t trial_index;
	const char *mode;
	const char *plan_json;
	const char *fault_type;	/* the plan's fault type (or "mixed") */
	const char *outcome;
	const char *sub_reason;	/* may be NULL */
	int64_t restore_ms, workload_ms, total_ms, recovery_us;	/* RESULTS_NULL_INT = unknown */
	const char *crash_title;	/* may be NULL */
	const char *crash_signature;	/* may be NULL */
	int activated;		/* -1 unknown, 0, 1 */
	int attempts;
	const struct results_event *events;
	size_t n_events;
	const struct results_step *steps;
	size_t n_steps;
	const char *console;	/* raw kernel console, may be NULL */
	size_t console_len;
};

/*
 * Stores one trial with its events, steps and console in a single
 * transaction, so a crash of the caller leaves either the whole trial or
 * nothing. An existing harness-error row for the same (campaign, index,
 * mode) is replaced (it was never counted); an existing counted row makes
 * this fail with -EEXIST so that a resumed campaign can never duplicate.
 * On success *trial_id (if not NULL) receives the new row id.
 */
int results_trial_put(struct results_db *db, const struct results_trial *t,
		      int64_t *trial_id);

/* 1 when a counted (non harness-error) row exists, 0 when not, <0 on error. */
int results_trial_done(struct results_db *db, int64_t campaign_id,
		       int64_t trial_index, const char *mode);

/* ---- console compression (zlib) ------------------------------------ */

/* Compresses len bytes; *out is malloc'd. Returns 0 or -1. */
int results_console_pack(const char *text, size_t len, unsigned char **out,
			 size_t *out_len);
/* Inflates to exactly raw_len bytes plus a NUL; *out is malloc'd. */
int results_console_unpack(const unsigned char *blob, size_t blob_len,
			   size_t raw_len, char **out);

/* ---- export and merge ---------------------------------------------- */

enum {
	RESULTS_EXPORT_NO_TIMINGS = 1 << 0,	/* leave out host-dependent columns */
};

/* campaign_id < 0 exports every campaign. Rows ordered by campaign name, index, mode. */
int results_export_csv(struct results_db *db, int64_t campaign_id, int flags,
		       FILE *out);
int results_export_json(struct results_db *db, int64_t campaign_id, int flags,
			FILE *out);
/* Writes one CSV field with RFC 4180 quoting (NULL writes an empty field). */
void results_csv_field(FILE *out, const char *s);

/*
 * Copies every campaign and trial of the database at in_path into db, in one
 * transaction. Campaigns are matched by name and must have the same driver
 * and config; a trial already present must carry the same plan and result
 * (a harness-error row yields to a counted one). Any mismatch rolls the
 * whole merge back. Returns the number of trials added or a negative value.
 */
int64_t results_merge_from(struct results_db *db, const char *in_path);

#endif
