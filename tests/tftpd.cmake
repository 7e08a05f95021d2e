# netboot-tftpd tests: unit (pure parts), fuzz (packet parser, option
# negotiation) and, with NETBOOT_INTEGRATION, real clients in network namespaces.
netboot_unit_test(tftpd_unit_tests
  SOURCES
    ${CMAKE_CURRENT_SOURCE_DIR}/unit/tftpd/protocol_test.cc
    ${CMAKE_CURRENT_SOURCE_DIR}/unit/tftpd/transfer_test.cc
    ${CMAKE_CURRENT_SOURCE_DIR}/unit/tftpd/resolver_test.cc
    ${CMAKE_CURRENT_SOURCE_DIR}/unit/tftpd/config_test.cc
  LIBS netboot_tftpd_core)

# libFuzzer adds every new interesting input to its corpus directory, so the
# targets get a copy of the committed seeds in the build tree, not the seeds.
foreach(target packet negotiation)
  file(COPY ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/tftpd/corpus/${target}
       DESTINATION ${CMAKE_CURRENT_BINARY_DIR}/tftpd-corpus)
  netboot_fuzz_target(tftpd_${target}
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/tftpd/fuzz_${target}.cc
    LIBS netboot_tftpd_core
    CORPUS ${CMAKE_CURRENT_BINARY_DIR}/tftpd-corpus/${target}
    RUNS 200000)
endforeach()

if(NETBOOT_INTEGRATION)
  foreach(script interop escape rollover loss ops)
    netboot_script_test(tftpd.${script}
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/tftpd/${script}.sh
      LABELS integration
      TIMEOUT 300)
  endforeach()
  # Each script builds its own namespaces; running them side by side on the
  # 2-core CI box only makes the timing-sensitive loss test noisier.
  set_tests_properties(tftpd.interop tftpd.escape tftpd.rollover tftpd.loss tftpd.ops
    PROPERTIES RESOURCE_LOCK tftpd_integration)
endif()
