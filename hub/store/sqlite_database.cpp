#include "hub/store/sqlite_database.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace phoenix::hub {

Error SqliteStatement::error(std::string_view what) const {
  return make_error("store_error", std::string(what) + ": " + sqlite3_errmsg(db_));
}

Result<void> SqliteStatement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    return error("binding a text parameter");
  }
  return ok();
}

Result<void> SqliteStatement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_.get(), index, value) != SQLITE_OK) {
    return error("binding an integer parameter");
  }
  return ok();
}

Result<void> SqliteStatement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_.get(), index) != SQLITE_OK) return error("binding NULL");
  return ok();
}

Result<bool> SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error(std::string("running \"") + sqlite3_sql(stmt_.get()) + "\"");
}

Result<void> SqliteStatement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.error();
    if (!*row) return ok();
  }
}

std::string SqliteStatement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_.get(), index);
  if (text == nullptr) return {};
  const int size = sqlite3_column_bytes(stmt_.get(), index);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::int64_t SqliteStatement::column_int64(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

bool SqliteStatement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::open(const std::string& path) {
  // O_EXCL-free create: an existing file keeps its mode; a new one starts at 0600.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return make_error("store_error", "opening " + path + ": " + std::strerror(errno) +
                                         " (check that the state directory exists and is "
                                         "writable; run `phoenix-hub init` first)");
  }
  ::close(fd);

  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<sqlite3, SqliteCloser> db(raw);
  if (rc != SQLITE_OK) {
    return make_error("store_error", "opening " + path + ": " +
                                         (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(db.release()));
}

Error SqliteDatabase::error(std::string_view what) const {
  return make_error("store_error", std::string(what) + ": " + sqlite3_errmsg(db_.get()));
}

Result<void> SqliteDatabase::exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return make_error("store_error", std::string("running \"") + sql + "\": " + text);
  }
  return ok();
}

Result<SqliteStatement> SqliteDatabase::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(stmt);
    return error("preparing \"" + std::string(sql) + "\"");
  }
  return SqliteStatement(db_.get(), stmt);
}

int SqliteDatabase::changes() const { return sqlite3_changes(db_.get()); }

Result<SqliteTransaction> SqliteTransaction::begin(SqliteDatabase& db) {
  if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return r.error();
  return SqliteTransaction(&db);
}

SqliteTransaction::~SqliteTransaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

Result<void> SqliteTransaction::commit() {
  if (auto r = db_->exec("COMMIT"); !r) return r;
  db_ = nullptr;
  return ok();
}

}  // namespace phoenix::hub
