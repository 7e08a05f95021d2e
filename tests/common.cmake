# What the daemons share (common/): its unit tests.
netboot_unit_test(common_unit_tests SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/common/log_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/common/config_reader_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/common/daemon_skeleton_test.cc LIBS netboot_common)
# --version comes from the build (project(VERSION)) in every daemon.
netboot_script_test(common.version
  COMMAND sh -c "test \"$($<TARGET_FILE:radvd-lite> --version)\" = 'radvd-lite ${PROJECT_VERSION}' && test \"$($<TARGET_FILE:netboot-tftpd> --version)\" = '${PROJECT_VERSION}'"
  LABELS unit TIMEOUT 10)
