#include "hub/store/store_schema.hpp"

#include <array>
#include <string>

namespace phoenix::hub {
namespace {

// Times are unix seconds. Token hashes are sha256(secret) as lowercase hex.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE enroll_tokens (
  hash       TEXT PRIMARY KEY NOT NULL,
  vm         TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);
CREATE TABLE agents (
  name           TEXT PRIMARY KEY NOT NULL,
  cert_serial    TEXT NOT NULL,
  cert_not_after INTEGER NOT NULL,
  first_seen     INTEGER NOT NULL,
  last_seen      INTEGER NOT NULL,
  connected      INTEGER NOT NULL DEFAULT 0,
  revoked        INTEGER NOT NULL DEFAULT 0,
  revoked_at     INTEGER,
  last_state     TEXT
);
CREATE TABLE revoked_serials (
  serial     TEXT PRIMARY KEY NOT NULL,
  name       TEXT NOT NULL,
  revoked_at INTEGER NOT NULL
);
)sql";

// Fleet-wide rotations (issue 6). Targets keep the rollout order in `position`.
constexpr const char* kMigration2 = R"sql(
CREATE TABLE rotations (
  id           TEXT PRIMARY KEY NOT NULL,
  kind         TEXT NOT NULL,
  max_parallel INTEGER NOT NULL,
  max_failures INTEGER NOT NULL,
  outcome      TEXT NOT NULL,
  reason       TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  plan         TEXT NOT NULL DEFAULT '',
  phase        INTEGER NOT NULL DEFAULT 0,
  old_ca       TEXT NOT NULL DEFAULT '',
  new_ca       TEXT NOT NULL DEFAULT ''
);
CREATE TABLE rotation_targets (
  rotation_id TEXT NOT NULL REFERENCES rotations(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  vm          TEXT NOT NULL,
  state       TEXT NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER,
  old_serial  TEXT NOT NULL DEFAULT '',
  new_serial  TEXT NOT NULL DEFAULT '',
  error       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (rotation_id, vm)
);
CREATE INDEX rotations_unfinished ON rotations (created_at) WHERE finished_at IS NULL;
)sql";

// Swarm trust (issue 13): the swarm the hub formed or adopted on a configured manager (its root
// CA digest, one row), and the address each agent's channel last came from, which is what the
// hub knows of a VM's node after the VM is revoked.
constexpr const char* kMigration3 = R"sql(
CREATE TABLE swarm_record (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  ca_digest   TEXT NOT NULL,
  manager     TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE TABLE agent_addresses (
  name    TEXT PRIMARY KEY NOT NULL,
  address TEXT NOT NULL,
  seen_at INTEGER NOT NULL
);
)sql";

constexpr std::array kMigrations = {kMigration1, kMigration2, kMigration3};

}  // namespace

int store_migration_count() { return static_cast<int>(kMigrations.size()); }

Result<int> read_user_version(SqliteDatabase& db) {
  auto stmt = db.prepare("PRAGMA user_version");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return make_error("store_error", "reading user_version: no row");
  return static_cast<int>(stmt->column_int64(0));
}

Result<void> migrate_store(SqliteDatabase& db) {
  auto tx = SqliteTransaction::begin(db);
  if (!tx) return tx.error();
  auto version = read_user_version(db);
  if (!version) return version.error();
  const int known = store_migration_count();
  if (*version > known) {
    return make_error("store_error",
                      "the store has schema version " + std::to_string(*version) +
                          " but this phoenix-hub knows only up to " + std::to_string(known) +
                          ": run the newer phoenix-hub that wrote it");
  }
  for (int next = *version + 1; next <= known; ++next) {
    if (auto r = db.exec(kMigrations[static_cast<std::size_t>(next - 1)]); !r) return r.error();
    // PRAGMA takes no bound parameters; `next` is our own small integer.
    const std::string set_version = "PRAGMA user_version = " + std::to_string(next);
    if (auto r = db.exec(set_version.c_str()); !r) return r.error();
  }
  return tx->commit();
}

}  // namespace phoenix::hub
