#pragma once
// Caps connections still in their TLS handshake, overall and per source address. A handshake
// costs the hub an ECDHE computation and a descriptor before the peer has proven anything, so
// a stranger opening many and never finishing them must not crowd out agents: the overall cap
// bounds the cost, the per-source cap keeps one address from taking every slot. Thread-safe.
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace phoenix::hub::limits {

enum class Admission { admitted, too_many_handshakes, too_many_from_source };

// Stable names for logs and the `reason` label of phoenix_connections_refused_total.
const char* admission_name(Admission admission);

class HandshakeGate : public std::enable_shared_from_this<HandshakeGate> {
 public:
  // Holds one handshake slot until destroyed (or released early once the handshake ends).
  class Ticket {
   public:
    Ticket() = default;
    Ticket(std::shared_ptr<HandshakeGate> gate, std::string source);
    Ticket(Ticket&& other) noexcept = default;
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { release(); }
    void release();
    explicit operator bool() const { return gate_ != nullptr; }

   private:
    std::shared_ptr<HandshakeGate> gate_;
    std::string source_;
  };

  HandshakeGate(std::size_t max_total, std::size_t max_per_source)
      : max_total_(max_total), max_per_source_(max_per_source) {}

  // A ticket when admitted; otherwise an empty ticket and why in `why`.
  Ticket try_enter(const std::string& source, Admission& why);

  std::size_t in_progress() const;
  std::size_t sources() const;

 private:
  void leave(const std::string& source);

  mutable std::mutex mutex_;
  std::size_t max_total_;
  std::size_t max_per_source_;
  std::size_t total_ = 0;
  std::map<std::string, std::size_t> per_source_;
};

}  // namespace phoenix::hub::limits
