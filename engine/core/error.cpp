// Out-of-line helpers of error.h.
#include "engine/core/error.h"

#include <fmt/format.h>

namespace flowjet {

void throw_internal_error(const char* condition, const char* file, int line,
                          const std::string& message) {
  throw InternalError(fmt::format("internal error at {}:{}: {} ({})", file, line, message, condition));
}

}  // namespace flowjet
