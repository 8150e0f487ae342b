#include "shared/protocol/envelope.hpp"

#include "shared/core/safe_text.hpp"

namespace phoenix::protocol {
namespace {

Error invalid(std::string message) { return make_error("invalid_envelope", std::move(message)); }

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (const unsigned char c : id) {
    if (c < 0x21 || c > 0x7e) return false;  // printable ASCII, no spaces: safe in logs
  }
  return true;
}

}  // namespace

Result<Envelope> decode(std::string_view text, const JsonLimits& limits) {
  if (auto checked = check_json_limits(text, limits); !checked) return checked.error();

  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return make_error("invalid_json", "message is not valid JSON");
  if (!doc.is_object()) return invalid("message must be a JSON object");

  Envelope env;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& key = it.key();
    const auto& value = it.value();
    if (key == "v") {
      if (!value.is_number_integer()) return invalid("field \"v\" must be an integer");
      if (value.get<std::int64_t>() != kProtocolVersion) {
        return make_error("unsupported_version",
                          "protocol version " + dump_json(value) + " is not supported (this build speaks " +
                              std::to_string(kProtocolVersion) + ")");
      }
    } else if (key == "type") {
      if (!value.is_string()) return invalid("field \"type\" must be a string");
      env.type = value.get<std::string>();
      if (env.type.empty() || env.type.size() > 64) return invalid("field \"type\" must be 1-64 characters");
    } else if (key == "id") {
      if (!value.is_string()) return invalid("field \"id\" must be a string");
      env.id = value.get<std::string>();
      if (!is_valid_id(env.id)) return invalid("field \"id\" must be 1-128 printable ASCII characters");
    } else if (key == "re") {
      if (!value.is_string()) return invalid("field \"re\" must be a string");
      env.re = value.get<std::string>();
      if (!is_valid_id(*env.re)) return invalid("field \"re\" must be 1-128 printable ASCII characters");
    } else if (key == "body") {
      if (!value.is_object()) return invalid("field \"body\" must be an object");
      env.body = value;
    } else {
      return invalid("unknown field \"" + key.substr(0, 64) + "\"");
    }
  }
  if (!doc.contains("v")) return invalid("field \"v\" is missing");
  if (env.type.empty()) return invalid("field \"type\" is missing");
  if (env.id.empty()) return invalid("field \"id\" is missing");
  return env;
}

std::string encode(const Envelope& envelope) {
  nlohmann::json doc = {{"v", envelope.version}, {"type", envelope.type}, {"id", envelope.id}};
  if (envelope.re) doc["re"] = *envelope.re;
  doc["body"] = envelope.body.is_object() ? envelope.body : nlohmann::json::object();
  // Replace invalid UTF-8 rather than throw: a bad byte in a reported file name must not
  // take the channel down.
  return dump_json(doc);
}

Envelope make_message(MessageType type, std::string id, nlohmann::json body) {
  Envelope env;
  env.type = std::string(to_string(type));
  env.id = std::move(id);
  env.body = std::move(body);
  return env;
}

Envelope make_result(std::string id, std::string re, nlohmann::json body) {
  Envelope env = make_message(MessageType::result, std::move(id), std::move(body));
  env.re = std::move(re);
  return env;
}

Envelope make_error_reply(std::string id, std::string re, std::string_view code,
                          std::string_view message) {
  Envelope env = make_message(MessageType::error, std::move(id),
                              {{"code", std::string(code)}, {"message", std::string(message)}});
  if (!re.empty()) env.re = std::move(re);
  return env;
}

}  // namespace phoenix::protocol
