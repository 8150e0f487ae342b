#include "hub/store/hub_store.hpp"

#include "shared/core/safe_text.hpp"

#include "hub/store/sqlite_database.hpp"
#include "hub/store/store_schema.hpp"

namespace phoenix::hub {
namespace {

// Long enough for an admin command and `serve` to take turns on the write lock.
constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kAgentColumns =
    "name, cert_serial, cert_not_after, first_seen, last_seen, connected, revoked, last_state";

AgentRecord read_agent(const SqliteStatement& row) {
  AgentRecord agent;
  agent.name = row.column_text(0);
  agent.cert_serial = row.column_text(1);
  agent.cert_not_after = from_unix_seconds(row.column_int64(2));
  agent.first_seen = from_unix_seconds(row.column_int64(3));
  agent.last_seen = from_unix_seconds(row.column_int64(4));
  agent.connected = row.column_int64(5) != 0;
  agent.revoked = row.column_int64(6) != 0;
  if (!row.column_is_null(7)) {
    // Written by set_last_state from a json value, so it parses; a damaged row reads as null.
    auto state = nlohmann::json::parse(row.column_text(7), nullptr, false);
    if (!state.is_discarded()) agent.last_state = std::move(state);
  }
  return agent;
}

Error agent_not_found(const std::string& name) {
  return make_error("agent_not_found",
                    "no agent named \"" + name + "\" has enrolled (see `phoenix-hub token create`)");
}

}  // namespace

std::int64_t to_unix_seconds(StoreTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

StoreTime from_unix_seconds(std::int64_t seconds) {
  return StoreTime(std::chrono::seconds(seconds));
}

HubStore::HubStore(std::unique_ptr<SqliteDatabase> db) : db_(std::move(db)) {}
HubStore::~HubStore() = default;

Result<std::unique_ptr<HubStore>> HubStore::open(const std::string& path) {
  auto db = SqliteDatabase::open(path);
  if (!db) return db.error();
  if (sqlite3_busy_timeout((*db)->native(), kBusyTimeoutMs) != SQLITE_OK) {
    return (*db)->error("setting busy_timeout on " + path);
  }
  // WAL: readers never block the writer, and `serve` keeps answering while an admin
  // command writes. FULL sync: a consumed token must stay consumed after a power cut.
  for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
                             "PRAGMA foreign_keys = ON"}) {
    if (auto r = (*db)->exec(pragma); !r) {
      return make_error("store_error", path + ": " + r.error().message);
    }
  }
  if (auto r = migrate_store(**db); !r) {
    return make_error("store_error", path + ": " + r.error().message);
  }
  return std::unique_ptr<HubStore>(new HubStore(std::move(*db)));
}

int HubStore::schema_version() {
  std::lock_guard lock(mutex_);
  auto version = read_user_version(*db_);
  return version ? *version : -1;
}

Result<void> HubStore::add_token(const std::string& hash_hex, const std::string& vm,
                                 StoreTime created, StoreTime expires) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare(
      "INSERT INTO enroll_tokens (hash, vm, created_at, expires_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(hash) DO NOTHING");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, hash_hex); !r) return r;
  if (auto r = stmt->bind(2, vm); !r) return r;
  if (auto r = stmt->bind(3, to_unix_seconds(created)); !r) return r;
  if (auto r = stmt->bind(4, to_unix_seconds(expires)); !r) return r;
  if (auto r = stmt->run(); !r) return r;
  if (db_->changes() == 0) {
    return make_error("token_exists", "an enrollment token with this secret already exists");
  }
  return ok();
}

Result<std::string> HubStore::consume_token(const std::string& hash_hex, StoreTime now) {
  std::lock_guard lock(mutex_);
  const auto now_s = to_unix_seconds(now);
  // The WHERE clause is the single-use guarantee: of two racing consumers (threads here,
  // or another process on the same file), SQLite lets exactly one UPDATE change the row.
  auto update = db_->prepare(
      "UPDATE enroll_tokens SET used_at = ? "
      "WHERE hash = ? AND used_at IS NULL AND expires_at > ? RETURNING vm");
  if (!update) return update.error();
  if (auto r = update->bind(1, now_s); !r) return r.error();
  if (auto r = update->bind(2, hash_hex); !r) return r.error();
  if (auto r = update->bind(3, now_s); !r) return r.error();
  auto row = update->step();
  if (!row) return row.error();
  if (*row) {
    std::string vm = update->column_text(0);
    if (auto r = update->run(); !r) return r.error();  // finish the statement
    return vm;
  }

  return token_refusal(hash_hex);  // no winner: say why
}

Result<std::string> HubStore::check_token(const std::string& hash_hex, StoreTime now) {
  std::lock_guard lock(mutex_);
  const auto now_s = to_unix_seconds(now);
  auto query = db_->prepare(
      "SELECT vm FROM enroll_tokens WHERE hash = ? AND used_at IS NULL AND expires_at > ?");
  if (!query) return query.error();
  if (auto r = query->bind(1, hash_hex); !r) return r.error();
  if (auto r = query->bind(2, now_s); !r) return r.error();
  auto row = query->step();
  if (!row) return row.error();
  if (*row) return query->column_text(0);
  return token_refusal(hash_hex);
}

// Why a token cannot be used, so the agent's operator knows whether to make a new one.
// Called with mutex_ held.
Result<std::string> HubStore::token_refusal(const std::string& hash_hex) {
  auto query = db_->prepare("SELECT used_at, expires_at FROM enroll_tokens WHERE hash = ?");
  if (!query) return query.error();
  if (auto r = query->bind(1, hash_hex); !r) return r.error();
  auto found = query->step();
  if (!found) return found.error();
  if (!*found) {
    return make_error("token_invalid",
                      "unknown enrollment token: create one with `phoenix-hub token create --vm NAME`");
  }
  if (!query->column_is_null(0)) {
    return make_error("token_used",
                      "this enrollment token was already used (tokens are single-use): create a "
                      "new one with `phoenix-hub token create --vm NAME`");
  }
  return make_error("token_expired",
                    "this enrollment token has expired: create a new one with "
                    "`phoenix-hub token create --vm NAME [--ttl 1h]`");
}

Result<int> HubStore::prune_tokens(StoreTime cutoff) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("DELETE FROM enroll_tokens WHERE expires_at < ?");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, to_unix_seconds(cutoff)); !r) return r.error();
  if (auto r = stmt->run(); !r) return r.error();
  return db_->changes();
}

Result<void> HubStore::record_enrollment(const std::string& name, const std::string& serial,
                                         StoreTime not_after, StoreTime now) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare(
      "INSERT INTO agents (name, cert_serial, cert_not_after, first_seen, last_seen) "
      "VALUES (?1, ?2, ?3, ?4, ?4) "
      "ON CONFLICT(name) DO UPDATE SET cert_serial = ?2, cert_not_after = ?3, last_seen = ?4, "
      "revoked = 0, revoked_at = NULL");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, name); !r) return r;
  if (auto r = stmt->bind(2, serial); !r) return r;
  if (auto r = stmt->bind(3, to_unix_seconds(not_after)); !r) return r;
  if (auto r = stmt->bind(4, to_unix_seconds(now)); !r) return r;
  return stmt->run();
}

Result<void> HubStore::record_identity(const std::string& name, const std::string& serial,
                                       StoreTime not_after) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("UPDATE agents SET cert_serial = ?, cert_not_after = ? WHERE name = ?");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, serial); !r) return r;
  if (auto r = stmt->bind(2, to_unix_seconds(not_after)); !r) return r;
  if (auto r = stmt->bind(3, name); !r) return r;
  if (auto r = stmt->run(); !r) return r;
  if (db_->changes() == 0) return agent_not_found(name);
  return ok();
}

Result<void> HubStore::set_connected(const std::string& name, bool connected, StoreTime now) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("UPDATE agents SET connected = ?, last_seen = ? WHERE name = ?");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, std::int64_t{connected ? 1 : 0}); !r) return r;
  if (auto r = stmt->bind(2, to_unix_seconds(now)); !r) return r;
  if (auto r = stmt->bind(3, name); !r) return r;
  if (auto r = stmt->run(); !r) return r;
  if (db_->changes() == 0) return agent_not_found(name);
  return ok();
}

Result<void> HubStore::set_last_state(const std::string& name, const nlohmann::json& state,
                                      StoreTime now) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("UPDATE agents SET last_state = ?, last_seen = ? WHERE name = ?");
  if (!stmt) return stmt.error();
  // `replace` keeps invalid UTF-8 from an agent from throwing out of dump().
  if (auto r = stmt->bind(1, dump_json(state)); !r) {
    return r;
  }
  if (auto r = stmt->bind(2, to_unix_seconds(now)); !r) return r;
  if (auto r = stmt->bind(3, name); !r) return r;
  if (auto r = stmt->run(); !r) return r;
  if (db_->changes() == 0) return agent_not_found(name);
  return ok();
}

Result<std::optional<AgentRecord>> HubStore::get_agent(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare(std::string("SELECT ") + kAgentColumns + " FROM agents WHERE name = ?");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, name); !r) return r.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<AgentRecord>{};
  return std::optional<AgentRecord>{read_agent(*stmt)};
}

Result<std::vector<AgentRecord>> HubStore::list_agents() {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare(std::string("SELECT ") + kAgentColumns + " FROM agents ORDER BY name");
  if (!stmt) return stmt.error();
  std::vector<AgentRecord> agents;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return agents;
    agents.push_back(read_agent(*stmt));
  }
}

Result<void> HubStore::revoke(const std::string& name, StoreTime now) {
  std::lock_guard lock(mutex_);
  auto tx = SqliteTransaction::begin(*db_);
  if (!tx) return tx.error();
  const auto now_s = to_unix_seconds(now);
  auto mark = db_->prepare(
      "UPDATE agents SET revoked = 1, connected = 0, revoked_at = ? WHERE name = ? "
      "RETURNING cert_serial");
  if (!mark) return mark.error();
  if (auto r = mark->bind(1, now_s); !r) return r;
  if (auto r = mark->bind(2, name); !r) return r;
  auto row = mark->step();
  if (!row) return row.error();
  if (!*row) return agent_not_found(name);
  const std::string serial = mark->column_text(0);
  if (auto r = mark->run(); !r) return r;

  auto deny = db_->prepare(
      "INSERT INTO revoked_serials (serial, name, revoked_at) VALUES (?, ?, ?) "
      "ON CONFLICT(serial) DO NOTHING");
  if (!deny) return deny.error();
  if (auto r = deny->bind(1, serial); !r) return r;
  if (auto r = deny->bind(2, name); !r) return r;
  if (auto r = deny->bind(3, now_s); !r) return r;
  if (auto r = deny->run(); !r) return r;

  // A pending token must not re-admit the VM behind the operator's back.
  auto void_tokens = db_->prepare(
      "UPDATE enroll_tokens SET used_at = ? WHERE vm = ? AND used_at IS NULL");
  if (!void_tokens) return void_tokens.error();
  if (auto r = void_tokens->bind(1, now_s); !r) return r;
  if (auto r = void_tokens->bind(2, name); !r) return r;
  if (auto r = void_tokens->run(); !r) return r;
  return tx->commit();
}

Result<bool> HubStore::is_revoked_serial(const std::string& serial) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("SELECT 1 FROM revoked_serials WHERE serial = ?");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, serial); !r) return r.error();
  return stmt->step();
}

Result<std::vector<std::string>> HubStore::revoked_names() {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("SELECT name FROM agents WHERE revoked != 0 ORDER BY name");
  if (!stmt) return stmt.error();
  std::vector<std::string> names;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return names;
    names.push_back(stmt->column_text(0));
  }
}

Result<bool> HubStore::is_revoked_name(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("SELECT 1 FROM agents WHERE name = ? AND revoked != 0");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, name); !r) return r.error();
  return stmt->step();
}

Result<void> HubStore::mark_all_disconnected(StoreTime now) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("UPDATE agents SET connected = 0, last_seen = ? WHERE connected != 0");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, to_unix_seconds(now)); !r) return r;
  return stmt->run();
}

}  // namespace phoenix::hub
