#include "hub/http/router.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub::http {
namespace {

Router make_router() {
  Router router;
  auto noop = [](const Request&, const RouteContext&, Respond) {};
  router.add({Verb::get, "/health", true, Role::read, noop});
  router.add({Verb::get, "/vms", false, Role::read, noop});
  router.add({Verb::get, "/vms/{name}", false, Role::read, noop});
  router.add({Verb::post, "/vms/{name}/start", false, Role::write, noop});
  router.add({Verb::get, "/vms/{name}/ip", false, Role::read, noop});
  return router;
}

TEST(Router, MatchesExactPaths) {
  const auto router = make_router();
  const auto m = router.match(Verb::get, "/vms");
  ASSERT_EQ(m.status, Status::ok);
  EXPECT_EQ(m.route->pattern, "/vms");
  EXPECT_TRUE(m.context.path_params.empty());
}

TEST(Router, CapturesAndDecodesParameters) {
  const auto router = make_router();
  const auto m = router.match(Verb::post, "/vms/my%2Dvm/start");
  ASSERT_EQ(m.status, Status::ok);
  EXPECT_EQ(m.route->pattern, "/vms/{name}/start");
  EXPECT_EQ(m.context.param("name"), "my-vm");
}

TEST(Router, EncodedTraversalIsOneSegmentNotAPath) {
  const auto router = make_router();
  const auto m = router.match(Verb::get, "/vms/%2e%2e%2f");
  ASSERT_EQ(m.status, Status::ok);
  EXPECT_EQ(m.route->pattern, "/vms/{name}");
  EXPECT_EQ(m.context.param("name"), "../");
  const auto n = router.match(Verb::get, "/vms/..%2Fx/ip");
  ASSERT_EQ(n.status, Status::ok);
  EXPECT_EQ(n.context.param("name"), "../x");
}

TEST(Router, DotSegmentsAreRefusedNotResolved) {
  const auto router = make_router();
  for (const char* target : {"/vms/../x", "/vms/./x", "/vms/%2e%2e/start", "/vms/x/../../health",
                             "/vms/%2E/ip"}) {
    EXPECT_EQ(router.match(Verb::get, target).status, Status::bad_request) << target;
  }
  EXPECT_EQ(router.match(Verb::get, "/vms/..x").status, Status::ok) << "only whole dot segments";
}

TEST(Router, SegmentsMatchWholeNotByPrefix) {
  const auto router = make_router();
  EXPECT_EQ(router.match(Verb::get, "/vmsx").status, Status::not_found);
  EXPECT_EQ(router.match(Verb::get, "/vms/a/b/c").status, Status::not_found);
  EXPECT_EQ(router.match(Verb::get, "/VMS").status, Status::not_found);
  EXPECT_EQ(router.match(Verb::get, "/").status, Status::not_found);
  EXPECT_EQ(router.match(Verb::get, "/vms/a/starts").status, Status::not_found);
}

TEST(Router, TrailingSlashIsTheSamePath) {
  const auto router = make_router();
  EXPECT_EQ(router.match(Verb::get, "/vms/").status, Status::ok);
}

TEST(Router, WrongMethodIs405WithAllow) {
  const auto router = make_router();
  const auto m = router.match(Verb::delete_, "/vms/a");
  EXPECT_EQ(m.status, Status::method_not_allowed);
  EXPECT_EQ(m.allow, "GET");
  const auto s = router.match(Verb::get, "/vms/a/start");
  EXPECT_EQ(s.status, Status::method_not_allowed);
  EXPECT_EQ(s.allow, "POST");
}

TEST(Router, DecodesQuery) {
  const auto router = make_router();
  const auto m = router.match(Verb::get, "/vms/a/ip?wait=1%30&x");
  ASSERT_EQ(m.status, Status::ok);
  EXPECT_EQ(m.context.query_value("wait"), "10");
  EXPECT_EQ(m.context.query_value("x"), "");
  EXPECT_EQ(m.context.query_value("y"), std::nullopt);
}

TEST(Router, RejectsTargetsThatAreNotOriginForm) {
  const auto router = make_router();
  EXPECT_EQ(router.match(Verb::get, "http://example.com/vms").status, Status::bad_request);
  EXPECT_EQ(router.match(Verb::get, "*").status, Status::bad_request);
  EXPECT_EQ(router.match(Verb::get, "/vms/%zz").status, Status::bad_request);
}

}  // namespace
}  // namespace phoenix::hub::http
