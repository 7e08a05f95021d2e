# radvd-lite tests: unit (GoogleTest), fuzz (libFuzzer or corpus replay),
# integration (network namespaces, real kernel/rdisc6/radvdump/radvd clients).
set(_rl ${PROJECT_SOURCE_DIR}/tests)

netboot_unit_test(radvd_lite_unit_tests
  SOURCES ${_rl}/unit/radvd-lite/ra_test.cc
          ${_rl}/unit/radvd-lite/schedule_test.cc
          ${_rl}/unit/radvd-lite/config_test.cc
  LIBS radvd_lite_config)

# libFuzzer adds what it finds to its first corpus directory: hand it a copy
# in the build tree, so fuzzing never writes into the source tree.
foreach(_corpus nd config)
  file(COPY ${_rl}/fuzz/radvd-lite/corpus/${_corpus}
       DESTINATION ${CMAKE_CURRENT_BINARY_DIR}/radvd-lite-corpus)
endforeach()

netboot_fuzz_target(radvd_lite_nd_fuzz
  SOURCES ${_rl}/fuzz/radvd-lite/nd_fuzz.cc
  LIBS radvd_lite_proto
  CORPUS ${CMAKE_CURRENT_BINARY_DIR}/radvd-lite-corpus/nd
  RUNS 200000)

netboot_fuzz_target(radvd_lite_config_fuzz
  SOURCES ${_rl}/fuzz/radvd-lite/config_fuzz.cc
  LIBS radvd_lite_config
  CORPUS ${CMAKE_CURRENT_BINARY_DIR}/radvd-lite-corpus/config
  RUNS 100000)

if(NETBOOT_INTEGRATION)
  foreach(_test slaac_default_route managed_no_slaac rdisc6_decode radvd_compare
                interface_readd malformed_input reload_and_stop stop_default kea_check)
    netboot_script_test(radvd_lite.integration.${_test}
      COMMAND bash ${_rl}/integration/radvd-lite/${_test}.sh
      LABELS integration TIMEOUT 120)
  endforeach()
endif()
