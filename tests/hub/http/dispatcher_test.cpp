#include "hub/http/dispatcher.hpp"

#include "hub/http/json_response.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>

namespace phoenix::hub::http {
namespace {

class DispatcherTest : public ::testing::Test {
 protected:
  std::shared_ptr<Router> router_ = [] {
    auto r = std::make_shared<Router>();
    auto ok = [](const Request&, const RouteContext& ctx, Respond respond) {
      respond(json_response(Status::ok, {{"path", ctx.path}}));
    };
    r->add({Verb::get, "/health", true, Role::read, ok});
    r->add({Verb::get, "/vms", false, Role::read, ok});
    r->add({Verb::post, "/vms/{name}/start", false, Role::write, ok});
    r->add({Verb::get, "/boom", false, Role::read,
            [](const Request&, const RouteContext&, Respond) { throw std::runtime_error("secret detail"); }});
    return r;
  }();

  Response call(const Dispatcher& dispatcher, Verb verb, const std::string& target,
                const std::string& authorization = "") {
    Request req{verb, target, 11};
    if (!authorization.empty()) req.set(beast_http::field::authorization, authorization);
    std::optional<Response> answer;
    dispatcher.handle(req, [&](Response res) { answer = std::move(res); });
    EXPECT_TRUE(answer.has_value()) << "no answer for " << target;
    return answer.value_or(Response{});
  }

  static std::string code_of(const Response& res) {
    const auto j = nlohmann::json::parse(res.body(), nullptr, false);
    return j.is_discarded() ? "" : j["error"].value("code", "");
  }

  Dispatcher with_tokens() {
    return Dispatcher(router_, std::make_shared<TokenAuth>(std::vector<TokenEntry>{
                                   {"r-token", Role::read}, {"w-token", Role::write}}),
                      HostAllowList{});
  }
};

TEST_F(DispatcherTest, WithoutTokensEverythingIsAllowed) {
  const Dispatcher d(router_, std::make_shared<TokenAuth>(), HostAllowList{});
  EXPECT_EQ(call(d, Verb::get, "/vms").result(), Status::ok);
  EXPECT_EQ(call(d, Verb::post, "/vms/a/start").result(), Status::ok);
}

TEST_F(DispatcherTest, AnotherOriginIsRefusedBeforeAnyRouteRuns) {
  int ran = 0;
  auto router = std::make_shared<Router>();
  router->add({Verb::post, "/vms/{name}/start", false, Role::write, [&](const Request&, const RouteContext&, Respond r) {
                 ++ran;
                 r(json_response(Status::ok, {}));
               }});
  const Dispatcher d(router, std::make_shared<TokenAuth>(), HostAllowList{});
  const auto with = [&](const std::string& origin) {
    Request req{Verb::post, "/vms/a/start", 11};
    req.set(beast_http::field::host, "127.0.0.1:8082");
    if (!origin.empty()) req.set(beast_http::field::origin, origin);
    std::optional<Response> answer;
    d.handle(req, [&](Response res) { answer = std::move(res); });
    return answer.value_or(Response{});
  };
  for (const std::string evil : {"http://evil.example", "http://127.0.0.1:8083", "null", "https://127.0.0.1:8082.evil"}) {
    const auto res = with(evil);
    EXPECT_EQ(res.result(), Status::forbidden) << evil;
    EXPECT_EQ(code_of(res), "cross_origin") << evil;
  }
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(with("http://127.0.0.1:8082").result(), Status::ok) << "the dashboard's own origin";
  EXPECT_EQ(with("").result(), Status::ok) << "curl and other non-browser clients send no Origin";
  EXPECT_EQ(ran, 2);
}

// DNS rebinding: a page on evil.example:8082 whose name now resolves to 127.0.0.1 sends Host and
// Origin that agree, so only the Host check stands between it and a hub without tokens.
TEST_F(DispatcherTest, AHostTheHubDoesNotKnowIsRefusedEvenWithAMatchingOrigin) {
  int ran = 0;
  auto router = std::make_shared<Router>();
  router->add({Verb::post, "/vms/{name}/start", false, Role::write, [&](const Request&, const RouteContext&, Respond r) {
                 ++ran;
                 r(json_response(Status::ok, {}));
               }});
  const Dispatcher d(router, std::make_shared<TokenAuth>(), HostAllowList{{"hub.example"}});
  const auto with_host = [&](const std::string& host) {
    Request req{Verb::post, "/vms/a/start", 11};
    req.set(beast_http::field::host, host);
    req.set(beast_http::field::origin, "http://" + host);
    std::optional<Response> answer;
    d.handle(req, [&](Response res) { answer = std::move(res); });
    return answer.value_or(Response{});
  };
  const auto refused = with_host("evil.example:8082");
  EXPECT_EQ(refused.result(), Status::misdirected_request);
  EXPECT_EQ(code_of(refused), "unknown_host");
  EXPECT_NE(refused.body().find("api.allowed_hosts"), std::string::npos) << "says what to do: " << refused.body();
  EXPECT_EQ(ran, 0);
  for (const std::string good : {"127.0.0.1:8082", "localhost:8082", "[::1]:8082", "HUB.example:8082"}) {
    EXPECT_EQ(with_host(good).result(), Status::ok) << good;
  }
  EXPECT_EQ(ran, 4);
}

// With tokens a rebound page has none to send, so clients may name the hub as they like
// (a compose service name, a scraper's target).
TEST_F(DispatcherTest, WithTokensAnyHostNameIsAnsweredButTheTokenStillCounts) {
  const auto d = with_tokens();
  Request req{Verb::get, "/vms", 11};
  req.set(beast_http::field::host, "hub:8082");
  const auto answer = [&] {
    std::optional<Response> out;
    d.handle(req, [&](Response res) { out = std::move(res); });
    return out.value_or(Response{});
  };
  EXPECT_EQ(answer().result(), Status::unauthorized);
  req.set(beast_http::field::authorization, "Bearer r-token");
  EXPECT_EQ(answer().result(), Status::ok);
}

TEST_F(DispatcherTest, MissingOrWrongTokenIs401WithChallenge) {
  const auto d = with_tokens();
  for (const std::string auth : {"", "Bearer nope", "Basic dzp0b2tlbg==", "Bearer r-token2"}) {
    const auto res = call(d, Verb::get, "/vms", auth);
    EXPECT_EQ(res.result(), Status::unauthorized) << auth;
    EXPECT_EQ(code_of(res), "unauthorized");
    EXPECT_EQ(res[beast_http::field::www_authenticate], "Bearer realm=\"phoenix-hub\"");
  }
}

TEST_F(DispatcherTest, UnknownPathsNeedATokenToo) {
  const auto d = with_tokens();
  EXPECT_EQ(call(d, Verb::get, "/nope").result(), Status::unauthorized);
  EXPECT_EQ(call(d, Verb::get, "/nope", "Bearer r-token").result(), Status::not_found);
}

TEST_F(DispatcherTest, HealthIsAlwaysOpen) {
  const auto d = with_tokens();
  EXPECT_EQ(call(d, Verb::get, "/health").result(), Status::ok);
}

TEST_F(DispatcherTest, ReadTokenOnWriteRouteIs403) {
  const auto d = with_tokens();
  const auto res = call(d, Verb::post, "/vms/a/start", "Bearer r-token");
  EXPECT_EQ(res.result(), Status::forbidden);
  EXPECT_EQ(code_of(res), "forbidden");
  EXPECT_EQ(call(d, Verb::get, "/vms", "Bearer r-token").result(), Status::ok);
}

TEST_F(DispatcherTest, WriteTokenMayReadAndWrite) {
  const auto d = with_tokens();
  EXPECT_EQ(call(d, Verb::post, "/vms/a/start", "Bearer w-token").result(), Status::ok);
  EXPECT_EQ(call(d, Verb::get, "/vms", "Bearer w-token").result(), Status::ok);
}

TEST_F(DispatcherTest, NotFoundAndMethodNotAllowedAreJson) {
  const Dispatcher d(router_, std::make_shared<TokenAuth>(), HostAllowList{});
  const auto missing = call(d, Verb::get, "/nothing/here");
  EXPECT_EQ(missing.result(), Status::not_found);
  EXPECT_EQ(code_of(missing), "not_found");
  EXPECT_EQ(missing[beast_http::field::content_type], "application/json");
  const auto wrong = call(d, Verb::delete_, "/vms");
  EXPECT_EQ(wrong.result(), Status::method_not_allowed);
  EXPECT_EQ(wrong[beast_http::field::allow], "GET");
  EXPECT_EQ(code_of(wrong), "method_not_allowed");
  EXPECT_EQ(call(d, Verb::get, "*").result(), Status::bad_request);
}

TEST_F(DispatcherTest, AThrowingHandlerGives500WithoutDetails) {
  const Dispatcher d(router_, std::make_shared<TokenAuth>(), HostAllowList{});
  const auto res = call(d, Verb::get, "/boom");
  EXPECT_EQ(res.result(), Status::internal_server_error);
  EXPECT_EQ(code_of(res), "internal_error");
  EXPECT_EQ(res.body().find("secret detail"), std::string::npos);
}

}  // namespace
}  // namespace phoenix::hub::http
