# phoenix_add_test(NAME <target> LABEL unit|integration SOURCES ... LIBS ...)
# One GoogleTest executable; each TEST becomes a CTest test carrying the label, so
# `ctest -L unit` runs the fast suites that need no root and no network.
function(phoenix_add_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_LABEL MATCHES "^(unit|integration)$")
    message(FATAL_ERROR "phoenix_add_test(${T_NAME}): LABEL must be unit or integration")
  endif()
  if(NOT T_TIMEOUT)
    if(T_LABEL STREQUAL "unit")
      set(T_TIMEOUT 60)
    else()
      set(T_TIMEOUT 300)
    endif()
  endif()
  set(T_SERIAL FALSE)
  if(T_LABEL STREQUAL "integration")
    set(T_SERIAL TRUE)  # integration tests share ports, namespaces and dockerd
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  if(T_LABEL STREQUAL "unit")
    # `ninja unit-tests` builds just these (the sanitizer run needs nothing else).
    if(NOT TARGET unit-tests)
      add_custom_target(unit-tests)
    endif()
    add_dependencies(unit-tests ${T_NAME})
  endif()
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main phoenix_warnings)
  target_compile_definitions(${T_NAME} PRIVATE
    PHOENIX_BINARY_DIR="${CMAKE_BINARY_DIR}" PHOENIX_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  gtest_discover_tests(${T_NAME}
    TEST_PREFIX "${T_NAME}."
    DISCOVERY_TIMEOUT 30
    PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT} RUN_SERIAL ${T_SERIAL})
endfunction()
