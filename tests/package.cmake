# Debian packaging test (tests/package/package-test.sh): builds the .debs,
# runs lintian, installs them into a fresh Debian 12 root made with
# mmdebstrap and checks Kea, the daemons, the units, upgrade and purge there.
# Needs root and Debian's mirror, like the integration tests need root and
# namespaces. It uses both cores (dpkg-buildpackage -j2), so it runs alone.
if(NETBOOT_INTEGRATION)
  netboot_script_test(package.debian
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/package/package-test.sh
    LABELS package
    TIMEOUT 900)
  set_tests_properties(package.debian PROPERTIES RUN_SERIAL TRUE)
endif()
