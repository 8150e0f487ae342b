#pragma once
// Lets through only real changes. Agents report their state every few seconds whether or not
// anything changed; forwarding each report would make every dashboard reload the fleet at that
// pace, which is polling by another name. The filter remembers one fingerprint per key (one per
// connected agent, so it is as big as the fleet) and says whether a new one differs. Thread-safe.
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace phoenix::hub {

class ChangeFilter {
 public:
  // `fingerprint` nullopt: the key is gone (and forgotten). True when it differs from the last.
  bool changed(const std::string& key, std::optional<std::string> fingerprint);

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> last_;
};

}  // namespace phoenix::hub
