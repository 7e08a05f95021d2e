# Debian's AppArmor profiles for kea-dhcp4/kea-dhcp6 against the files the
# hook writes by default (tests/apparmor/check_profile.py says why). Reads
# /etc/apparmor.d of the machine it runs on: fails where Debian's
# kea-dhcp4-server/kea-dhcp6-server are not installed, as the hook is built
# for Debian's Kea and a skip would hide exactly the regression it is for.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
netboot_script_test(apparmor.interpreter
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/apparmor/check_profile.py --self-test
  LABELS unit TIMEOUT 60)
netboot_script_test(apparmor.kea-profiles
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/apparmor/check_profile.py
          --checker $<TARGET_FILE:netboot-check-config>
  LABELS unit TIMEOUT 60)
