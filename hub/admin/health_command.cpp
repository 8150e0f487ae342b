#include "hub/admin/health_command.hpp"

#include "shared/cli/command_table.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <iostream>

namespace phoenix::hub {
namespace {
namespace po = boost::program_options;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

constexpr const char* kUsage =
    "phoenix-hub health [--url http://127.0.0.1:8082/health] [--timeout SECONDS]\n\n"
    "Asks a running hub for its health and prints the answer. Exit: 0 healthy (200); 1 unhealthy,\n"
    "unreachable or too slow; 2 usage.";

constexpr std::size_t kMaxBody = 64 * 1024;

}  // namespace

int run_health_command(const std::vector<std::string>& args) { return run_health_command(args, std::cout, std::cerr); }

int run_health_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("Options");
  options.add_options()
      ("url", po::value<std::string>()->default_value("http://127.0.0.1:8082/health")->value_name("URL"),
       "the hub's /health (http only: the API listens on loopback or behind a proxy)")
      ("timeout", po::value<int>()->default_value(3)->value_name("SECONDS"), "give up after this long");
  po::variables_map vm;
  if (int rc = cli::parse_options(kUsage, options, args, vm); rc >= 0) return rc;

  const auto text = vm["url"].as<std::string>();
  auto url = boost::urls::parse_absolute_uri(text);
  if (!url || url->scheme() != "http" || url->host().empty()) {
    err << "phoenix-hub health: --url must be an http:// URL such as http://127.0.0.1:8082/health (got \"" << text
        << "\")\n";
    return 2;
  }
  const int timeout = vm["timeout"].as<int>();
  if (timeout < 1 || timeout > 300) {
    err << "phoenix-hub health: --timeout must be 1..300 seconds\n";
    return 2;
  }
  const std::string host = url->host();
  const std::string port = url->has_port() ? std::string(url->port()) : "80";
  const std::string target = url->encoded_path().empty() ? "/" : std::string(url->encoded_path());

  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, host + ":" + port);
  request.set(http::field::user_agent, "phoenix-hub health");
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  std::string failure;

  // One deadline over resolve, connect, write and read.
  net::ip::tcp::resolver resolver(ioc);
  net::steady_timer deadline(ioc, std::chrono::seconds(timeout));
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;
    failure = "no answer within " + std::to_string(timeout) + " s";
    resolver.cancel();
    stream.cancel();
  });
  auto fail = [&](const char* step, const beast::error_code& ec) {
    if (failure.empty()) failure = std::string(step) + ": " + ec.message();
    deadline.cancel();
  };
  resolver.async_resolve(host, port, [&](const beast::error_code& ec, net::ip::tcp::resolver::results_type found) {
    if (ec) return fail("resolve", ec);
    stream.async_connect(found, [&](const beast::error_code& ec2, const net::ip::tcp::endpoint&) {
      if (ec2) return fail("connect", ec2);
      http::async_write(stream, request, [&](const beast::error_code& ec3, std::size_t) {
        if (ec3) return fail("send", ec3);
        http::async_read(stream, buffer, parser, [&](const beast::error_code& ec4, std::size_t) {
          if (ec4) return fail("read", ec4);
          deadline.cancel();
        });
      });
    });
  });
  ioc.run();

  if (!failure.empty() || !parser.is_done()) {
    err << "phoenix-hub health: " << text << ": " << (failure.empty() ? "incomplete answer" : failure)
        << " (is `phoenix-hub serve` running and listening there?)\n";
    return 1;
  }
  const auto& response = parser.get();
  out << response.body() << (response.body().ends_with('\n') ? "" : "\n");
  if (response.result() != http::status::ok) {
    err << "phoenix-hub health: unhealthy (HTTP " << response.result_int() << ")\n";
    return 1;
  }
  return 0;
}

}  // namespace phoenix::hub
