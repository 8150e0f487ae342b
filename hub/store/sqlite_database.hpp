#pragma once
// A thin RAII layer over the SQLite3 C API: the connection and prepared statements are
// owned by unique_ptrs, parameters are always bound (never spliced into SQL), and every
// failure becomes Error{"store_error", "<what>: <sqlite message>"}. Not thread-safe on its
// own: HubStore serialises access with its mutex.
#include "shared/core/error.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace phoenix::hub {

struct SqliteCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct SqliteFinalizer {
  void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  // Parameters are 1-based, as in SQLite.
  Result<void> bind(int index, std::string_view text);
  Result<void> bind(int index, std::int64_t value);
  Result<void> bind_null(int index);

  // true: a row is available; false: done. SQLITE_BUSY past the busy timeout is an error.
  Result<bool> step();
  // Runs to completion (for statements that return no rows).
  Result<void> run();

  std::string column_text(int index) const;  // "" for NULL
  std::int64_t column_int64(int index) const;
  bool column_is_null(int index) const;

 private:
  Error error(std::string_view what) const;
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, SqliteFinalizer> stmt_;
};

class SqliteDatabase {
 public:
  // Creates the file with mode 0600 when absent (SQLite's own default is 0644 minus
  // umask, too open for a file holding the deny list), then opens it read-write.
  static Result<std::unique_ptr<SqliteDatabase>> open(const std::string& path);

  // For fixed SQL text only (schema, pragmas, BEGIN/COMMIT): never caller data.
  Result<void> exec(const char* sql);
  Result<SqliteStatement> prepare(std::string_view sql);
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int changes() const;

  Error error(std::string_view what) const;
  sqlite3* native() const noexcept { return db_.get(); }

 private:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  std::unique_ptr<sqlite3, SqliteCloser> db_;
};

// BEGIN IMMEDIATE on construction (takes the write lock up front, so two writers never
// deadlock upgrading read locks), ROLLBACK unless commit() succeeded.
class SqliteTransaction {
 public:
  static Result<SqliteTransaction> begin(SqliteDatabase& db);
  SqliteTransaction(SqliteTransaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();
  Result<void> commit();

 private:
  explicit SqliteTransaction(SqliteDatabase* db) : db_(db) {}
  SqliteDatabase* db_;
};

}  // namespace phoenix::hub
