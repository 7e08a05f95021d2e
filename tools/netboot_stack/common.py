"""What every part of netboot-stack uses: where things are, the addresses,
the console markers, and how a step is printed."""

import os
import subprocess
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("NETBOOT_BUILD_DIR") or os.path.join(TOP, "build")
KEA_ENV = os.path.join(TOP, "tools", "kea-env")
OVMF = "/usr/share/OVMF"
SERVER4, SUBNET4 = "192.0.2.1", "192.0.2.0/24"
SERVER6, PREFIX6 = "2001:db8::1", "2001:db8::/64"
MARKER = "kea-netboot: menu reached"
RESCUE_MARKER = "kea-netboot: profile rescue reached"
# The Debian installer in rescue mode asks for the language first: on the
# serial console its newt frontend draws "Rescue mode" above that dialog.
INSTALLER_RESCUE_DIALOG = r"Rescue mode.*Select a language"
# With no Debian mirror reachable, the automated install stops at the mirror
# step: "Bad archive mirror" under "[!!] Choose a mirror of the Debian archive".
INSTALLER_MIRROR_STEP = r"Bad archive mirror"
# The simulated BMC (OpenIPMI's ipmi_sim) on the boot network, and a machine
# address where no BMC answers.
BMC_ADDRESS, NO_BMC_ADDRESS = "192.0.2.250", "192.0.2.251"
SECURE_BOOT_ON = r"EFI stub: UEFI Secure Boot is enabled"
URL4, URL6 = "http://%s" % SERVER4, "http://[%s]" % SERVER6

start_time = time.monotonic()


def say(text, kind="=="):
    print("[%6.1fs] %s %s" % (time.monotonic() - start_time, kind, text), flush=True)


class Failure(Exception):
    pass


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)

