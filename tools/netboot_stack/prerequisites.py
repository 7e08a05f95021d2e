"""What a scenario needs before it starts: Debian's packages and the build."""

import glob
import os
import shutil
import subprocess

from netboot_stack.common import BUILD, TOP, Failure, run, say



# What each firmware needs, as the places a file is in on the releases we
# support (the first that exists is used): ipxe-qemu moved its ROMs to QEMU's
# directory in Debian 13; sid has no 32-bit OVMF (so no ia32 scenario there).
NEEDED_FILES = {
    "all": [("/usr/lib/ipxe/ipxe.efi",), ("/usr/lib/grub/i386-efi/monolithic/grubnetia32.efi",)],
    "bios": [("/usr/share/seabios/bios-256k.bin",),
             ("/usr/lib/ipxe/qemu/efi-virtio.rom", "/usr/share/qemu/efi-virtio.rom")],
    "x64": [("/usr/share/OVMF/OVMF_CODE_4M.fd",)],
    "ia32": [("/usr/share/OVMF/OVMF32_CODE_4M.secboot.fd",)],
    "x64-secboot": [("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd",), ("/usr/share/OVMF/OVMF_VARS_4M.ms.fd",),
                    ("/usr/lib/shim/shimx64.efi.signed",),
                    ("/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed",)],
    # the Debian installer's boot entries (debian-installer-<N>-netboot-amd64)
    "installer": [tuple(glob.glob("/usr/lib/debian-installer/images/*/amd64/text/debian-installer/amd64/linux"))
                  or ("/usr/lib/debian-installer/images/<N>/amd64/text/debian-installer/amd64/linux",)],
}
NEEDED_COMMANDS = ["qemu-system-x86_64", "kea-dhcp4", "kea-dhcp6", "kea-ctrl-agent", "nginx", "ip", "cmake", "ninja",
                   "curl"]


def ensure_deps(firmware, installer=False):
    needed = NEEDED_FILES["all"] + NEEDED_FILES[firmware] + (NEEDED_FILES["installer"] if installer else [])
    missing = [c for c in NEEDED_COMMANDS if not shutil.which(c)] + \
        [" or ".join(f) for f in needed if not any(os.path.exists(p) for p in f)]
    if not missing:
        return
    if os.environ.get("NETBOOT_SKIP_DEPS") == "1":
        raise Failure("missing %s (and NETBOOT_SKIP_DEPS=1): run tools/install-deps" % ", ".join(missing))
    say("Installing Debian packages (tools/install-deps): missing %s" % ", ".join(missing))
    with open("/tmp/netboot-stack-apt.log", "w") as log:
        if subprocess.run([os.path.join(TOP, "tools", "install-deps")], stdout=log, stderr=log).returncode:
            raise Failure("tools/install-deps failed, see /tmp/netboot-stack-apt.log")


BINARIES = {"hook": "hooks/libdhcp_netboot.so", "checker": "hooks/netboot-check-config",
            "tftpd": "tftpd/netboot-tftpd", "radvd": "radvd-lite/radvd-lite"}


def ensure_build(no_build):
    paths = {k: os.path.join(BUILD, v) for k, v in BINARIES.items()}
    if all(os.path.exists(p) for p in paths.values()):
        return paths
    if no_build:
        raise Failure("not built: %s" % ", ".join(p for p in paths.values() if not os.path.exists(p)))
    say("Building into %s" % BUILD)
    run(["cmake", "-S", TOP, "-B", BUILD, "-G", "Ninja"], stdout=subprocess.DEVNULL)
    run(["cmake", "--build", BUILD, "-j2", "--target", "dhcp_netboot", "netboot-check-config",
         "netboot-tftpd", "radvd-lite"])
    return paths

