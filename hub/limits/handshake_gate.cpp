#include "hub/limits/handshake_gate.hpp"

namespace phoenix::hub::limits {

const char* admission_name(Admission admission) {
  switch (admission) {
    case Admission::admitted: return "admitted";
    case Admission::too_many_handshakes: return "max_handshakes";
    case Admission::too_many_from_source: return "max_handshakes_per_source";
  }
  return "unknown";
}

HandshakeGate::Ticket::Ticket(std::shared_ptr<HandshakeGate> gate, std::string source)
    : gate_(std::move(gate)), source_(std::move(source)) {}

HandshakeGate::Ticket& HandshakeGate::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    release();
    gate_ = std::move(other.gate_);
    source_ = std::move(other.source_);
  }
  return *this;
}

void HandshakeGate::Ticket::release() {
  if (gate_) gate_->leave(source_);
  gate_.reset();
}

HandshakeGate::Ticket HandshakeGate::try_enter(const std::string& source, Admission& why) {
  std::lock_guard lock(mutex_);
  if (total_ >= max_total_) {
    why = Admission::too_many_handshakes;
    return {};
  }
  auto& count = per_source_[source];
  if (count >= max_per_source_) {
    why = Admission::too_many_from_source;
    if (count == 0) per_source_.erase(source);
    return {};
  }
  ++count;
  ++total_;
  why = Admission::admitted;
  return Ticket(shared_from_this(), source);
}

void HandshakeGate::leave(const std::string& source) {
  std::lock_guard lock(mutex_);
  --total_;
  auto it = per_source_.find(source);
  if (it != per_source_.end() && --it->second == 0) per_source_.erase(it);
}

std::size_t HandshakeGate::in_progress() const {
  std::lock_guard lock(mutex_);
  return total_;
}

std::size_t HandshakeGate::sources() const {
  std::lock_guard lock(mutex_);
  return per_source_.size();
}

}  // namespace phoenix::hub::limits
