// The DOCKER_HOST drift scanner: every kind of file it reads (/etc/environment, profile.d,
// /etc/default/docker, shell rc files, ~/.pam_environment, docker.service and its drop-ins),
// line by line and as whole files through scan_docker_host and the fix/restore round trip.
#include "agent/docker/docker_host_drift.hpp"
#include "shared/fs/fake_file_system.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

constexpr phoenix::agent::docker::DriftSource kSources[] = {
    phoenix::agent::docker::DriftSource::etc_environment, phoenix::agent::docker::DriftSource::profile_d,
    phoenix::agent::docker::DriftSource::default_docker,  phoenix::agent::docker::DriftSource::user_shell_rc,
    phoenix::agent::docker::DriftSource::pam_environment, phoenix::agent::docker::DriftSource::systemd_unit,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phoenix;
  using namespace phoenix::agent::docker;
  FuzzedDataProvider input(data, size);
  const auto source = input.PickValueInArray(kSources);
  const std::string text = input.ConsumeRemainingBytesAsString();

  std::string_view rest(text);
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const auto line = rest.substr(0, end);
    if (auto value = docker_host_in_line(line, source)) (void)explain_docker_host(*value, source);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }

  fs::FakeFileSystem files;
  const auto paths = SystemPaths::under("");
  const UserAccount user{"alice", "/home/alice", 1000, 1000};
  switch (source) {
    case DriftSource::etc_environment: files.put(paths.etc_environment, text); break;
    case DriftSource::profile_d: files.put(paths.profile_d + "/docker.sh", text); break;
    case DriftSource::default_docker: files.put(paths.default_docker, text); break;
    case DriftSource::user_shell_rc: files.put(user.home + "/.bashrc", text); break;
    case DriftSource::pam_environment: files.put(user.home + "/.pam_environment", text); break;
    default: files.put(paths.dropin_search_order.front() + "/env.conf", text); break;
  }
  const auto findings = scan_docker_host(files, paths, {user});
  if (findings.empty()) return 0;
  auto fixed = fix_docker_host(files, findings);
  if (fixed) (void)restore_docker_host(files, fixed->files_changed);
  return 0;
}
