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
endif()
