# kea-config bundle: the renderer's output and refusals (unit), and the real
# programs' -t checks on a rendered bundle (integration: root, namespaces).
find_package(Python3 COMPONENTS Interpreter REQUIRED)
netboot_script_test(kea-config.render
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/kea-config/test_render.py
  LABELS unit TIMEOUT 60)
netboot_script_test(kea-config.site
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/kea-config/test_site.py
  LABELS unit TIMEOUT 60)
netboot_script_test(kea-config.decisions
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/kea-config/test_decisions.py
  LABELS unit TIMEOUT 60)
if(NETBOOT_INTEGRATION)
  netboot_script_test(kea-config.real-checks
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/kea-config/check-real.sh
    LABELS integration TIMEOUT 120)
endif()
