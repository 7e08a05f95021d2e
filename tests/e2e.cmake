# End-to-end: real firmware under QEMU (TCG) booting through the whole stack
# (tests/e2e/run.sh -> tools/netboot-stack). Needs root, the packages of
# .ci/packages/e2e.txt and the built hook, netboot-tftpd and radvd-lite.
# One VM at a time: QEMU under TCG needs the machine's cores.
foreach(scenario uefi-pxe4 bios uefi-pxe6 uefi-http4 uefi-http6 ia32)
  netboot_script_test(e2e.${scenario}
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run.sh ${scenario}
    LABELS e2e TIMEOUT 180)
  set_tests_properties(e2e.${scenario} PROPERTIES RUN_SERIAL TRUE)
endforeach()
