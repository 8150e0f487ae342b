# Warnings are errors in all of Phoenix's own code. Third-party headers come from
# /usr/include (system headers), so their warnings do not count against us.
add_library(phoenix_warnings INTERFACE)
target_compile_options(phoenix_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough -Werror
  # C++20 designated initialisers may leave members at their defaults on purpose.
  -Wno-missing-field-initializers)
