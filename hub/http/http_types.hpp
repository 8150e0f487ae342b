#pragma once
// The vocabulary shared by the hub's HTTP server, router and routes: Beast string-body
// messages and the asynchronous `respond` callback a handler answers through.
#include <boost/beast/http.hpp>

#include <functional>

namespace phoenix::hub::http {

namespace beast_http = boost::beast::http;

using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Status = beast_http::status;
using Verb = beast_http::verb;

// Hands the finished response back to the connection. It may be called from any thread,
// later than the handler returns; only the first call counts.
using Respond = std::function<void(Response)>;

// What the server calls for every complete request it has read.
using RequestHandler = std::function<void(const Request&, Respond)>;

}  // namespace phoenix::hub::http
