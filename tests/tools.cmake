# The tools CI itself relies on (tools/release-root behind tools/test-release).
netboot_script_test(tools.release-root-remove
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tools/release-root.sh
  LABELS unit TIMEOUT 60)
