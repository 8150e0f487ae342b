#pragma once
// How long an accept loop waits after a failed accept (EMFILE, ENFILE, ENOBUFS…). Retrying
// at once burns a core and floods the log while the cause (no free descriptor) persists;
// doubling up to a cap frees the CPU and still notices quickly when descriptors come back.
#include <chrono>

namespace phoenix::hub::limits {

class AcceptBackoff {
 public:
  explicit AcceptBackoff(std::chrono::milliseconds start = std::chrono::milliseconds(10),
                         std::chrono::milliseconds cap = std::chrono::milliseconds(1000));

  // The wait before the next accept after one more failure in a row.
  std::chrono::milliseconds next_delay();
  // A successful accept: the next failure starts again at `start`.
  void reset();

 private:
  std::chrono::milliseconds start_;
  std::chrono::milliseconds cap_;
  std::chrono::milliseconds current_{0};
};

}  // namespace phoenix::hub::limits
