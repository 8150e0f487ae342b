#pragma once
// Phoenix's error type: a stable machine-readable code plus a message written for the
// person who must act on it. Functions that can fail on bad input or a hostile
// environment return Result<T>; exceptions are kept for start-up configuration errors.
#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>
#include <utility>

namespace phoenix {

struct Error {
  // Not an aggregate on purpose: C++20 parenthesised aggregate init would make Error
  // constructible from one std::string, and result<std::string, Error> ambiguous.
  Error() = default;
  Error(std::string c, std::string m) : code(std::move(c)), message(std::move(m)) {}

  std::string code;     // stable, snake_case, e.g. "cert_expired"
  std::string message;  // human text: what happened and, where possible, what to do

  std::string to_string() const { return code + ": " + message; }
  friend bool operator==(const Error&, const Error&) = default;
};

inline Error make_error(std::string code, std::string message) {
  return Error{std::move(code), std::move(message)};
}

// Thrown only if a caller calls .value() on a failed Result (a programming error).
class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(Error e) : std::runtime_error(e.to_string()), error_(std::move(e)) {}
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

// Found by ADL from boost::system::result<T, Error>::value().
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

// Result<void> success value: `return ok();`
inline Result<void> ok() { return {}; }

}  // namespace phoenix
