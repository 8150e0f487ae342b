// Docker trust per VM (issue 13), as root with real dockerds: after a hub-started rotation,
// a client cert taken from one VM's `phoenix` context opens that VM's dockerd and no other;
// the operators' identity the hub keeps on the hypervisor opens every one; revoking a VM
// changes none of that. Every check is the real docker CLI through a real docker context.
#include "shared/pki/certificate.hpp"
#include "tests/hub/e2e/fleet_rotation_fixture.hpp"

#include <sys/stat.h>

namespace phoenix::test {
namespace {

class DockerTrustTest : public FleetRotationTest {
 protected:
  std::string context_dir(const Vm& v) const { return v.home() + "/.docker/contexts/tls/" + kContextId + "/docker"; }
  std::string operator_dir() const { return state_ + "/operator/current"; }

  // `docker context create NAME` on the runner (the hypervisor) for `vm`'s TLS port with the
  // given CA / cert / key files, then `docker --context NAME version`: did dockerd answer?
  bool reaches(const std::string& name, const Vm& vm, const std::string& ca, const std::string& cert,
               const std::string& key) {
    const Env env{{"HOME", runner_home_}};
    const std::string out = dir_.path() + "/" + name + ".out";
    const std::string err = dir_.path() + "/" + name + ".err";
    const std::string spec = "host=tcp://127.0.0.1:" + std::to_string(vm.tls_port) + ",ca=" + ca + ",cert=" + cert +
                             ",key=" + key;
    EXPECT_EQ(run_program_output({docker_cli(), "context", "create", name, "--docker", spec}, out, err, env), 0)
        << read_text_file(err);
    const bool answered = run_program_output({docker_cli(), "--context", name, "version", "--format",
                                              "{{.Server.Version}}"},
                                             out, err, env) == 0;
    last_error_ = read_text_file(err);
    return answered;
  }
  bool vm_cert_reaches(const std::string& name, const Vm& from, const Vm& to) {
    return reaches(name, to, context_dir(to) + "/ca.pem", context_dir(from) + "/cert.pem", context_dir(from) + "/key.pem");
  }
  bool operator_reaches(const std::string& name, const Vm& to) {
    return reaches(name, to, operator_dir() + "/ca.pem", operator_dir() + "/cert.pem", operator_dir() + "/key.pem");
  }

  std::string runner_home_ = dir_.path() + "/runner-home";
  std::string last_error_;
};

TEST_F(DockerTrustTest, AVmsClientCertOpensOnlyItsOwnDockerdAndOperatorsReachEvery) {
  ASSERT_FALSE(docker_cli().empty()) << "no docker CLI";
  stdfs::create_directories(runner_home_);
  const auto rotation = wait_finished(start_rotation({{"kind", "docker-tls"}, {"max_parallel", 3}}));
  ASSERT_EQ(rotation.value("state", ""), "completed") << rotation.dump(2);
  Vm& vm1 = vm("vm1");
  Vm& vm2 = vm("vm2");
  Vm& vm3 = vm("vm3");

  EXPECT_TRUE(vm_cert_reaches("vm1-on-vm1", vm1, vm1)) << last_error_;
  EXPECT_FALSE(vm_cert_reaches("vm1-on-vm2", vm1, vm2)) << "vm2's dockerd accepted vm1's client cert";
  EXPECT_NE(last_error_.find("certificate"), std::string::npos) << last_error_;
  EXPECT_FALSE(vm_cert_reaches("vm1-on-vm3", vm1, vm3)) << "vm3's dockerd accepted vm1's client cert";
  EXPECT_FALSE(vm_cert_reaches("vm3-on-vm1", vm3, vm1)) << "vm1's dockerd accepted vm3's client cert";

  // The operators' identity, kept by the hub on the hypervisor: short-lived, key 0600.
  const auto operator_cert = pki::Certificate::from_pem(read_text_file(operator_dir() + "/cert.pem"));
  ASSERT_TRUE(operator_cert) << operator_cert.error().to_string();
  EXPECT_LE(operator_cert->facts().not_after, std::chrono::system_clock::now() + 24h);
  struct stat st{};
  ASSERT_EQ(::stat((operator_dir() + "/key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  for (Vm* v : {&vm1, &vm2, &vm3}) EXPECT_TRUE(operator_reaches("operator-" + v->name, *v)) << v->name << ": " << last_error_;

  // Revoking vm1 leaves its certs as useless elsewhere as before, and the operators' way in open.
  ASSERT_EQ(call("POST", "/agents/vm1/revoke").status, 200);
  EXPECT_FALSE(vm_cert_reaches("revoked-vm1-on-vm2", vm1, vm2));
  EXPECT_FALSE(vm_cert_reaches("revoked-vm1-on-vm3", vm1, vm3));
  EXPECT_TRUE(operator_reaches("operator-after-revoke", vm2)) << last_error_;
}

}  // namespace
}  // namespace phoenix::test
