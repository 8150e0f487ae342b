#include "shared/core/error.hpp"

namespace phoenix {

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw ErrorException(e);
}

}  // namespace phoenix
