#pragma once
// The Content-Security-Policy the dashboard is served with. Its one inline script is allowed by
// its SHA-256 hash, not by 'unsafe-inline': markup injected through a VM name or an agent's
// report could not run script even if the page ever wrote one as HTML.
#include <string>
#include <string_view>

namespace phoenix::hub {

// 'sha256-<base64>' of the text between the page's <script> and </script> (throws
// std::logic_error when the page has not exactly one such element: a build mistake).
std::string inline_script_source(std::string_view page);

// The whole header value for `page`.
std::string dashboard_csp(std::string_view page);

}  // namespace phoenix::hub
