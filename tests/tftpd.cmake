# netboot-tftpd tests: unit (pure parts), fuzz (packet parser, option
# negotiation) and, with NETBOOT_INTEGRATION, real clients in network namespaces.
netboot_unit_test(tftpd_unit_tests
  SOURCES
    ${CMAKE_CURRENT_SOURCE_DIR}/unit/tftpd/protocol_test.cc
    ${CMAKE_CURRENT_SOURCE_DIR}/unit/tftpd/transfer_test.cc
    ${CMAKE_CURRENT_SOURCE_DIR}/unit/tftpd/resolver_test.cc
    ${CMAKE_CURRENT_SOURCE_DIR}/unit/tftpd/config_test.cc
  LIBS netboot_tftpd_core)
