# Homebrew formula for the Phoenix hub on a Mac (Apple Silicon, where tart runs).
# The hub builds in its portable configuration: no libsystemd, no netns driver, no agent.
# `brew services start phoenix-hub` runs it as the user who ran brew: tart's VMs live in that
# user's ~/.tart, so the hub must never run as root (see docs/install-macos.md).
#
# url and sha256 name the release tarball and are filled in when a release is published (the
# tarball is `cpack --config build/CPackSourceConfig.cmake`'s source package).
# The repository has no LICENSE file yet, so this formula declares no `license`; `brew audit
# --strict` asks for one, and the stanza is added once the project has chosen a licence.
class PhoenixHub < Formula
  desc "Hub for Docker hosts in tart VMs: VM API, agent endpoint, CA and rotations"
  homepage "https://phoenix.invalid/"
  url "https://phoenix.invalid/releases/phoenix-0.1.0-Source.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"

  depends_on "cmake" => :build
  depends_on "boost"
  depends_on "nlohmann-json"
  depends_on "openssl@3"
  depends_on "sqlite"
  depends_on :macos

  def install
    args = %w[
      -DPHOENIX_PORTABLE=ON
      -DPHOENIX_BUILD_TESTS=OFF
    ]
    system "cmake", "-S", ".", "-B", "build", *args, *std_cmake_args
    system "cmake", "--build", "build"
    system "cmake", "--install", "build"
  end

  def caveats
    <<~EOS
      The hub runs as you (tart keeps your VMs in ~/.tart); never start it with sudo.
      Initialise it once, then start the service:
        phoenix-hub init
        brew services start phoenix-hub
      State and hub.json: ~/Library/Application Support/Phoenix
      Agents reach the hub on port 8443: allow phoenix-hub when macOS asks.
    EOS
  end

  service do
    run [opt_bin/"phoenix-hub", "serve"]
    keep_alive true
    environment_variables PHOENIX_LOG_TIMESTAMPS: "1", PATH: std_service_path_env
    log_path var/"log/phoenix-hub.log"
    error_log_path var/"log/phoenix-hub.log"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/phoenix-hub --version")
    system bin/"phoenix-hub", "init", "--state-dir", testpath/"state", "--config", testpath/"hub.json"
    assert_predicate testpath/"state/hub.db", :exist?
  end
end
