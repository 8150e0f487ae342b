#pragma once
// The hub store's schema as an ordered list of migrations. Migration N (1-based) takes
// PRAGMA user_version from N-1 to N inside one transaction, so a crash leaves the file at
// a whole version. To add a table (rotations, ...), append a migration and bump
// kHubStoreSchemaVersion in hub_store.hpp; never edit a migration that has shipped.
#include "hub/store/sqlite_database.hpp"

namespace phoenix::hub {

// How many migrations this build has (== kHubStoreSchemaVersion).
int store_migration_count();

Result<int> read_user_version(SqliteDatabase& db);

// Applies every migration above the file's user_version. Idempotent. Refuses a file whose
// user_version is above what this build knows ("store_error": it was written by a newer
// phoenix-hub, and an older one must not guess at its tables).
Result<void> migrate_store(SqliteDatabase& db);

}  // namespace phoenix::hub
