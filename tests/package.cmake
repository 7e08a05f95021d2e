# Debian packaging test (tests/package/package-test.sh) for Debian 12: builds
# the .debs in a clean Debian 12 root, runs lintian, installs them into
# another and checks Kea, a netboot exchange, the control path, the daemons,
# the units, upgrade and purge there (.ci/run runs it for 13 and sid too).
# Needs root and Debian's mirror, like the integration tests need root and
# namespaces. It uses both cores (dpkg-buildpackage -j2), so it runs alone.
if(NETBOOT_INTEGRATION)
  netboot_script_test(package.debian
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/package/package-test.sh bookworm
    LABELS package
    TIMEOUT 900)
  set_tests_properties(package.debian PROPERTIES RUN_SERIAL TRUE)
endif()
