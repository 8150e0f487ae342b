#pragma once
// The hub's durable state in one SQLite file (`<state-dir>/hub.db`): enrollment tokens
// (hashed), the agents registry and the revocation deny list. Later issues add tables
// as new migrations: the schema version lives in PRAGMA user_version.
//
// Threading: one connection guarded by a mutex, so every method may be called from any
// thread; calls are short (single statements or small transactions). WAL mode and a busy
// timeout let `phoenix-hub token create` / `revoke` write while `serve` has the file open.
#include "hub/store/rotation_records.hpp"
#include "shared/core/error.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace phoenix::hub {

using StoreTime = std::chrono::system_clock::time_point;  // stored as unix seconds

// The swarm the hub formed or first adopted on a configured manager: join tokens of any other
// swarm are refused (hub/swarm/swarm_trust.hpp).
struct SwarmRecord {
  std::string ca_digest;  // the root CA digest its join tokens carry
  std::string manager;    // the configured manager it was recorded from
  StoreTime recorded_at{};
};

struct AgentRecord {
  std::string name;
  std::string cert_serial;  // current identity cert serial (uppercase hex, as pki prints it)
  StoreTime cert_not_after{};
  StoreTime first_seen{};
  StoreTime last_seen{};
  bool connected = false;
  bool revoked = false;
  nlohmann::json last_state;  // the agent's last AgentState (hello/state body); null if none
};

// The latest schema version this build knows (PRAGMA user_version after open()).
inline constexpr int kHubStoreSchemaVersion = 3;

class SqliteDatabase;

class HubStore {
 public:
  // Opens or creates `path` (new file mode 0600), enables WAL and a busy timeout, and
  // brings the schema up to kHubStoreSchemaVersion. A file from a newer build is refused
  // ("store_error"). Errors: "store_error" with the SQLite message.
  static Result<std::unique_ptr<HubStore>> open(const std::string& path);

  ~HubStore();
  HubStore(const HubStore&) = delete;
  HubStore& operator=(const HubStore&) = delete;

  int schema_version();

  // --- enrollment tokens (only sha256(secret) as lowercase hex is ever stored) ---
  // "token_exists" when the hash is already present (a duplicate secret).
  Result<void> add_token(const std::string& hash_hex, const std::string& vm, StoreTime created,
                         StoreTime expires);
  // Single use: exactly one caller wins for a given hash (an UPDATE guarded by
  // used_at IS NULL AND expires_at > now). Returns the token's VM name. Errors:
  // "token_invalid" (unknown hash), "token_used", "token_expired".
  Result<std::string> consume_token(const std::string& hash_hex, StoreTime now);
  // The same answer as consume_token without using the token up: enrollment asks this first,
  // so a caller without a usable token never reaches the CSR parser.
  Result<std::string> check_token(const std::string& hash_hex, StoreTime now);
  // Deletes tokens that expired before `cutoff` (used or not); returns how many.
  Result<int> prune_tokens(StoreTime cutoff);

  // --- agents registry ---
  // First enrollment or re-enrollment of `name` with a fresh identity: sets the serial and
  // expiry, first_seen (kept if already known), last_seen; clears `revoked` for the name
  // (an operator re-enrolling a revoked VM issued it a new token on purpose); serials on
  // the deny list stay denied.
  Result<void> record_enrollment(const std::string& name, const std::string& serial,
                                 StoreTime not_after, StoreTime now);
  // Identity renewal over the live channel: new serial and expiry. "agent_not_found".
  Result<void> record_identity(const std::string& name, const std::string& serial,
                               StoreTime not_after);
  // "agent_not_found" for an unknown name.
  Result<void> set_connected(const std::string& name, bool connected, StoreTime now);
  Result<void> set_last_state(const std::string& name, const nlohmann::json& state, StoreTime now);
  Result<std::optional<AgentRecord>> get_agent(const std::string& name);
  Result<std::vector<AgentRecord>> list_agents();  // sorted by name
  // Marks the agent revoked and disconnected, puts its current serial on the deny list
  // and voids the VM's unused enrollment tokens (they then fail as "token_used"), so only a
  // token created after the revocation can enroll it again. "agent_not_found" for an
  // unknown name. Revoking twice is fine.
  Result<void> revoke(const std::string& name, StoreTime now);
  Result<bool> is_revoked_serial(const std::string& serial);
  // Names currently revoked, sorted: for a running hub that polls the store to close live
  // channels revoked by `phoenix-hub revoke` from another process.
  Result<std::vector<std::string>> revoked_names();
  Result<bool> is_revoked_name(const std::string& name);
  // At hub start: no agent is connected until it connects again.
  Result<void> mark_all_disconnected(StoreTime now);

  // --- rotations (hub_store_rotations.cpp) ---
  // Stores a new rotation with its targets in one transaction. "rotation_exists" when the
  // id is taken.
  Result<void> create_rotation(const RotationRecord& rotation);
  Result<std::optional<RotationRecord>> get_rotation(const std::string& id);
  // Newest first; at most `limit`.
  Result<std::vector<RotationRecord>> list_rotations(int limit);
  // Ids of rotations not finished yet, oldest first: what a restarted hub resumes.
  Result<std::vector<std::string>> unfinished_rotations();
  // How many rotations there are of each (kind, outcome), for /metrics.
  Result<std::vector<std::tuple<std::string, std::string, std::int64_t>>> rotation_counts();
  // Replaces the stored row of target `target.vm`. "rotation_target_not_found".
  Result<void> update_rotation_target(const std::string& id, const RotationTargetRecord& target);
  // Records the planner's outcome and reason; `finished_at` set once the outcome is final.
  // "rotation_not_found".
  // docker-ca: moves the rotation to `phase` of `plan`, in progress again, every target
  // pending. "rotation_not_found".
  Result<void> start_rotation_phase(const std::string& id, const std::string& plan, int phase);
  Result<void> set_rotation_outcome(const std::string& id, RolloutOutcome outcome,
                                    const std::string& reason,
                                    std::optional<StoreTime> finished_at);

  // --- swarm trust (hub_store_swarm.cpp) ---
  Result<std::optional<SwarmRecord>> swarm_record();
  Result<void> set_swarm_record(const SwarmRecord& record);  // replaces the one row
  // The IP an agent's channel came from, as the hub saw it (kept after revocation).
  Result<void> set_agent_address(const std::string& name, const std::string& address, StoreTime now);
  Result<std::map<std::string, std::string>> agent_addresses();  // name -> address

  // Called after every successful rotation write above (create, target, phase, outcome),
  // from the writer's thread, with the rotation id: live events for the dashboard.
  using RotationObserver = std::function<void(const std::string& id)>;
  void on_rotation_change(RotationObserver observer);

 private:
  explicit HubStore(std::unique_ptr<SqliteDatabase> db);

  Result<std::string> token_refusal(const std::string& hash_hex);
  Result<void> insert_rotation(const RotationRecord& rotation);
  Result<void> write_rotation_target(const std::string& id, const RotationTargetRecord& target);
  Result<void> write_rotation_phase(const std::string& id, const std::string& plan, int phase);
  Result<void> write_rotation_outcome(const std::string& id, RolloutOutcome outcome, const std::string& reason,
                                      std::optional<StoreTime> finished_at);
  Result<void> rotation_changed(const std::string& id, Result<void> written);

  std::mutex observer_mutex_;
  RotationObserver rotation_observer_;
  std::mutex mutex_;
  std::unique_ptr<SqliteDatabase> db_;
};

// Unix seconds <-> time points, as stored.
std::int64_t to_unix_seconds(StoreTime t);
StoreTime from_unix_seconds(std::int64_t seconds);

}  // namespace phoenix::hub
