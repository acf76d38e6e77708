/*
 * The schema, as a list of migrations. Migration N turns a version N-1
 * database into version N; a fresh database runs all of them, so there is
 * exactly one definition of every table. Never edit a migration that has
 * shipped: add a new one and bump RESULTS_SCHEMA_VERSION.
 */
#include "results_internal.h"

static const char migration_1[] =
	"CREATE TABLE campaigns ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  driver TEXT NOT NULL,"
	"  config TEXT NOT NULL CHECK (json_valid(config)),"
	"  tool_versions TEXT CHECK (tool_versions IS NULL OR json_valid(tool_versions)),"
	"  kernel_version TEXT,"
	"  driver_build_id TEXT,"
	"  driver_sha256 TEXT,"
	"  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
	");"
	"CREATE TABLE trials ("
	"  id INTEGER PRIMARY KEY,"
	"  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
	"  trial_index INTEGER NOT NULL CHECK (trial_index >= 0),"
	"  mode TEXT NOT NULL CHECK (mode IN ('native', 'nooks', 'nooks-pt')),"
	"  plan TEXT NOT NULL CHECK (json_valid(plan)),"
	"  fault_type TEXT,"
	"  outcome TEXT NOT NULL CHECK (outcome IN ('no-effect', 'driver-failure',"
	"    'recovered', 'recovered-degraded', 'oops-survived', 'crash', 'harness-error')),"
	"  sub_reason TEXT,"
	"  restore_ms INTEGER, workload_ms INTEGER, total_ms INTEGER, recovery_us INTEGER,"
	"  crash_title TEXT,"
	"  crash_signature TEXT,"
	"  activated INTEGER CHECK (activated IS NULL OR activated IN (0, 1)),"
	"  attempts INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1),"
	"  finished TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
	"  UNIQUE (campaign_id, trial_index, mode)"
	");"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,"
	"  time REAL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('fault', 'recovery', 'disabled')),"
	"  detail TEXT"
	");"
	"CREATE TABLE consoles ("
	"  trial_id INTEGER PRIMARY KEY REFERENCES trials(id) ON DELETE CASCADE,"
	"  raw_size INTEGER NOT NULL,"
	"  log BLOB NOT NULL"
	");"
	"CREATE INDEX events_by_trial ON events(trial_id);";

/* v2: the workload's steps, so "recovered-degraded" can say which step failed. */
static const char migration_2[] =
	"CREATE TABLE steps ("
	"  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  pass INTEGER NOT NULL CHECK (pass IN (0, 1)),"
	"  detail TEXT,"
	"  PRIMARY KEY (trial_id, seq)"
	");"
	"CREATE INDEX trials_by_outcome ON trials(campaign_id, mode, outcome);";

const char *const results_migrations[] = { NULL, migration_1, migration_2 };
const int results_migration_count =
	sizeof(results_migrations) / sizeof(results_migrations[0]) - 1;

_Static_assert(sizeof(results_migrations) / sizeof(results_migrations[0]) - 1 ==
	       RESULTS_SCHEMA_VERSION, "one migration per schema version");
