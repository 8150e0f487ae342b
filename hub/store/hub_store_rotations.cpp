// HubStore: the rotations tables (migration 2). See rotation_records.hpp.
#include "hub/store/hub_store.hpp"
#include "hub/store/sqlite_database.hpp"

namespace phoenix::hub {
namespace {

Error rotation_not_found(const std::string& id) {
  return make_error("rotation_not_found", "no rotation with id \"" + id + "\" (see GET /rotations)");
}

Result<void> bind_optional_time(SqliteStatement& stmt, int index, const std::optional<RecordTime>& t) {
  return t ? stmt.bind(index, to_unix_seconds(*t)) : stmt.bind_null(index);
}

std::optional<RecordTime> optional_time(const SqliteStatement& row, int index) {
  if (row.column_is_null(index)) return std::nullopt;
  return from_unix_seconds(row.column_int64(index));
}

constexpr const char* kRotationColumns =
    "id, kind, max_parallel, max_failures, outcome, reason, created_at, finished_at, plan, phase, old_ca, new_ca";

RotationRecord read_rotation(const SqliteStatement& row) {
  RotationRecord r;
  r.id = row.column_text(0);
  r.kind = row.column_text(1);
  r.max_parallel = static_cast<int>(row.column_int64(2));
  r.max_failures = static_cast<int>(row.column_int64(3));
  r.outcome = parse_rollout_outcome(row.column_text(4));
  r.reason = row.column_text(5);
  r.created_at = from_unix_seconds(row.column_int64(6));
  r.finished_at = optional_time(row, 7);
  r.plan = row.column_text(8);
  r.phase = static_cast<int>(row.column_int64(9));
  r.old_ca = row.column_text(10);
  r.new_ca = row.column_text(11);
  return r;
}

Result<std::vector<RotationTargetRecord>> read_targets(SqliteDatabase& db, const std::string& id) {
  auto stmt = db.prepare(
      "SELECT vm, state, started_at, finished_at, old_serial, new_serial, error "
      "FROM rotation_targets WHERE rotation_id = ? ORDER BY position");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, id); !r) return r.error();
  std::vector<RotationTargetRecord> targets;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return targets;
    RotationTargetRecord t;
    t.vm = stmt->column_text(0);
    t.state = parse_target_state(stmt->column_text(1));
    t.started_at = optional_time(*stmt, 2);
    t.finished_at = optional_time(*stmt, 3);
    t.old_serial = stmt->column_text(4);
    t.new_serial = stmt->column_text(5);
    t.error = stmt->column_text(6);
    targets.push_back(std::move(t));
  }
}

// The rotations `stmt` selects (kRotationColumns, bound and ready), each with its targets.
Result<std::vector<RotationRecord>> read_rotations(SqliteDatabase& db, SqliteStatement& stmt) {
  std::vector<RotationRecord> rotations;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) break;
    rotations.push_back(read_rotation(stmt));
  }
  for (auto& rotation : rotations) {
    auto targets = read_targets(db, rotation.id);
    if (!targets) return targets.error();
    rotation.targets = std::move(*targets);
  }
  return rotations;
}

}  // namespace

Result<void> HubStore::insert_rotation(const RotationRecord& rotation) {
  std::lock_guard lock(mutex_);
  auto tx = SqliteTransaction::begin(*db_);
  if (!tx) return tx.error();
  auto insert = db_->prepare(
      "INSERT INTO rotations (id, kind, max_parallel, max_failures, outcome, reason, created_at, "
      "finished_at, plan, phase, old_ca, new_ca) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(id) DO NOTHING");
  if (!insert) return insert.error();
  if (auto r = insert->bind(1, rotation.id); !r) return r;
  if (auto r = insert->bind(2, rotation.kind); !r) return r;
  if (auto r = insert->bind(3, std::int64_t{rotation.max_parallel}); !r) return r;
  if (auto r = insert->bind(4, std::int64_t{rotation.max_failures}); !r) return r;
  if (auto r = insert->bind(5, to_string(rotation.outcome)); !r) return r;
  if (auto r = insert->bind(6, rotation.reason); !r) return r;
  if (auto r = insert->bind(7, to_unix_seconds(rotation.created_at)); !r) return r;
  if (auto r = bind_optional_time(*insert, 8, rotation.finished_at); !r) return r;
  if (auto r = insert->bind(9, rotation.plan); !r) return r;
  if (auto r = insert->bind(10, std::int64_t{rotation.phase}); !r) return r;
  if (auto r = insert->bind(11, rotation.old_ca); !r) return r;
  if (auto r = insert->bind(12, rotation.new_ca); !r) return r;
  if (auto r = insert->run(); !r) return r;
  if (db_->changes() == 0) {
    return make_error("rotation_exists", "a rotation with id \"" + rotation.id + "\" already exists");
  }
  std::int64_t position = 0;
  for (const auto& target : rotation.targets) {
    auto row = db_->prepare(
        "INSERT INTO rotation_targets (rotation_id, position, vm, state, started_at, finished_at, "
        "old_serial, new_serial, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!row) return row.error();
    if (auto r = row->bind(1, rotation.id); !r) return r;
    if (auto r = row->bind(2, position++); !r) return r;
    if (auto r = row->bind(3, target.vm); !r) return r;
    if (auto r = row->bind(4, to_string(target.state)); !r) return r;
    if (auto r = bind_optional_time(*row, 5, target.started_at); !r) return r;
    if (auto r = bind_optional_time(*row, 6, target.finished_at); !r) return r;
    if (auto r = row->bind(7, target.old_serial); !r) return r;
    if (auto r = row->bind(8, target.new_serial); !r) return r;
    if (auto r = row->bind(9, target.error); !r) return r;
    if (auto r = row->run(); !r) {
      return make_error("store_error", "rotation " + rotation.id + ": target " + target.vm +
                                           " listed twice or not stored: " + r.error().message);
    }
  }
  return tx->commit();
}

Result<std::optional<RotationRecord>> HubStore::get_rotation(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare(std::string("SELECT ") + kRotationColumns + " FROM rotations WHERE id = ?");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, id); !r) return r.error();
  auto rotations = read_rotations(*db_, *stmt);
  if (!rotations) return rotations.error();
  if (rotations->empty()) return std::optional<RotationRecord>{};
  return std::optional<RotationRecord>{std::move(rotations->front())};
}

Result<std::vector<RotationRecord>> HubStore::list_rotations(int limit) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare(std::string("SELECT ") + kRotationColumns +
                           " FROM rotations ORDER BY created_at DESC, rowid DESC LIMIT ?");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, std::int64_t{limit}); !r) return r.error();
  return read_rotations(*db_, *stmt);
}

Result<std::vector<std::string>> HubStore::unfinished_rotations() {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("SELECT id FROM rotations WHERE finished_at IS NULL ORDER BY created_at, rowid");
  if (!stmt) return stmt.error();
  std::vector<std::string> ids;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return ids;
    ids.push_back(stmt->column_text(0));
  }
}

Result<std::vector<std::tuple<std::string, std::string, std::int64_t>>> HubStore::rotation_counts() {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("SELECT kind, outcome, COUNT(*) FROM rotations GROUP BY kind, outcome ORDER BY kind, outcome");
  if (!stmt) return stmt.error();
  std::vector<std::tuple<std::string, std::string, std::int64_t>> counts;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return counts;
    counts.emplace_back(stmt->column_text(0), stmt->column_text(1), stmt->column_int64(2));
  }
}

Result<void> HubStore::write_rotation_target(const std::string& id, const RotationTargetRecord& target) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare(
      "UPDATE rotation_targets SET state = ?, started_at = ?, finished_at = ?, old_serial = ?, "
      "new_serial = ?, error = ? WHERE rotation_id = ? AND vm = ?");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, to_string(target.state)); !r) return r;
  if (auto r = bind_optional_time(*stmt, 2, target.started_at); !r) return r;
  if (auto r = bind_optional_time(*stmt, 3, target.finished_at); !r) return r;
  if (auto r = stmt->bind(4, target.old_serial); !r) return r;
  if (auto r = stmt->bind(5, target.new_serial); !r) return r;
  if (auto r = stmt->bind(6, target.error); !r) return r;
  if (auto r = stmt->bind(7, id); !r) return r;
  if (auto r = stmt->bind(8, target.vm); !r) return r;
  if (auto r = stmt->run(); !r) return r;
  if (db_->changes() == 0) {
    return make_error("rotation_target_not_found",
                      "rotation \"" + id + "\" has no target VM \"" + target.vm + "\"");
  }
  return ok();
}

Result<void> HubStore::write_rotation_phase(const std::string& id, const std::string& plan, int phase) {
  std::lock_guard lock(mutex_);
  auto tx = SqliteTransaction::begin(*db_);
  if (!tx) return tx.error();
  auto rotation = db_->prepare(
      "UPDATE rotations SET plan = ?, phase = ?, outcome = 'in_progress', reason = '', finished_at = NULL "
      "WHERE id = ?");
  if (!rotation) return rotation.error();
  if (auto r = rotation->bind(1, plan); !r) return r;
  if (auto r = rotation->bind(2, std::int64_t{phase}); !r) return r;
  if (auto r = rotation->bind(3, id); !r) return r;
  if (auto r = rotation->run(); !r) return r;
  if (db_->changes() == 0) return rotation_not_found(id);
  // Every VM goes through every phase; what a VM did in the last phase stays in the log.
  auto targets = db_->prepare(
      "UPDATE rotation_targets SET state = 'pending', started_at = NULL, finished_at = NULL, old_serial = '', "
      "new_serial = '', error = '' WHERE rotation_id = ?");
  if (!targets) return targets.error();
  if (auto r = targets->bind(1, id); !r) return r;
  if (auto r = targets->run(); !r) return r;
  return tx->commit();
}

Result<void> HubStore::write_rotation_outcome(const std::string& id, RolloutOutcome outcome,
                                              const std::string& reason,
                                              std::optional<StoreTime> finished_at) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("UPDATE rotations SET outcome = ?, reason = ?, finished_at = ? WHERE id = ?");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, to_string(outcome)); !r) return r;
  if (auto r = stmt->bind(2, reason); !r) return r;
  if (auto r = bind_optional_time(*stmt, 3, finished_at); !r) return r;
  if (auto r = stmt->bind(4, id); !r) return r;
  if (auto r = stmt->run(); !r) return r;
  if (db_->changes() == 0) return rotation_not_found(id);
  return ok();
}

// The public writers: the row work above, then the rotation observer (outside the lock,
// so it may read the store).
Result<void> HubStore::create_rotation(const RotationRecord& rotation) {
  return rotation_changed(rotation.id, insert_rotation(rotation));
}

Result<void> HubStore::update_rotation_target(const std::string& id, const RotationTargetRecord& target) {
  return rotation_changed(id, write_rotation_target(id, target));
}

Result<void> HubStore::start_rotation_phase(const std::string& id, const std::string& plan, int phase) {
  return rotation_changed(id, write_rotation_phase(id, plan, phase));
}

Result<void> HubStore::set_rotation_outcome(const std::string& id, RolloutOutcome outcome, const std::string& reason,
                                            std::optional<StoreTime> finished_at) {
  return rotation_changed(id, write_rotation_outcome(id, outcome, reason, finished_at));
}

void HubStore::on_rotation_change(RotationObserver observer) {
  std::lock_guard lock(observer_mutex_);
  rotation_observer_ = std::move(observer);
}

Result<void> HubStore::rotation_changed(const std::string& id, Result<void> written) {
  if (!written) return written;
  RotationObserver observer;
  {
    std::lock_guard lock(observer_mutex_);
    observer = rotation_observer_;
  }
  if (observer) observer(id);
  return written;
}

}  // namespace phoenix::hub
