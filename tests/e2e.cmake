# End-to-end: real firmware under QEMU (TCG) booting through the whole stack
# (tests/e2e/run.sh -> tools/netboot-stack). Needs root, the packages of
# .ci/packages/e2e.txt and the built hook, netboot-tftpd and radvd-lite.
# RUN_SERIAL: one VM at a time, alone, since QEMU under TCG needs the cores.
# Each run takes 8-56 s here; netboot-stack gives up after 100 s of waiting
# for the evidence (plus at most 60 s for uefi-http6's first short boot) and
# cleans up, well inside ctest's 240 s, which would kill it without clean-up.
#   uefi-pxe4   OVMF x64 PXE v4 -> ipxe.efi (TFTP) -> iPXE -> boot.ipxe (HTTP)
#   bios        SeaBIOS + iPXE NIC ROM -> boot.ipxe (HTTP)
#   bios-host   the same, with a per-machine script.ipxe-<mac> that the menu chains first
#   uefi-pxe6   OVMF x64 PXE v6 -> ipxe.efi (TFTP over v6) -> iPXE v6 -> boot.ipxe
#   uefi-http4  OVMF x64 HTTP boot v4 -> ipxe.efi (HTTP) -> iPXE -> boot.ipxe
#   uefi-http6  OVMF x64 HTTP boot v6 -> ipxe.efi (HTTP over v6) -> iPXE v6 -> boot.ipxe
#   ia32        OVMF ia32 PXE v4 -> grubnetia32.efi (TFTP) -> grub/grub.cfg (TFTP)
#   ia32-http4  OVMF ia32 HTTP boot v4 -> grubnetia32.efi (HTTP) -> GRUB started:
#               GRUB 2.06 cannot derive $prefix after UEFI HTTP boot and stops
#               at grub> (docs/firmware.md, "GRUB after UEFI HTTP boot"), so the proof ends there,
#               as it does for the reference stack: the hook's decision, nginx's
#               GET of the loader and GRUB's prompt on the console.
if(NETBOOT_INTEGRATION)
  foreach(scenario uefi-pxe4 bios bios-host uefi-pxe6 uefi-http4 uefi-http6 ia32 ia32-http4)
    netboot_script_test(e2e.${scenario}
      COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run.sh ${scenario}
      LABELS e2e TIMEOUT 240)
    set_tests_properties(e2e.${scenario} PROPERTIES RUN_SERIAL TRUE)
  endforeach()
  # rescue-once: the README's remote-maintenance story. curl through the real
  # kea-ctrl-agent sets "rescue once" for the VM's MAC; SeaBIOS + iPXE ROM
  # must boot profile-rescue.ipxe (the hook's decision, the assignment used
  # up, nginx's GET, the marker on the console; the normal menu fails it at
  # once), then, booted again, boot.ipxe's menu; netboot-assignment-list must
  # be empty. Two boots of up to 100 s each: a longer TIMEOUT. ~20 s here.
  netboot_script_test(e2e.rescue-once
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run.sh rescue-once
    LABELS e2e TIMEOUT 300)
  set_tests_properties(e2e.rescue-once PROPERTIES RUN_SERIAL TRUE)
  # installer-rescue: "rescue once" through the real control path, then
  # SeaBIOS + iPXE ROM -> profile-rescue.ipxe -> the Debian installer's kernel
  # and initrd over HTTP (debian-installer-<N>-netboot-amd64) -> its rescue
  # mode's first dialog on the serial console; booted again, the normal menu.
  # The installer takes ~60 s to its dialog here: more time for evidence.
  netboot_script_test(e2e.installer-rescue
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run.sh installer-rescue
    LABELS e2e TIMEOUT 600)
  set_tests_properties(e2e.installer-rescue PROPERTIES RUN_SERIAL TRUE)
  # APPEND: netboot_script_test's own ENVIRONMENT names the build directory.
  set_property(TEST e2e.installer-rescue APPEND PROPERTY ENVIRONMENT NETBOOT_E2E_TIMEOUT=300)
  # Secure Boot enforced (OVMF secboot with Microsoft's keys, q35 + SMM):
  #   secureboot-pxe4/-pxe6  PXE v4 / v6 -> shimx64.efi (signed) -> grubx64.efi
  #       (Debian-signed GRUB, fetched by shim at the TFTP root) -> grub/grub.cfg
  #       -> the installer's signed kernel in rescue mode (the machine's
  #       grub.cfg-<mac> picks the entry): "EFI stub: UEFI Secure Boot is
  #       enabled" and the rescue dialog on the console; ipxe.efi never sent.
  #       ~85-95 s here (GRUB fetches the 41 MB initrd over TFTP).
  #   secureboot-refuses-ipxe  the negative: the same VM on a site without
  #       secure-boot is handed ipxe.efi and the firmware refuses it
  #       ("Access Denied"); iPXE never asks for its script. ~12 s.
  #   secureboot-http4  HTTP boot -> shimx64.efi -> //grubx64.efi over HTTP ->
  #       signed GRUB: its menu from GRUB 2.12 (Debian 13) on, grub> with
  #       Debian 12's 2.06 (like ia32-http4). ~13 s.
  foreach(scenario secureboot-refuses-ipxe secureboot-http4)
    netboot_script_test(e2e.${scenario}
      COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run.sh ${scenario}
      LABELS e2e TIMEOUT 240)
    set_tests_properties(e2e.${scenario} PROPERTIES RUN_SERIAL TRUE)
  endforeach()
  #   secureboot-rescue-once  "rescue once" for a Secure Boot machine: the
  #       rescue profile's copy of shim (profile-rescue/shimx64.efi), GRUB
  #       reads the profile from that name -> the rescue dialog; the
  #       firmware's ACK used the assignment up; booted again, the GRUB menu.
  # uefi-rescue (netboot-stack's default, the README's main job): OVMF PXE v4
  # -> ipxe.efi -> iPXE, "rescue once" -> profile-rescue.ipxe -> the
  # installer's kernel and initrd over HTTP -> its rescue dialog.
  foreach(scenario secureboot-pxe4 secureboot-pxe6 secureboot-rescue-once uefi-rescue)
    netboot_script_test(e2e.${scenario}
      COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run.sh ${scenario}
      LABELS e2e TIMEOUT 600)
    set_tests_properties(e2e.${scenario} PROPERTIES RUN_SERIAL TRUE)
    set_property(TEST e2e.${scenario} APPEND PROPERTY ENVIRONMENT NETBOOT_E2E_TIMEOUT=300)
  endforeach()
  # installer-auto: "install once" -> profile-install.ipxe -> the installer's
  # automated install (auto=true priority=critical url=<preseed>): its DHCP,
  # nginx's GET of preseed/<mac>.cfg (the rendered default.cfg) by the
  # installer, then "Bad archive mirror" (no Debian mirror here). ~120-180 s.
  netboot_script_test(e2e.installer-auto
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run.sh installer-auto
    LABELS e2e TIMEOUT 600)
  set_tests_properties(e2e.installer-auto PROPERTIES RUN_SERIAL TRUE)
  set_property(TEST e2e.installer-auto APPEND PROPERTY ENVIRONMENT NETBOOT_E2E_TIMEOUT=400)
  # bmc-rescue: the VM behind a real BMC implementation (OpenIPMI's ipmi_sim,
  # IPMI v2 / RMCP+ on the boot network; tools/bmc-chassis-qemu acts on the
  # QEMU process) boots its empty disk; netboot-ctl with a wrong BMC password
  # and with no BMC at the address exits 5 and leaves no assignment; then
  # "netboot-ctl rescue vm1 --power-cycle" sets the assignment, the boot
  # device (pxe) and power-cycles: the VM boots the rescue profile once and
  # netboot-ctl reports it. ~45 s (each ipmitool call ~5 s against ipmi_sim).
  netboot_script_test(e2e.bmc-rescue
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run.sh bmc-rescue
    LABELS e2e TIMEOUT 300)
  set_tests_properties(e2e.bmc-rescue PROPERTIES RUN_SERIAL TRUE)
  # The harness can fail: a stack with no UEFI loader must not pass uefi-pxe4.
  netboot_script_test(e2e.harness-fails
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/harness-fails.sh
    LABELS e2e TIMEOUT 120)
  set_tests_properties(e2e.harness-fails PROPERTIES RUN_SERIAL TRUE)
endif()
