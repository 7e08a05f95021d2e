# What the daemons share (common/): its unit tests.
netboot_unit_test(common_unit_tests SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/common/log_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/common/config_reader_test.cc LIBS netboot_common)
