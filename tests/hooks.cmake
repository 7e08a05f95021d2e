# Tests of libdhcp_netboot.so: unit (core, parameter parsing, in-process
# callouts), fuzz (fact extraction and policy) and integration (real Kea).
if(NETBOOT_INTEGRATION)
  foreach(family 4 6)
    netboot_script_test(integration.hook.v${family}
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/hooks/run.sh ${family}
      LABELS integration TIMEOUT 240)
    netboot_script_test(integration.hook.v${family}.multi-threaded
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/hooks/run.sh ${family} mt
      LABELS integration TIMEOUT 240)
  endforeach()
  netboot_script_test(integration.hook.ha-failover
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/hooks/run_ha.sh 4 LABELS integration TIMEOUT 180)
  netboot_script_test(integration.hook.ha-failover.v6
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/hooks/run_ha.sh 6 LABELS integration TIMEOUT 180)
  # The same pairs sharing one real PostgreSQL with the other family's daemon.
  foreach(family 4 6)
    netboot_script_test(integration.hook.shared-store.v${family}
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/hooks/run_ha.sh ${family} pgsql
      LABELS integration TIMEOUT 240)
  endforeach()
endif()

netboot_script_test(hook.messages
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/unit/hooks/test_messages.py LABELS unit TIMEOUT 30)
netboot_unit_test(hook_core_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/hooks/core_test.cc LIBS netboot_core)
netboot_unit_test(hook_config_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/hooks/config_test.cc LIBS netboot_config)
netboot_unit_test(hook_libload_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/hooks/libload_test.cc
  LIBS Kea::hooks Kea::dhcp Kea::process Kea::stats Kea::cc Kea::log Kea::util Kea::asiolink Kea::exceptions)
target_compile_definitions(hook_libload_test PRIVATE NETBOOT_HOOK_LIBRARY="$<TARGET_FILE:dhcp_netboot>")
add_dependencies(hook_libload_test dhcp_netboot)

netboot_fuzz_target(hook_facts_policy_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/hooks/facts_policy_fuzz.cc
  LIBS netboot_core CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/hooks/corpus RUNS 300000)
netboot_unit_test(hook_assignments_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/hooks/assignments_test.cc
  ${PROJECT_SOURCE_DIR}/hooks/kea/state_file.cc LIBS netboot_config)
netboot_fuzz_target(hook_json_config_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/hooks/json_config_fuzz.cc
  LIBS netboot_config CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/hooks/json_corpus RUNS 100000)
