#include "agent/docker/daemon_json.hpp"

#include "shared/core/safe_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace phoenix::agent::docker {
namespace {

using Json = nlohmann::ordered_json;  // keeps the operator's key order

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

Error invalid(const std::string& why) {
  return make_error("daemon_json_invalid",
                    "/etc/docker/daemon.json " + why +
                        "; fix or remove it by hand (Phoenix will not overwrite a file it cannot read)");
}

Result<Json> parse_object(std::string_view text) {
  if (is_blank(text)) return Json::object();
  Json doc = Json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return invalid("is not valid JSON");
  if (!doc.is_object()) return invalid("is JSON but not an object");
  return doc;
}

Result<std::vector<std::string>> hosts_of(const Json& doc) {
  std::vector<std::string> hosts;
  const auto it = doc.find("hosts");
  if (it == doc.end()) return hosts;
  if (!it->is_array()) return invalid("has a \"hosts\" that is not an array");
  for (const auto& entry : *it) {
    if (!entry.is_string()) return invalid("has a \"hosts\" entry that is not a string");
    hosts.push_back(entry.get<std::string>());
  }
  return hosts;
}

std::optional<std::string> string_at(const Json& doc, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool bool_at(const Json& doc, const char* key) {
  const auto it = doc.find(key);
  return it != doc.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

std::optional<std::string> tcp_port_of(std::string_view host_address) {
  constexpr std::string_view kScheme = "tcp://";
  if (host_address.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  std::string_view rest = host_address.substr(kScheme.size());
  rest = rest.substr(0, rest.find('/'));
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto bracket = rest.rfind(']');
  if (bracket != std::string_view::npos && bracket > colon) return std::nullopt;  // "[::1]" only
  std::string port(rest.substr(colon + 1));
  if (port.empty()) return std::nullopt;
  return port;
}

Result<std::string> merge_daemon_json(std::string_view existing_text, const DaemonTlsSettings& settings) {
  auto parsed = parse_object(existing_text);
  if (!parsed) return parsed.error();
  Json doc = std::move(*parsed);
  auto existing_hosts = hosts_of(doc);
  if (!existing_hosts) return existing_hosts.error();

  doc["tls"] = true;
  doc["tlsverify"] = true;
  doc["tlscacert"] = settings.ca_path;
  doc["tlscert"] = settings.cert_path;
  doc["tlskey"] = settings.key_path;

  if (!settings.write_hosts) {
    doc.erase("hosts");
  } else {
    const auto our_port = tcp_port_of(settings.tcp_host);
    std::vector<std::string> hosts{settings.unix_host, settings.tcp_host};
    for (const auto& entry : *existing_hosts) {
      if (std::find(hosts.begin(), hosts.end(), entry) != hosts.end()) continue;
      const auto port = tcp_port_of(entry);
      if (port && our_port && *port == *our_port) continue;  // replaced by our TLS listener
      hosts.push_back(entry);
    }
    doc["hosts"] = hosts;
  }
  return dump_json(doc, 2) + "\n";
}

Result<DaemonTlsReport> read_daemon_tls_settings(std::string_view text) {
  auto parsed = parse_object(text);
  if (!parsed) return parsed.error();
  const Json& doc = *parsed;
  auto hosts = hosts_of(doc);
  if (!hosts) return hosts.error();
  DaemonTlsReport report;
  report.tls = bool_at(doc, "tls");
  report.tlsverify = bool_at(doc, "tlsverify");
  report.tlscacert = string_at(doc, "tlscacert");
  report.tlscert = string_at(doc, "tlscert");
  report.tlskey = string_at(doc, "tlskey");
  report.has_hosts_key = doc.contains("hosts");
  report.hosts = std::move(*hosts);
  return report;
}

}  // namespace phoenix::agent::docker
