// HubStore: the swarm trust tables (migration 3).
#include "hub/store/hub_store.hpp"
#include "hub/store/sqlite_database.hpp"

namespace phoenix::hub {

Result<std::optional<SwarmRecord>> HubStore::swarm_record() {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("SELECT ca_digest, manager, recorded_at FROM swarm_record WHERE id = 1");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<SwarmRecord>();
  return std::optional<SwarmRecord>(
      SwarmRecord{stmt->column_text(0), stmt->column_text(1), from_unix_seconds(stmt->column_int64(2))});
}

Result<void> HubStore::set_swarm_record(const SwarmRecord& record) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare(
      "INSERT INTO swarm_record (id, ca_digest, manager, recorded_at) VALUES (1, ?1, ?2, ?3) "
      "ON CONFLICT(id) DO UPDATE SET ca_digest = ?1, manager = ?2, recorded_at = ?3");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, record.ca_digest); !r) return r;
  if (auto r = stmt->bind(2, record.manager); !r) return r;
  if (auto r = stmt->bind(3, to_unix_seconds(record.recorded_at)); !r) return r;
  return stmt->run();
}

Result<void> HubStore::set_agent_address(const std::string& name, const std::string& address, StoreTime now) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare(
      "INSERT INTO agent_addresses (name, address, seen_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(name) DO UPDATE SET address = ?2, seen_at = ?3");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, name); !r) return r;
  if (auto r = stmt->bind(2, address); !r) return r;
  if (auto r = stmt->bind(3, to_unix_seconds(now)); !r) return r;
  return stmt->run();
}

Result<std::map<std::string, std::string>> HubStore::agent_addresses() {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("SELECT name, address FROM agent_addresses");
  if (!stmt) return stmt.error();
  std::map<std::string, std::string> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return out;
    out[stmt->column_text(0)] = stmt->column_text(1);
  }
}

}  // namespace phoenix::hub
