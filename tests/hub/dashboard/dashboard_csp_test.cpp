#include "hub/dashboard/dashboard_csp.hpp"

#include "hub/dashboard/dashboard_page.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace phoenix::hub {
namespace {

TEST(DashboardCsp, HashesExactlyTheScriptText) {
  // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
  EXPECT_EQ(inline_script_source("<p>x</p><script>alert(1)</script>"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='");
  // One character more is another hash: the page cannot drift from its policy unnoticed.
  EXPECT_NE(inline_script_source("<script>alert(1) </script>"), inline_script_source("<script>alert(1)</script>"));
}

TEST(DashboardCsp, APageWithoutOrWithTwoScriptsIsABuildMistake) {
  EXPECT_THROW(inline_script_source("<p>no script</p>"), std::logic_error);
  EXPECT_THROW(inline_script_source("<script>a()"), std::logic_error);
  EXPECT_THROW(inline_script_source("<script>a()</script><script>b()</script>"), std::logic_error);
}

TEST(DashboardCsp, TheShippedPageRunsOnlyItsOwnScript) {
  const auto csp = dashboard_csp(dashboard_page());
  EXPECT_NE(csp.find("script-src 'sha256-"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("script-src 'unsafe-inline'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
}

}  // namespace
}  // namespace phoenix::hub
