// phoenix-test-dockerd-ctl: start/stop/restart a DockerdFixture's dockerd from outside the
// test process. Invoked as `<fixture dir>/restart-dockerd` (a symlink the fixture makes)
// it restarts that fixture's daemon: a one-word --restart-command for phoenix-agent.
#include "tests/support/dockerd_fixture.hpp"

#include <filesystem>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  namespace control = phoenix::test::dockerd_control;
  const std::filesystem::path self = argc > 0 ? argv[0] : "";
  std::string action;
  std::string dir;
  if (self.filename() == "restart-dockerd") {
    action = "restart";
    dir = self.parent_path().string();
  } else if (argc == 3) {
    action = argv[1];
    dir = argv[2];
  }
  phoenix::Result<void> result = phoenix::make_error("usage", "usage: phoenix-test-dockerd-ctl start|stop|restart FIXTURE_DIR");
  if (action == "start") result = control::start(dir);
  else if (action == "stop") result = control::stop(dir);
  else if (action == "restart") result = control::restart(dir);
  if (!result) {
    std::cerr << "phoenix-test-dockerd-ctl: " << result.error().to_string() << "\n";
    return 1;
  }
  return 0;
}
