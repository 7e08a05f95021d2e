#!/usr/bin/env python3
"""netboot-stack: the whole kea-netboot stack in one command, with a real VM.

Brings up, in a private network namespace with a bridge: kea-dhcp4 and
kea-dhcp6 with libdhcp_netboot.so, kea-ctrl-agent, netboot-tftpd,
radvd-lite and nginx, all configured by kea-config/netboot-render; then a
QEMU virtual machine (TCG, Debian's SeaBIOS+iPXE or OVMF firmware, a tap NIC
on the bridge and nothing else) network-boots through it to the iPXE menu
(GRUB's for 32-bit UEFI), and is powered off. Each step is printed as it
happens: DHCP answers (the hook's decisions), TFTP transfers, HTTP fetches,
the menu on the VM's serial console. Everything is removed on exit, also on
Ctrl-C.

The rescue-once scenario is the README's remote-maintenance story: an
operator's curl through kea-ctrl-agent assigns the VM the rescue profile for
one boot (netboot-assignment-set, "once": true); the VM boots the rescue
script, then, booted again, the normal menu, and netboot-assignment-list
shows the assignment used up.

Exit status 0 only when the boot was seen from both sides: the server logs
(DHCP decision, TFTP transfer, HTTP GET of the boot script, as the scenario
needs; for IPv6, radvd-lite's counters of answered router solicitations)
and the VM's console showing the menu; 1 otherwise (logs are kept
and their tails printed); 2 for a bad command line.

Run as root on Debian 12:  sudo tools/netboot-stack [SCENARIO]
Environment: NETBOOT_SKIP_DEPS=1 skips tools/install-deps;
NETBOOT_BUILD_DIR picks the build directory (default build/).
"""

import argparse
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "kea-config"))
from netboot_site import decisions  # noqa: E402
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


class Decision:
    """Evidence in a DHCP log: a hook decision (docs/decision-events.md)
    whose fields have the given values, e.g. Decision(arch="bios", ipxe=True)."""

    def __init__(self, **fields):
        self.fields = fields

    def __call__(self, line):
        event = decisions.parse(line)
        return event is not None and decisions.matches(event, **self.fields)


def found(pattern, text):
    """Evidence is a Decision or a regular expression over a log line."""
    return pattern(text) if callable(pattern) else re.search(pattern, text)


def secure_boot_evidence(family):
    """x64 UEFI with Secure Boot enforced: shim (signed by Microsoft), then
    Debian's signed GRUB at the TFTP root, the GRUB menu, and the installer's
    signed kernel in rescue mode (chosen by the machine's grub.cfg-<mac>)."""
    v6 = family == 6
    client = r"\[2001:db8:[0-9a-f:]*\]" if v6 else r"[0-9.]+"
    shim = "tftp://[%s]/shimx64.efi" % SERVER6 if v6 else "shimx64.efi"
    return [
        ("DHCPv%d: OVMF (Secure Boot) PXE told shimx64.efi" % family, "dhcp%d" % family,
         Decision(arch="efi-x64", ipxe=False, boot_file=shim)),
        ("TFTP: shimx64.efi (signed shim) sent", "tftp", r'transfer client=%s:\d+ file="shimx64\.efi" .*outcome=ok' % client),
        ("TFTP: grubx64.efi (signed GRUB) sent", "tftp", r'transfer client=%s:\d+ file="/?grubx64\.efi" .*outcome=ok' % client),
        ("TFTP: grub/grub.cfg sent", "tftp", r'transfer client=%s:\d+ file="/?grub/grub\.cfg" .*outcome=ok' % client),
        ("VM console: GRUB menu (x86_64-efi)", "serial", re.escape(MARKER) + r" \(grub x86_64-efi"),
        ("TFTP: the installer's kernel sent to GRUB", "tftp",
         r'transfer client=%s:\d+ file="/?debian-installer/amd64/linux" .*outcome=ok' % client),
        ("VM console: the kernel says Secure Boot is enabled", "serial", SECURE_BOOT_ON),
        RESCUE_COMMAND_LINE,
        RESCUE_DIALOG,
    ]


def grub_reads_its_menu_after_http_boot():
    """Debian's signed GRUB finds its menu after UEFI HTTP boot from 2.12
    (Debian 13) on; 2.06 (Debian 12) stops at grub> (docs/firmware.md)."""
    try:
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "grub-efi-amd64-signed"],
                           capture_output=True, text=True)
    except OSError:
        return False
    version = re.search(r"\+(\d+)\.(\d+)", r.stdout)
    return bool(version) and (int(version.group(1)), int(version.group(2))) >= (2, 12)


# A Secure Boot machine must never be handed iPXE (unsigned).
NO_IPXE = [("TFTP: the unsigned ipxe.efi sent to a Secure Boot machine", "tftp", r'file="/?ipxe\.efi"')]


def secure_boot_pxe(family, mac):
    return dict(
        title="UEFI x64 with Secure Boot enforced (OVMF secboot, Microsoft keys) PXE over IPv%d -> %s -> "
              "grubx64.efi (signed) -> grub/grub.cfg -> the installer's signed kernel in rescue mode"
              % (family, "shimx64.efi" if family == 4 else "tftp://[2001:db8::1]/shimx64.efi"),
        mac=mac, fw="x64-secboot", v4=family == 4, v6=family == 6, pxe4=family == 4, pxe6=family == 6,
        installer=True, render=["--secure-boot"], grub_host_default="rescue",
        reached="the installer's rescue mode, booted with Secure Boot enforced",
        evidence=secure_boot_evidence(family), forbidden=NO_IPXE)

# Evidence: (what, log, Decision or regex). Logs: dhcp4, dhcp6, tftp, http, serial.
S4 = re.escape(SERVER4)
S6 = re.escape("[%s]" % SERVER6)
V6CLIENT = r"^2001:db8:[0-9a-f:]* "
# "rescue once" on SeaBIOS + iPXE ROM: the evidence the rescue scenarios share.
RESCUE_DECISION = ("DHCPv4: iPXE ROM told the rescue profile's script URL", "dhcp4",
                   Decision(arch="bios", ipxe=True, boot_file=URL4 + "/profile-rescue.ipxe", profile="rescue",
                            assignment="once"))
RESCUE_SCRIPT_GET = ("HTTP: GET /profile-rescue.ipxe", "http", r'"GET /profile-rescue\.ipxe HTTP/[0-9.]+" 200 ')
# The installer in rescue mode, its kernel and initrd fetched by iPXE.
INSTALLER_INITRD_GET = ("HTTP: GET the installer's initrd", "http",
                        r'"GET /debian-installer/amd64/initrd\.gz HTTP/[0-9.]+" 200 ')
RESCUE_COMMAND_LINE = ("VM console: the kernel booted with the rescue command line", "serial",
                       r"Command line: .*rescue/enable=true")
RESCUE_DIALOG = ("VM console: the rescue mode's first dialog", "serial", INSTALLER_RESCUE_DIALOG)
INSTALLER_RESCUE_OVER_HTTP = [
    ("HTTP: GET the installer's kernel", "http", r'"GET /debian-installer/amd64/linux HTTP/[0-9.]+" 200 '),
    INSTALLER_INITRD_GET, RESCUE_COMMAND_LINE, RESCUE_DIALOG]


def normal_menu_instead_of(profile):
    return ("VM console: the normal menu although %s was assigned" % profile, "serial", re.escape(MARKER))


def secure_boot_rescue_once(mac):
    """'rescue once' for a Secure Boot machine: no iPXE runs, so the hook
    hands it the rescue profile's copy of shim, GRUB reads the profile from
    that name, and the firmware's acknowledged exchange uses the assignment up."""
    tftp = r'transfer client=[0-9.]+:\d+ file="/?%s" .*outcome=ok'
    return dict(
        title="UEFI x64 with Secure Boot enforced, 'rescue once' through Kea's control path -> "
              "profile-rescue/shimx64.efi -> grubx64.efi -> grub/profile-rescue.cfg -> the installer's signed "
              "kernel in rescue mode; booted again -> shimx64.efi -> the GRUB menu",
        mac=mac, fw="x64-secboot", v4=True, v6=False, pxe4=True, pxe6=False, installer=True,
        render=["--secure-boot"], assign={"profile": "rescue", "once": True},
        reached="the installer's rescue mode with Secure Boot enforced, then the GRUB menu",
        evidence=[
            ("DHCPv4: OVMF (Secure Boot) PXE told the rescue profile's shim", "dhcp4",
             Decision(arch="efi-x64", ipxe=False, boot_file="profile-rescue/shimx64.efi", profile="rescue",
                      assignment="once")),
            ("Kea: the one-time assignment used up by the firmware's acknowledged exchange", "dhcp4",
             r"NETBOOT_ASSIGNMENT_CONSUMED .*%s to profile rescue used and removed" % re.escape(mac)),
            ("TFTP: profile-rescue/shimx64.efi (signed shim) sent", "tftp", tftp % r"profile-rescue/shimx64\.efi"),
            # shim loads GRUB from its own directory
            ("TFTP: profile-rescue/grubx64.efi (signed GRUB) sent", "tftp", tftp % r"profile-rescue/grubx64\.efi"),
            ("TFTP: grub/profile-rescue.cfg sent", "tftp", tftp % r"/?grub/profile-rescue\.cfg"),
            ("VM console: GRUB found the rescue profile", "serial",
             re.escape(RESCUE_MARKER) + r" \(grub x86_64-efi"),
            ("VM console: the kernel says Secure Boot is enabled", "serial", SECURE_BOOT_ON),
            RESCUE_COMMAND_LINE,
            RESCUE_DIALOG,
        ],
        forbidden=NO_IPXE + [normal_menu_instead_of("rescue")],
        second_boot=dict(
            evidence=[
                ("DHCPv4: OVMF (Secure Boot) PXE told the normal shim again (profile default)", "dhcp4",
                 Decision(arch="efi-x64", ipxe=False, boot_file="shimx64.efi", profile="default", assignment=None)),
                ("VM console: the GRUB menu", "serial", re.escape(MARKER) + r" \(grub x86_64-efi"),
            ],
            forbidden=NO_IPXE + [
                ("DHCPv4: the rescue profile a second time", "dhcp4", Decision(profile="rescue")),
                ("VM console: the rescue profile a second time", "serial", re.escape(RESCUE_MARKER))]))


# Booted again after "rescue once": the normal menu, never the rescue profile.
NORMAL_MENU_AGAIN = dict(
    evidence=[
        ("DHCPv4: iPXE ROM told the normal script URL again (profile default)", "dhcp4",
         Decision(arch="bios", ipxe=True, boot_file=URL4 + "/boot.ipxe", profile="default", assignment=None)),
        ("HTTP: GET /boot.ipxe", "http", r'"GET /boot\.ipxe HTTP/[0-9.]+" 200 '),
        ("VM console: iPXE menu (legacy branch)", "serial", re.escape(MARKER) + r" \(legacy"),
    ],
    forbidden=[
        ("DHCPv4: the rescue script URL a second time", "dhcp4", Decision(boot_file=URL4 + "/profile-rescue.ipxe")),
        ("VM console: the rescue profile a second time", "serial", re.escape(RESCUE_MARKER)),
    ])

SCENARIOS = {
    "bios": dict(
        title="legacy BIOS (SeaBIOS) + iPXE NIC ROM over IPv4 -> boot.ipxe over HTTP",
        mac="52:54:00:e2:e0:01", fw="bios", v4=True, v6=False, pxe4=True, pxe6=False,
        evidence=[
            ("DHCPv4: iPXE ROM told the script URL", "dhcp4",
             Decision(arch="bios", ipxe=True, boot_file=URL4 + "/boot.ipxe")),
            ("HTTP: GET /boot.ipxe", "http", r'"GET /boot\.ipxe HTTP/[0-9.]+" 200 '),
            ("VM console: iPXE menu (legacy branch)", "serial", re.escape(MARKER) + r" \(legacy"),
        ]),
    "bios-host": dict(
        title="legacy BIOS + iPXE ROM with a per-machine script: boot.ipxe chains script.ipxe-52-54-00-e2-e0-08",
        mac="52:54:00:e2:e0:08", fw="bios", v4=True, v6=False, pxe4=True, pxe6=False, host_script=True,
        reached="the per-machine script",
        evidence=[
            ("DHCPv4: iPXE ROM told the script URL", "dhcp4",
             Decision(arch="bios", ipxe=True, boot_file=URL4 + "/boot.ipxe")),
            ("HTTP: GET /boot.ipxe", "http", r'"GET /boot\.ipxe HTTP/[0-9.]+" 200 '),
            ("HTTP: GET /script.ipxe-52-54-00-e2-e0-08", "http",
             r'"GET /script\.ipxe-52-54-00-e2-e0-08 HTTP/[0-9.]+" 200 '),
            ("VM console: the per-machine script ran", "serial",
             r"kea-netboot: per-machine script for 52:54:00:e2:e0:08"),
        ]),
    "rescue-once": dict(
        title="legacy BIOS + iPXE ROM, 'rescue once' assigned through kea-ctrl-agent -> profile-rescue.ipxe, "
              "booted again -> boot.ipxe",
        mac="52:54:00:e2:e0:09", fw="bios", v4=True, v6=False, pxe4=True, pxe6=False,
        reached="the rescue profile, then the normal menu",
        assign={"profile": "rescue", "once": True},
        evidence=[
            RESCUE_DECISION,
            ("Kea: the one-time assignment to profile rescue used up by this boot", "dhcp4",
             r"NETBOOT_ASSIGNMENT_CONSUMED .*52:54:00:e2:e0:09 to profile rescue used and removed"),
            RESCUE_SCRIPT_GET,
            ("VM console: the rescue profile's script ran", "serial", re.escape(RESCUE_MARKER)),
        ],
        # evidence of the wrong boot: fails at once, naming it
        forbidden=[
            ("DHCPv4: iPXE ROM told the normal script URL although rescue was assigned", "dhcp4",
             Decision(ipxe=True, boot_file=URL4 + "/boot.ipxe")),
            ("VM console: the normal menu although rescue was assigned", "serial", re.escape(MARKER)),
        ],
        second_boot=NORMAL_MENU_AGAIN),
    "installer-rescue": dict(
        title="legacy BIOS + iPXE ROM, 'rescue once' -> profile-rescue.ipxe -> the Debian installer's rescue mode "
              "(kernel and initrd over HTTP), booted again -> boot.ipxe",
        mac="52:54:00:e2:e0:0a", fw="bios", v4=True, v6=False, pxe4=True, pxe6=False, installer=True,
        reached="the installer's rescue mode, then the normal menu",
        assign={"profile": "rescue", "once": True},
        evidence=[
            RESCUE_DECISION,
            RESCUE_SCRIPT_GET,
            *INSTALLER_RESCUE_OVER_HTTP,
        ],
        forbidden=[normal_menu_instead_of("rescue")],
        second_boot=NORMAL_MENU_AGAIN),
    "uefi-rescue": dict(
        title="UEFI x64 (OVMF) PXE over IPv4, 'rescue once' -> ipxe.efi -> iPXE -> profile-rescue.ipxe -> the Debian "
              "installer's rescue mode (kernel and initrd over HTTP)",
        mac="52:54:00:e2:e0:10", fw="x64", v4=True, v6=False, pxe4=True, pxe6=False, installer=True,
        reached="the installer's rescue mode (a booted kernel)",
        assign={"profile": "rescue", "once": True},
        evidence=[
            ("DHCPv4: OVMF PXE told ipxe.efi", "dhcp4",
             Decision(arch="efi-x64", transport="tftp", ipxe=False, boot_file="ipxe.efi")),
            ("TFTP: ipxe.efi sent", "tftp", r'transfer client=[0-9.]+:\d+ file="ipxe\.efi" .*outcome=ok'),
            ("DHCPv4: iPXE told the rescue profile's script URL (the one-time assignment used)", "dhcp4",
             Decision(arch="efi-x64", ipxe=True, boot_file=URL4 + "/profile-rescue.ipxe", profile="rescue",
                      assignment="once")),
            RESCUE_SCRIPT_GET,
            *INSTALLER_RESCUE_OVER_HTTP,
        ],
        forbidden=[normal_menu_instead_of("rescue")]),
    "bmc-rescue": dict(
        title="legacy BIOS VM behind a BMC (OpenIPMI ipmi_sim, IPMI v2 over the LAN) booting its empty disk; "
              "netboot-ctl rescue HOST --power-cycle -> next boot from the network, power -> profile-rescue.ipxe",
        mac="52:54:00:e2:e0:11", fw="bios", v4=True, v6=False, pxe4=True, pxe6=False, bmc=True,
        reached="the rescue profile, by one netboot-ctl command through the machine's BMC",
        before_bmc=[("VM console: booting its disk, not the network (boot device: disk)", "serial",
                     r"No bootable device")],
        evidence=[
            RESCUE_DECISION,
            ("Kea: the one-time assignment to profile rescue used up by this boot", "dhcp4",
             r"NETBOOT_ASSIGNMENT_CONSUMED .*52:54:00:e2:e0:11 to profile rescue used and removed"),
            RESCUE_SCRIPT_GET,
            ("VM console: the rescue profile's script ran", "serial", re.escape(RESCUE_MARKER)),
        ],
        forbidden=[normal_menu_instead_of("rescue")]),
    "installer-auto": dict(
        title="legacy BIOS + iPXE ROM, 'install once' -> profile-install.ipxe -> the Debian installer's automated "
              "install: it fetches its preseed from nginx and stops at the mirror (no Debian mirror here)",
        mac="52:54:00:e2:e0:0f", fw="bios", v4=True, v6=False, pxe4=True, pxe6=False, installer=True,
        # a name server (none answers here): the installer then asks for none
        render=["--dns", SERVER4],
        reached="the installer's automated install, past network configuration and the preseed, at the mirror step",
        assign={"profile": "install", "once": True},
        evidence=[
            ("DHCPv4: iPXE ROM told the install profile's script URL", "dhcp4",
             Decision(arch="bios", ipxe=True, boot_file=URL4 + "/profile-install.ipxe", profile="install")),
            ("HTTP: GET /profile-install.ipxe", "http", r'"GET /profile-install\.ipxe HTTP/[0-9.]+" 200 '),
            INSTALLER_INITRD_GET,
            ("VM console: the kernel booted with the automated install's command line", "serial",
             r"Command line: .*auto=true priority=critical url=http://%s/preseed/52:54:00:e2:e0:0f\.cfg" % S4),
            ("HTTP: the installer fetched its preseed (the site's default.cfg for this MAC)", "http",
             r'"GET /preseed/52:54:00:e2:e0:0f\.cfg HTTP/[0-9.]+" 200 \d+ "-" "debian-installer'),
            ("VM console: the installer stopped at the mirror step", "serial", INSTALLER_MIRROR_STEP),
        ],
        forbidden=[normal_menu_instead_of("install")]),
    "secureboot-pxe4": secure_boot_pxe(4, "52:54:00:e2:e0:0b"),
    "secureboot-pxe6": secure_boot_pxe(6, "52:54:00:e2:e0:0c"),
    "secureboot-rescue-once": secure_boot_rescue_once("52:54:00:e2:e0:12"),
    "secureboot-http4": dict(
        title="UEFI x64 with Secure Boot enforced, HTTP boot over IPv4 -> http://192.0.2.1/shimx64.efi -> "
              "grubx64.efi over HTTP -> GRUB (its menu from GRUB 2.12, Debian 13, on)",
        mac="52:54:00:e2:e0:0e", fw="x64-secboot", v4=True, v6=False, pxe4=False, pxe6=False, installer=True,
        render=["--secure-boot"],
        reached="signed GRUB: its menu where GRUB is 2.12 or later; grub> with Debian 12's 2.06, which cannot "
                "derive $prefix after UEFI HTTP boot",
        evidence=[
            ("DHCPv4: OVMF (Secure Boot) HTTP boot told shimx64.efi", "dhcp4",
             Decision(arch="efi-x64-http", transport="http", boot_file=URL4 + "/shimx64.efi")),
            ("HTTP: GET /shimx64.efi", "http", r'"GET /shimx64\.efi HTTP/[0-9.]+" 200 '),
            # shim asks for "//grubx64.efi" over HTTP (its own directory and a slash)
            ("HTTP: GET grubx64.efi (signed GRUB)", "http", r'"GET /+grubx64\.efi HTTP/[0-9.]+" 200 '),
            ("VM console: the GRUB menu", "serial", re.escape(MARKER) + r" \(grub x86_64-efi")
            if grub_reads_its_menu_after_http_boot() else ("VM console: GRUB started", "serial", r"grub>"),
        ], forbidden=NO_IPXE),
    "secureboot-refuses-ipxe": dict(
        title="the negative: the same Secure Boot VM on a site without secure-boot is handed ipxe.efi, "
              "and the firmware refuses to run it",
        mac="52:54:00:e2:e0:0d", fw="x64-secboot", v4=True, v6=False, pxe4=True, pxe6=False,
        reached="the firmware's refusal of the unsigned iPXE",
        evidence=[
            ("DHCPv4: OVMF (Secure Boot) PXE told ipxe.efi", "dhcp4",
             Decision(arch="efi-x64", ipxe=False, boot_file="ipxe.efi")),
            ("TFTP: ipxe.efi sent", "tftp", r'transfer client=[0-9.]+:\d+ file="ipxe\.efi" .*outcome=ok'),
            ("VM console: the firmware refuses the unsigned image", "serial",
             r"BdsDxe: failed to load Boot.*PXEv4.*: Access Denied"),
        ],
        forbidden=[("DHCPv4: iPXE ran (asked for its script) although Secure Boot is enforced", "dhcp4",
                    Decision(ipxe=True))]),
    "uefi-pxe4": dict(
        title="UEFI x64 (OVMF) PXE over IPv4 -> ipxe.efi over TFTP -> iPXE -> boot.ipxe over HTTP",
        mac="52:54:00:e2:e0:02", fw="x64", v4=True, v6=False, pxe4=True, pxe6=False,
        evidence=[
            ("DHCPv4: OVMF PXE told ipxe.efi", "dhcp4",
             Decision(arch="efi-x64", transport="tftp", ipxe=False, boot_file="ipxe.efi")),
            ("TFTP: ipxe.efi sent", "tftp", r'transfer client=[0-9.]+:\d+ file="ipxe\.efi" .*outcome=ok'),
            ("DHCPv4: iPXE told the script URL", "dhcp4",
             Decision(ipxe=True, boot_file=URL4 + "/boot.ipxe")),
            ("HTTP: GET /boot.ipxe", "http", r'"GET /boot\.ipxe HTTP/[0-9.]+" 200 '),
            ("VM console: iPXE menu (UEFI branch)", "serial", re.escape(MARKER) + r" \(uefi"),
        ]),
    "uefi-pxe6": dict(
        title="UEFI x64 (OVMF) PXE over IPv6 -> tftp://[2001:db8::1]/ipxe.efi -> iPXE over IPv6 -> boot.ipxe",
        mac="52:54:00:e2:e0:03", fw="x64", v4=False, v6=True, pxe4=False, pxe6=True,
        evidence=[
            ("DHCPv6: OVMF PXE told tftp://[2001:db8::1]/ipxe.efi", "dhcp6",
             Decision(arch="efi-x64", ipxe=False, boot_file="tftp://[%s]/ipxe.efi" % SERVER6)),
            ("TFTP over IPv6: ipxe.efi sent", "tftp",
             r'transfer client=\[2001:db8:[0-9a-f:]*\]:\d+ file="ipxe\.efi" .*outcome=ok'),
            ("DHCPv6: iPXE told the script URL", "dhcp6",
             Decision(ipxe=True, boot_file=URL6 + "/boot.ipxe")),
            ("HTTP over IPv6: GET /boot.ipxe", "http", V6CLIENT + r'.*"GET /boot\.ipxe HTTP/[0-9.]+" 200 '),
            ("VM console: iPXE menu (UEFI branch)", "serial", re.escape(MARKER) + r" \(uefi"),
        ]),
    "uefi-http4": dict(
        title="UEFI x64 (OVMF) HTTP boot over IPv4 -> http://192.0.2.1/ipxe.efi -> iPXE -> boot.ipxe",
        mac="52:54:00:e2:e0:04", fw="x64", v4=True, v6=False, pxe4=False, pxe6=False,
        evidence=[
            ("DHCPv4: OVMF HTTP boot told http://192.0.2.1/ipxe.efi", "dhcp4",
             Decision(arch="efi-x64-http", transport="http", ipxe=False, boot_file=URL4 + "/ipxe.efi")),
            ("HTTP: GET /ipxe.efi", "http", r'"GET /ipxe\.efi HTTP/[0-9.]+" 200 '),
            ("DHCPv4: iPXE told the script URL", "dhcp4",
             Decision(ipxe=True, boot_file=URL4 + "/boot.ipxe")),
            ("HTTP: GET /boot.ipxe", "http", r'"GET /boot\.ipxe HTTP/[0-9.]+" 200 '),
            ("VM console: iPXE menu (UEFI branch)", "serial", re.escape(MARKER) + r" \(uefi"),
        ]),
    "uefi-http6": dict(
        title="UEFI x64 (OVMF) HTTP boot over IPv6 -> http://[2001:db8::1]/ipxe.efi -> iPXE -> boot.ipxe",
        mac="52:54:00:e2:e0:05", fw="x64", v4=False, v6=True, pxe4=False, pxe6=False, http6_first=True,
        evidence=[
            ("DHCPv6: OVMF HTTP boot told http://[2001:db8::1]/ipxe.efi", "dhcp6",
             Decision(arch="efi-x64-http", transport="http", ipxe=False, boot_file=URL6 + "/ipxe.efi")),
            ("HTTP over IPv6: GET /ipxe.efi", "http", V6CLIENT + r'.*"GET /ipxe\.efi HTTP/[0-9.]+" 200 '),
            ("DHCPv6: iPXE told the script URL", "dhcp6",
             Decision(ipxe=True, boot_file=URL6 + "/boot.ipxe")),
            ("HTTP over IPv6: GET /boot.ipxe", "http", V6CLIENT + r'.*"GET /boot\.ipxe HTTP/[0-9.]+" 200 '),
            ("VM console: iPXE menu (UEFI branch)", "serial", re.escape(MARKER) + r" \(uefi"),
        ]),
    "ia32": dict(
        title="UEFI ia32 (OVMF32 secboot) PXE over IPv4 -> grubnetia32.efi over TFTP -> grub/grub.cfg",
        mac="52:54:00:e2:e0:06", fw="ia32", v4=True, v6=False, pxe4=True, pxe6=False,
        evidence=[
            ("DHCPv4: OVMF ia32 PXE told grubnetia32.efi", "dhcp4",
             Decision(arch="efi-ia32", transport="tftp", boot_file="grubnetia32.efi")),
            ("TFTP: grubnetia32.efi sent", "tftp",
             r'transfer client=[0-9.]+:\d+ file="grubnetia32\.efi" .*outcome=ok'),
            ("TFTP: grub/grub.cfg sent", "tftp", r'transfer client=[0-9.]+:\d+ file="/?grub/grub\.cfg" .*outcome=ok'),
            ("VM console: GRUB menu", "serial", re.escape(MARKER) + r" \(grub i386-efi"),
        ]),
    "ia32-http4": dict(
        title="UEFI ia32 (OVMF32 secboot) HTTP boot over IPv4 -> http://192.0.2.1/grubnetia32.efi -> GRUB",
        mac="52:54:00:e2:e0:07", fw="ia32", v4=True, v6=False, pxe4=False, pxe6=False,
        reached="GRUB (it stops at grub>: GRUB 2.06 cannot derive $prefix after UEFI HTTP boot, so the menu is not shown)",
        evidence=[
            ("DHCPv4: OVMF ia32 HTTP boot told http://192.0.2.1/grubnetia32.efi", "dhcp4",
             Decision(arch="efi-ia32-http", transport="http", boot_file=URL4 + "/grubnetia32.efi")),
            ("HTTP: GET /grubnetia32.efi", "http", r'"GET /grubnetia32\.efi HTTP/[0-9.]+" 200 '),
            ("VM console: GRUB started", "serial", r"grub>|" + re.escape(MARKER)),
        ]),
}
# The main job ends in a booted kernel: what an operator's "rescue" does.
DEFAULT_SCENARIO = "uefi-rescue"

start_time = time.monotonic()


def say(text, kind="=="):
    print("[%6.1fs] %s %s" % (time.monotonic() - start_time, kind, text), flush=True)


class Failure(Exception):
    pass


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def quiet(cmd):
    return subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="netboot-stack",
        description=__doc__.split("\n", 2)[2].split("Run as root")[0].strip() +
        "\n\nscenarios:\n" + "\n".join("  %-11s %s%s" % (k, v["title"], " (default)" if k == DEFAULT_SCENARIO else "")
                                       for k, v in SCENARIOS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  sudo tools/netboot-stack                 # UEFI PXE over IPv4 to the iPXE menu\n"
               "  sudo tools/netboot-stack bios --console  # every line of the VM's console too\n\n"
               "environment:\n"
               "  NETBOOT_SKIP_DEPS=1  never run tools/install-deps (it runs only when a package is missing)\n"
               "  NETBOOT_BUILD_DIR    build directory (default build/; built when the binaries are missing)\n\n"
               "Addresses: 192.0.2.1/24 and 2001:db8::1/64 on a bridge inside a namespace named\n"
               "nbs<pid>; nothing leaves it (the VM has only the tap NIC, no user networking).")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, choices=sorted(SCENARIOS),
                   help="what boots (default %s)" % DEFAULT_SCENARIO)
    p.add_argument("-s", "--scenario", dest="scenario_opt", choices=sorted(SCENARIOS), metavar="SCENARIO",
                   help="same as the positional SCENARIO")
    p.add_argument("--timeout", type=float, default=150, help="seconds the VM may take to reach the menu (default 150)")
    p.add_argument("--show-menu", type=float, default=3, metavar="SECONDS",
                   help="keep the VM on the menu this long before powering it off (default 3)")
    p.add_argument("--console", action="store_true", help="print every line of the VM's serial console")
    p.add_argument("--keep", action="store_true", help="keep the run directory (configs, logs) afterwards")
    p.add_argument("--no-build", action="store_true", help="fail instead of building when binaries are missing")
    p.add_argument("--render-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for netboot-render, repeatable (e.g. --render-arg=--menu-timeout=5)")
    a = p.parse_args(argv)
    if a.scenario_opt:
        a.scenario = a.scenario_opt
    return a


# ---------------------------------------------------------------- set-up

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


class Stack:
    def __init__(self, args, sc):
        self.args, self.sc = args, sc
        self.tag = "nbs%d" % os.getpid()
        self.ns = self.tag
        self.br, self.tap = self.tag + "br", self.tag + "t"
        self.veth_a, self.veth_b = self.tag + "a", self.tag + "b"
        self.procs = []          # (name, Popen)
        self.qemu = None
        self.logs = {"dhcp4": "kea/kea-dhcp4.log", "dhcp6": "kea/kea-dhcp6.log", "tftp": "tftp.log",
                     "http": "netboot-access.log", "serial": "serial.log"}
        self.offsets = {k: 0 for k in self.logs}   # what watch() has read so far
        self.partial = {k: "" for k in self.logs}
        self.seen_serial = set()
        self.run = tempfile.mkdtemp(prefix=self.tag + ".")
        os.chmod(self.run, 0o755)  # nginx workers read the boot root below it
        self.root = os.path.join(self.run, "root")
        self.etc = os.path.join(self.run, "etc")
        # netboot-render --run-dir puts Kea's sockets, leases and logs here, and
        # every Kea daemon runs through tools/kea-env with it (Kea >= 2.6.3).
        self.kea_run = os.path.join(self.run, "kea")
        os.makedirs(self.root)
        os.chmod(self.root, 0o755)
        self.ok = False

    # -- network
    def network(self):
        ns, ipn = self.ns, ["ip", "-n", self.ns]
        say("Network: namespace %s, bridge %s (%s/24, %s/64), tap %s for the VM"
            % (ns, self.br, SERVER4, SERVER6, self.tap))
        run(["ip", "netns", "add", ns])
        run(ipn + ["link", "set", "lo", "up"])
        run(ipn + ["link", "add", self.br, "type", "bridge", "stp_state", "0", "forward_delay", "0",
                   "mcast_snooping", "0"])
        sysctl = lambda k, v: run(["ip", "netns", "exec", ns, "sysctl", "-qw", "%s=%s" % (k, v)])
        sysctl("net.ipv6.conf.%s.accept_dad" % self.br, 0)
        # A port with carrier before the VM exists (docs/firmware.md, "Bridge carrier"): a
        # veth pair whose far end is muted (no ARP, no IPv6) so it never answers
        # for the server's addresses.
        run(ipn + ["link", "add", self.veth_a, "type", "veth", "peer", "name", self.veth_b])
        sysctl("net.ipv6.conf.%s.disable_ipv6" % self.veth_a, 1)
        sysctl("net.ipv6.conf.%s.disable_ipv6" % self.veth_b, 1)
        run(ipn + ["link", "set", self.veth_b, "arp", "off", "up"])
        run(ipn + ["link", "set", self.veth_a, "master", self.br, "up"])
        run(ipn + ["tuntap", "add", "dev", self.tap, "mode", "tap"])
        sysctl("net.ipv6.conf.%s.disable_ipv6" % self.tap, 1)
        run(ipn + ["link", "set", self.tap, "master", self.br, "up"])
        run(ipn + ["addr", "add", SERVER4 + "/24", "dev", self.br])
        run(ipn + ["addr", "add", SERVER6 + "/64", "dev", self.br, "nodad"])
        run(ipn + ["link", "set", self.br, "up"])
        for _ in range(50):
            out = subprocess.run(ipn + ["-6", "addr", "show", "dev", self.br, "scope", "link"],
                                 capture_output=True, text=True).stdout
            if "fe80" in out and "tentative" not in out:
                break
            time.sleep(0.1)

    # -- configuration
    def render(self, bins):
        say("Rendering the kea-config bundle (netboot-render) into %s, loaders from Debian's packages into %s"
            % (self.etc, self.root))
        cmd = [sys.executable, os.path.join(TOP, "kea-config", "netboot-render"), "-i", self.br,
               "--subnet4", SUBNET4, "--server4", SERVER4, "--prefix6", PREFIX6, "--server6", SERVER6,
               "--root", self.root, "--install-loaders", "--run-dir", self.run,
               "--hook", os.path.join(self.kea_run, "hooks", "libdhcp_netboot.so"),
               "-o", self.etc, "--menu-timeout", "30", "--console", "ttyS0,115200"] + \
            self.sc.get("render", []) + self.args.render_arg
        if self.sc.get("bmc"):
            cmd = self.site_with_bmc_hosts(cmd)
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            raise Failure("netboot-render: " + r.stderr.strip())
        # How the operator's commands reach each daemon on this Kea (2.x:
        # kea-ctrl-agent; 3.x: the daemons' own HTTP sockets with a password).
        with open(os.path.join(self.etc, "netboot-control.json")) as f:
            self.control = json.load(f)
        self.agent = self.control["via"] == "kea-ctrl-agent"
        if self.sc.get("host_script"):
            name = "script.ipxe-" + self.sc["mac"].replace(":", "-")
            with open(os.path.join(self.root, name), "w") as f:
                f.write("#!ipxe\necho kea-netboot: per-machine script for ${mac} (%s)\n" % name)
            os.chmod(os.path.join(self.root, name), 0o644)
            say("Per-machine script %s put into the boot root" % name)
        if self.sc.get("grub_host_default"):
            # The per-machine GRUB file the menu sources: this machine's
            # default entry, started at once.
            name = "grub/grub.cfg-" + self.sc["mac"]
            with open(os.path.join(self.root, name), "w") as f:
                f.write("set default=%s\nset timeout=1\n" % self.sc["grub_host_default"])
            os.chmod(os.path.join(self.root, name), 0o644)
            say("Per-machine GRUB file %s put into the boot root (default entry %s)"
                % (name, self.sc["grub_host_default"]))
        os.environ["NETBOOT_HOOK"] = bins["hook"]
        checks = [
            ("netboot-check-config", [bins["checker"], self.etc + "/kea-dhcp4.conf"]),
            ("netboot-check-config", [bins["checker"], self.etc + "/kea-dhcp6.conf"]),
            ("kea-dhcp4 -t", [KEA_ENV, self.kea_run, "kea-dhcp4", "-t", self.etc + "/kea-dhcp4.conf"]),
            ("kea-dhcp6 -t", [KEA_ENV, self.kea_run, "kea-dhcp6", "-t", self.etc + "/kea-dhcp6.conf"]),
        ] + ([("kea-ctrl-agent -t", [KEA_ENV, self.kea_run, "kea-ctrl-agent", "-t", self.etc + "/kea-ctrl-agent.conf"])]
             if self.agent else []) + [
            ("netboot-tftpd -t", [bins["tftpd"], "-t", "-c", self.etc + "/netboot-tftpd.conf"]),
            ("radvd-lite -t", [bins["radvd"], "-t", "-c", self.etc + "/radvd-lite.conf",
                               "--kea-config", self.etc + "/kea-dhcp6.conf"]),
            ("nginx -t", ["nginx", "-t", "-c", self.etc + "/nginx.conf"]),
        ]
        for name, cmd in checks:
            r = subprocess.run(["ip", "netns", "exec", self.ns] + cmd, capture_output=True, text=True)
            if r.returncode:
                raise Failure("%s refused the rendered config:\n%s%s" % (name, r.stdout, r.stderr))
        say("Configs checked: " + ", ".join(sorted(set(n for n, _ in checks))))

    def site_with_bmc_hosts(self, flags_cmd):
        """The flags' site as a site file, with the VM as a host behind the
        BMC and two hosts whose BMC cannot be used (wrong password, no BMC
        at the address); returns the command that renders it."""
        r = subprocess.run(flags_cmd + ["--print-site"], capture_output=True, text=True)
        if r.returncode:
            raise Failure("netboot-render --print-site: " + r.stderr.strip())
        site = json.loads(r.stdout)
        secrets = {}
        for name, secret in (("bmc-password", "Vm-BMC-s3cret"), ("bmc-wrong-password", "not-the-password")):
            secrets[name] = os.path.join(self.run, name)
            with open(secrets[name], "w") as f:
                f.write(secret + "\n")
            os.chmod(secrets[name], 0o600)
        self.bmc_secret = "Vm-BMC-s3cret"
        site["hosts"] = [
            {"name": "vm1", "macs": [self.sc["mac"]], "bmc": {"address": BMC_ADDRESS, "user": "admin",
                                                              "password-file": secrets["bmc-password"]}},
            {"name": "wrong-password", "macs": ["52:54:00:e2:e0:21"],
             "bmc": {"address": BMC_ADDRESS, "user": "admin", "password-file": secrets["bmc-wrong-password"]}},
            {"name": "bmc-unreachable", "macs": ["52:54:00:e2:e0:22"],
             "bmc": {"address": NO_BMC_ADDRESS, "user": "admin", "password-file": secrets["bmc-password"]}},
        ]
        path = os.path.join(self.run, "site.json")
        with open(path, "w") as f:
            json.dump(site, f, indent=2)
        say("Site file %s: the flags' site plus hosts vm1 (the VM, BMC %s), wrong-password, bmc-unreachable"
            % (path, BMC_ADDRESS))
        return [sys.executable, os.path.join(TOP, "kea-config", "netboot-render"), path, "-o", self.etc]

    # -- the BMC
    def start_bmc(self):
        """OpenIPMI's ipmi_sim as the VM's BMC on the boot network, with
        tools/bmc-chassis-qemu as its chassis (power and boot device act on
        the QEMU process); the VM is switched on booting its disk."""
        state = os.path.join(self.run, "bmc")
        os.makedirs(os.path.join(state, "persist"))
        run(["ip", "-n", self.ns, "addr", "add", BMC_ADDRESS + "/24", "dev", self.br])
        cmd = self.qemu_command()
        cmd = [a.replace("bootindex=1", "@NIC_BOOT@") for a in cmd]
        with open(os.path.join(state, "qemu.json"), "w") as f:
            json.dump(cmd, f)
        with open(os.path.join(self.run, "qemu.cmd"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        with open(os.path.join(state, "lan.conf"), "w") as f:
            f.write('name "netboot-stack-bmc"\n'
                    "set_working_mc 0x20\n"
                    "  startlan 1\n"
                    "    addr %s 623\n"
                    "    priv_limit admin\n"
                    "    allowed_auths_callback none md5\n    allowed_auths_user md5\n"
                    "    allowed_auths_operator md5\n    allowed_auths_admin md5\n"
                    "    guid 6e6574626f6f74652d626d6300000001\n"
                    "  endlan\n"
                    '  chassis_control "%s %s"\n'
                    '  user 2 true "admin" "%s" admin 10 md5\n'
                    % (BMC_ADDRESS, os.path.join(TOP, "tools", "bmc-chassis-qemu"), state, self.bmc_secret))
        with open(os.path.join(state, "bmc.emu"), "w") as f:
            f.write("mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\nmc_enable 0x20\n")
        self.bmc_state = state
        p = self.start("ipmi_sim", ["ipmi_sim", "-n", "-c", os.path.join(state, "lan.conf"),
                                    "-f", os.path.join(state, "bmc.emu"), "-s", os.path.join(state, "persist")],
                       "ipmi_sim.log")
        time.sleep(0.5)
        if p.poll() is not None:
            raise Failure("ipmi_sim exited at start (status %s); see %s/ipmi_sim.log" % (p.returncode, self.run))
        say("BMC: OpenIPMI ipmi_sim on %s:623 (IPMI v2 / RMCP+, user admin), chassis: tools/bmc-chassis-qemu "
            "(pid %d)" % (BMC_ADDRESS, p.pid))
        run(["ip", "netns", "exec", self.ns, os.path.join(TOP, "tools", "bmc-chassis-qemu"), state, "set", "power", "1"])
        self.qemu = p  # the VM lives as long as its BMC
        say("VM: switched on booting its (empty) disk, as a server in service would; serial console -> %s/serial.log"
            % self.run)

    def netboot_ctl(self, *args):
        cmd = ["ip", "netns", "exec", self.ns, sys.executable, os.path.join(TOP, "kea-config", "netboot-ctl"),
               "--control", os.path.join(self.etc, "netboot-control.json"),
               "--site", os.path.join(self.etc, "netboot-site.json")] + list(args)
        say("netboot-ctl " + " ".join(args), "$ ")
        return cmd

    def bmc_refusals(self):
        """A wrong BMC password and a BMC that does not answer: netboot-ctl
        exits 5 naming the step, and no daemon holds an assignment."""
        for host, says in (("wrong-password", "asking the power state failed"),
                           ("bmc-unreachable", "asking the power state failed")):
            r = subprocess.run(self.netboot_ctl("rescue", host, "--power-cycle", "--timeout", "5"),
                               capture_output=True, text=True, timeout=120)
            out = (r.stdout + r.stderr).strip()
            for line in out.splitlines():
                say(line[:200], "<-")
            if r.returncode != 5 or says not in out:
                raise Failure("netboot-ctl rescue %s: exit %d (5 expected, naming '%s')" % (host, r.returncode, says))
            for secret in (self.bmc_secret, "not-the-password"):
                if secret in out:
                    raise Failure("netboot-ctl printed a BMC password")
            mac = "52:54:00:e2:e0:21" if host == "wrong-password" else "52:54:00:e2:e0:22"
            answer = self.kea_command("netboot-assignment-get", {"hw-address": mac}, show=False)
            if answer.get("result") != 3:
                raise Failure("after the BMC failed, %s still has an assignment: %s" % (host, answer))
            say("netboot-ctl rescue %s: exit 5, the BMC step named, no assignment left behind" % host, "OK")

    def bmc_rescue(self):
        """The operator's one command: rescue vm1 through its BMC."""
        self.bmc_refusals()
        log = os.path.join(self.run, "netboot-ctl.out")
        with open(log, "w") as out:
            ctl = subprocess.Popen(self.netboot_ctl("rescue", "vm1", "--power-cycle", "--timeout",
                                                    str(int(self.args.timeout))),
                                   stdout=out, stderr=subprocess.STDOUT)
        try:
            self.watch(self.sc["evidence"], self.sc.get("forbidden", ()))
            ctl.wait(60)
        finally:
            if ctl.poll() is None:
                ctl.kill()
                ctl.wait()
            with open(log) as f:
                out = f.read()
            for line in out.strip().splitlines():
                say(line[:200], "<-")
        if ctl.returncode != 0 or "asked for its boot with profile rescue" not in out:
            raise Failure("netboot-ctl rescue vm1 --power-cycle: exit %d, not 'asked for its boot with profile "
                          "rescue'" % ctl.returncode)
        with open(os.path.join(self.bmc_state, "chassis.log")) as f:
            chassis = f.read()
        if "set boot pxe" not in chassis or "power on (boot device pxe)" not in chassis:
            raise Failure("the BMC's chassis did not see 'boot pxe' then a power-on from the network:\n" + chassis)
        say("netboot-ctl: exit 0; the BMC set the boot device to pxe and powered the VM back on from the network",
            "OK")

    # -- daemons
    def start(self, name, cmd, log):
        out = open(os.path.join(self.run, log), "ab")
        p = subprocess.Popen(["ip", "netns", "exec", self.ns] + cmd, stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        self.procs.append((name, p))
        return p

    def wait_for(self, name, proc, check, seconds=15):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check():
                return
            if proc.poll() is not None:
                raise Failure("%s exited (status %s) at start; see %s" % (name, proc.returncode, self.run))
            time.sleep(0.1)
        raise Failure("%s did not become ready in %d s; see %s" % (name, seconds, self.run))

    def grep(self, log, text):
        try:
            with open(os.path.join(self.run, log), errors="replace") as f:
                return text in f.read()
        except OSError:
            return False

    def port_open(self, addr, port):
        r = subprocess.run(["ip", "netns", "exec", self.ns, sys.executable, "-c",
                            "import socket,sys; s=socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)",
                            addr, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return r.returncode == 0

    def daemons(self, bins):
        sc = self.sc
        if sc["v4"]:
            p = self.start("kea-dhcp4", [KEA_ENV, self.kea_run, "kea-dhcp4", "-c", self.etc + "/kea-dhcp4.conf"], "kea-dhcp4.out")
            self.wait_for("kea-dhcp4", p, lambda: self.grep(self.logs["dhcp4"], "DHCP4_STARTED"))
            say("kea-dhcp4 with libdhcp_netboot.so: serving %s on %s (pid %d)" % (SUBNET4, self.br, p.pid))
        else:
            say("kea-dhcp4: not started (this scenario is IPv6-only)")
        p = self.start("kea-dhcp6", [KEA_ENV, self.kea_run, "kea-dhcp6", "-c", self.etc + "/kea-dhcp6.conf"], "kea-dhcp6.out")
        self.wait_for("kea-dhcp6", p, lambda: self.grep(self.logs["dhcp6"], "DHCP6_STARTED"))
        say("kea-dhcp6 with libdhcp_netboot.so: serving %s on %s (pid %d)" % (PREFIX6, self.br, p.pid))
        if self.agent:
            p = self.start("kea-ctrl-agent", [KEA_ENV, self.kea_run, "kea-ctrl-agent", "-c",
                                              self.etc + "/kea-ctrl-agent.conf"], "kea-ctrl-agent.out")
            self.wait_for("kea-ctrl-agent", p, lambda: self.port_open(SERVER4, 8000))
            say("kea-ctrl-agent: %s (pid %d)" % (self.control["dhcp4"]["url"], p.pid))
        else:
            say("Kea %s: commands go to each daemon's own HTTP control socket (%s), with a password"
                % (self.control["kea-version"],
                   ", ".join("%s %s" % (f, self.control[f]["url"]) for f in ("dhcp4", "dhcp6") if f in self.control)))
        p = self.start("netboot-tftpd", [bins["tftpd"], "-c", self.etc + "/netboot-tftpd.conf"], "tftp.log")
        self.wait_for("netboot-tftpd", p, lambda: self.grep("tftp.log", "listening on [" + SERVER6))
        say("netboot-tftpd: %s:69 and [%s]:69, root %s (pid %d)" % (SERVER4, SERVER6, self.root, p.pid))
        p = self.start("radvd-lite", [bins["radvd"], "-d", "-c", self.etc + "/radvd-lite.conf"], "radvd-lite.log")
        self.wait_for("radvd-lite", p, lambda: self.grep("radvd-lite.log", "LINK_UP"))
        say("radvd-lite: advertising %s (M=1, O=1) on %s (pid %d)" % (PREFIX6, self.br, p.pid))
        p = self.start("nginx", ["nginx", "-c", self.etc + "/nginx.conf", "-g", "daemon off;"], "nginx.out")
        self.wait_for("nginx", p, lambda: self.port_open(SERVER4, 80) and self.port_open(SERVER6, 80))
        say("nginx: http://%s/ and http://[%s]/ serving %s (pid %d)" % (SERVER4, SERVER6, self.root, p.pid))

    # -- the VM
    def qemu_command(self):
        sc, mac = self.sc, self.sc["mac"]
        uuid = "6e657462-6f6f-7465-3265-" + mac.replace(":", "")
        serial = os.path.join(self.run, "serial.log")
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-nodefaults", "-display", "none", "-no-user-config",
               "-m", "1024" if self.sc.get("installer") else "512", "-cpu", "qemu64", "-smp", "1", "-uuid", uuid,
               "-serial", "file:" + serial, "-monitor", "none",
               "-netdev", "tap,id=net0,ifname=%s,script=no,downscript=no" % self.tap]
        nic = "virtio-net-pci,netdev=net0,mac=%s,bootindex=1" % mac
        if sc["fw"] == "bios":
            with open(os.path.join(self.run, "sercon"), "wb") as f:
                f.write(b"\xf8\x03")  # LE16 0x3f8: SeaBIOS console on COM1 (docs/firmware.md)
            cmd += ["-machine", "pc", "-boot", "n", "-fw_cfg",
                    "name=etc/sercon-port,file=" + os.path.join(self.run, "sercon"), "-device", nic]
            return cmd
        if sc["fw"] == "x64":
            code, vars_src = OVMF + "/OVMF_CODE_4M.fd", OVMF + "/OVMF_VARS_4M.fd"
            cmd += ["-machine", "q35"]
        elif sc["fw"] == "x64-secboot":
            # Microsoft's keys enrolled and Secure Boot on: only signed images run.
            code, vars_src = OVMF + "/OVMF_CODE_4M.secboot.fd", OVMF + "/OVMF_VARS_4M.ms.fd"
            cmd += ["-machine", "q35,smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on"]
        else:  # ia32: Debian's only build is the Secure Boot one (docs/firmware.md, "32-bit UEFI")
            code, vars_src = OVMF + "/OVMF32_CODE_4M.secboot.fd", OVMF + "/OVMF32_VARS_4M.fd"
            cmd += ["-machine", "q35,smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on"]
        vars_copy = os.path.join(self.run, "OVMF_VARS.fd")
        shutil.copyfile(vars_src, vars_copy)
        cmd += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
                "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy,
                # romfile= keeps QEMU from loading iPXE's ROM, so OVMF's own PXE/HTTP
                # stack does the first stage (docs/firmware.md, "The UEFI NIC ROM").
                "-device", nic + ",romfile=",
                # Since the CVE-2023-45237 fix (edk2-stable202405, Debian 13's OVMF
                # 2025.02) edk2's network stack starts only with an RNG protocol;
                # TCG's qemu64 CPU has no RDRAND, so without a virtio RNG OVMF
                # makes no PXE or HTTP boot option at all and drops to its shell.
                "-device", "virtio-rng-pci"]
        for flag, key in ((sc["pxe4"], "IPv4PXESupport"), (sc["pxe6"], "IPv6PXESupport")):
            if not flag:
                cmd += ["-fw_cfg", "name=opt/org.tianocore/%s,string=n" % key]
        if sc.get("http6_first"):
            # HTTPv6 must not be the very first thing the firmware does (docs/firmware.md).
            cmd += ["-boot", "menu=on,splash-time=3000"]
        return cmd

    def prepare_http6_vars(self, cmd):
        """OVMF tries HTTPv4 before HTTPv6, and on an IPv6-only wire the
        HTTPv4 DHCP timeout costs ~73 s (docs/firmware.md). A first, short boot lets BDS create
        its own boot options in our VARS copy; QEMU is stopped as soon as BDS
        starts the first one, and BootOrder is rewritten in place to start with
        the option BDS made for "UEFI HTTPv6", byte-exact as BDS generated it."""
        say("VM: first short boot so OVMF creates its boot options (HTTPv6 is then put first in BootOrder)")
        serial = os.path.join(self.run, "serial.log")
        prep = self.start("qemu-prepare", cmd, "qemu-prepare.out")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and prep.poll() is None:
            try:
                with open(serial, "rb") as f:
                    if b">>Start " in f.read():  # BDS has written its options and started one
                        break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise Failure("OVMF did not reach its boot manager in the preparation boot")
        prep.terminate()
        prep.wait(10)
        self.procs = [(n, p) for n, p in self.procs if p is not prep]
        os.rename(serial, os.path.join(self.run, "serial-prepare.log"))
        number = put_first_in_boot_order(os.path.join(self.run, "OVMF_VARS.fd"), "UEFI HTTPv6")
        say("OVMF VARS: BootOrder now starts with Boot%04X \"UEFI HTTPv6 ...\"" % number)

    def boot(self):
        cmd = self.qemu_command()
        if self.sc.get("http6_first"):
            self.prepare_http6_vars(cmd)
        say("VM: %s, MAC %s, QEMU under TCG, serial console -> %s/serial.log"
            % (self.sc["title"].split(" -> ")[0], self.sc["mac"], self.run))
        with open(os.path.join(self.run, "qemu.cmd"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        self.qemu = self.start("qemu", cmd, "qemu.out")

    def watch(self, evidence, forbidden=()):
        """Reads the logs on from where the last call stopped until every
        piece of evidence was seen; a forbidden line fails at once."""
        args = self.args
        logs, offsets, partial, seen_serial = self.logs, self.offsets, self.partial, self.seen_serial
        pending = list(evidence)
        deadline = time.monotonic() + args.timeout
        ansi = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|[\x00-\x08\x0b-\x1f\x7f]")
        serial_interesting = re.compile(
            r"Start PXE|Start HTTP|Downloading NBP|NBP file|iPXE initialising|iPXE 1\.|Configuring|"
            r"http://|tftp://|kea-netboot|Booting from|Error|error|failed|grub>|Welcome to GRUB|URI:|"
            r"Secure Boot|Access Denied|Security Violation|Command line:")
        while pending:
            if time.monotonic() > deadline:
                raise Failure("timed out after %d s; still waiting for: %s"
                              % (args.timeout, "; ".join(w for w, _, _ in pending)))
            if self.qemu.poll() is not None:
                raise Failure("the VM's process exited (status %s) early; see %s/qemu.out"
                              % (self.qemu.returncode, self.run))
            for name, dead in [(n, p) for n, p in self.procs if n != "qemu" and p.poll() is not None]:
                raise Failure("%s died (status %s); see %s" % (name, dead.returncode, self.run))
            for key, log in logs.items():
                path = os.path.join(self.run, log)
                try:
                    if os.path.getsize(path) < offsets[key]:  # QEMU started again: a new console
                        offsets[key], partial[key] = 0, ""
                    with open(path, "rb") as f:
                        f.seek(offsets[key])
                        data = f.read()
                except OSError:
                    continue
                if not data:
                    continue
                offsets[key] += len(data)
                text = partial[key] + data.decode("utf-8", "replace")
                lines = re.split(r"\r?\n|\r", text)
                partial[key] = lines.pop()
                tail = ansi.sub("", partial[key])
                for item in list(pending):  # a prompt ("grub> ") ends without a newline
                    if key == "serial" and item[1] == key and found(item[2], tail):
                        pending.remove(item)
                        say("%s" % item[0], "OK")
                for line in lines:
                    line = ansi.sub("", line).strip()
                    if not line:
                        continue
                    self.show(key, line, serial_interesting, seen_serial)
                    for what, log, regex in forbidden:
                        if log == key and found(regex, line):
                            raise Failure("%s: %s" % (what, line[:200]))
                    for item in list(pending):
                        if item[1] == key and found(item[2], line):
                            pending.remove(item)
                            say("%s" % item[0], "OK")
            time.sleep(0.2)

    def show(self, key, line, serial_interesting, seen_serial):
        if key in ("dhcp4", "dhcp6"):
            event = decisions.parse(line)
            if event:
                say("DHCPv%s answer: %s" % (key[-1], decisions.summary(event)[:220]), "->")
        elif key == "tftp":
            if " transfer " in line or " refused " in line:
                say("TFTP: " + re.sub(r"^.*? (DEBUG|INFO|WARN|ERROR) ", "", line)[:220], "->")
        elif key == "http":
            m = re.match(r'(\S+) \S+ \S+ \[[^]]*\] "([^"]*)" (\d+) (\d+) "[^"]*" "([^"]*)"', line)
            if m:
                say("HTTP: %s %s -> %s, %s bytes (%s)" % (m.group(1), m.group(2), m.group(3), m.group(4),
                                                          m.group(5)[:40]), "->")
        elif key == "serial":
            if self.args.console:
                say(line[:200], "VM|")
            elif serial_interesting.search(line) and line not in seen_serial:
                seen_serial.add(line)
                say(line[:200], "VM|")

    # -- remote maintenance through Kea's control path, as the operator does it
    def kea_command(self, command, arguments=None, family="dhcp4", show=True):
        """One command to a daemon with curl, through kea-ctrl-agent (Kea 2.x)
        or the daemon's own HTTP socket (Kea 3), printed as an operator would
        type it, with the answer."""
        path = self.control[family]
        body = {"command": command, "service": [path["service"]]}
        if arguments is not None:
            body["arguments"] = arguments
        data = json.dumps(body)
        auth, typed = [], ""
        if path.get("user"):
            with open(path["password-file"]) as f:
                auth = ["-u", "%s:%s" % (path["user"], f.read().strip())]
            typed = "-u %s:$(cat %s) " % (path["user"], path["password-file"])
        if show:
            say("curl -s %s-H 'Content-Type: application/json' %s -d '%s'" % (typed, path["url"], data), "$ ")
        r = subprocess.run(["ip", "netns", "exec", self.ns, "curl", "-sS", "--max-time", "10",
                            "-H", "Content-Type: application/json", "-d", data] + auth + [path["url"]],
                           capture_output=True, text=True)
        if r.returncode:
            raise Failure("curl to %s failed (%d): %s" % (path["url"], r.returncode, r.stderr.strip()))
        if show:
            say(r.stdout.strip()[:300], "<-")
        try:
            return json.loads(r.stdout)[0]
        except (ValueError, IndexError, KeyError, TypeError):
            raise Failure("the answer to %s is not Kea's [ {result, ...} ]: %s" % (command, r.stdout))

    def assign(self):
        arguments = dict(self.sc["assign"], **{"hw-address": self.sc["mac"]})
        say("Operator: boot %s with profile %s %s" % (self.sc["mac"], arguments["profile"],
                                                       "once" if arguments.get("once") else "from now on"))
        answer = self.kea_command("netboot-assignment-set", arguments)
        if answer.get("result") != 0:
            raise Failure("netboot-assignment-set was refused: %s" % answer.get("text"))
        say("kea-dhcp4: netboot-assignment-set answered 0 (assignment set)", "OK")

    def decision_profile(self):
        """netboot-status: the hook's last decision at the end of the VM's
        chain (iPXE's; with Secure Boot, the firmware's) must name the
        assigned profile."""
        answer = self.kea_command("netboot-status")
        mac, profile = self.sc["mac"], self.sc["assign"]["profile"]
        recent = [d for d in (answer.get("arguments") or {}).get("recent", [])
                  if mac in str(d.get("client")) and (d.get("ipxe") or self.sc["fw"] == "x64-secboot")]
        if not recent or recent[0].get("profile") != profile:
            raise Failure("netboot-status: the hook's last decision for %s does not name profile %s: %s"
                          % (mac, profile, recent[:1]))
        say("netboot-status: the hook's last decision for %s: profile %s, %s '%s'"
            % (mac, profile, recent[0].get("answer"), recent[0].get("boot-file")), "OK")

    def consumed(self):
        answer = self.kea_command("netboot-assignment-list")
        left = [a for a in (answer.get("arguments") or {}).get("assignments", [])
                if a.get("hw-address") == self.sc["mac"]]
        if answer.get("result") not in (0, 3) or left:
            raise Failure("netboot-assignment-list: the one-time assignment is still there: %s" % answer)
        say("netboot-assignment-list: no assignment left for %s (used up by the rescue boot)" % self.sc["mac"], "OK")

    def boot_again(self):
        say("Powering the VM off (QEMU pid %d) and booting it again, same MAC" % self.qemu.pid)
        self.qemu.terminate()
        self.qemu.wait(10)
        self.procs = [(n, p) for n, p in self.procs if p is not self.qemu]
        # QEMU truncates its serial file: keep the first boot's console apart
        os.rename(os.path.join(self.run, "serial.log"), os.path.join(self.run, "serial-1.log"))
        self.offsets["serial"], self.partial["serial"] = 0, ""
        self.seen_serial.clear()
        self.boot()

    def router_advertisements(self):
        """IPv6 scenarios: radvd-lite must have answered the VM's router
        solicitations (its counters, logged on SIGUSR1)."""
        proc = dict(self.procs).get("radvd-lite")
        log = os.path.join(self.run, "radvd-lite.log")
        before = open(log, errors="replace").read().count("COUNTERS")
        proc.send_signal(signal.SIGUSR1)
        for _ in range(30):
            text = open(log, errors="replace").read()
            if text.count("COUNTERS") > before:
                break
            time.sleep(0.1)
        line = [l for l in text.splitlines() if " COUNTERS " in l]
        if not line:
            raise Failure("radvd-lite logged no counters on SIGUSR1")
        counters = json.loads(line[-1].split(" COUNTERS ", 1)[1])
        rs = counters.get("rs-received", 0)
        answered = counters.get("ra-sent-solicited-unicast", 0) + counters.get("ra-sent-solicited-multicast", 0)
        say("radvd-lite: %d router solicitation(s) received, %d answered, %d unsolicited RA(s)"
            % (rs, answered, counters.get("ra-sent-unsolicited", 0)), "->")
        if rs < 1 or answered < 1:
            raise Failure("radvd-lite answered no router solicitation (counters %s)" % counters)
        say("RA: radvd-lite answered the VM's router solicitations", "OK")

    def statistics(self):
        """The hook's counters, asked through Kea's control path."""
        for family in (["dhcp4"] if self.sc["v4"] else []) + ["dhcp6"]:
            try:
                answer = self.kea_command("statistic-get-all", family=family, show=False)
            except Failure as e:
                say("no answer to statistic-get-all (%s): %s" % (family, e), "!!")
                continue
            stats = answer.get("arguments", {})
            shown = ", ".join("%s=%s" % (k, v[0][0]) for k, v in sorted(stats.items())
                              if k.startswith("netboot.") and v and v[0][0])
            say("statistic-get-all (%s): %s" % (family, shown or "no netboot.* counter"))

    def stop_all(self):
        if self.qemu and self.qemu.poll() is None:
            self.qemu.send_signal(signal.SIGTERM)
        for name, p in reversed(self.procs):
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        time.sleep(0.3)
        for name, p in self.procs:  # radvd-lite: a second signal skips the remaining final RAs
            if name == "radvd-lite" and p.poll() is None:
                try:
                    p.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 5
        for name, p in self.procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def cleanup(self, failed):
        self.stop_all()
        if getattr(self, "bmc_state", None):  # the VM its BMC started
            try:
                with open(os.path.join(self.bmc_state, "qemu.pid")) as f:
                    os.kill(int(f.read()), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        quiet(["ip", "netns", "del", self.ns])
        if failed:
            for log in ("kea/kea-dhcp4.log", "kea/kea-dhcp6.log", "tftp.log", "netboot-access.log", "radvd-lite.log",
                        "qemu.out", "serial-1.log", "serial.log"):
                path = os.path.join(self.run, log)
                if os.path.exists(path):
                    with open(path, "rb") as f:
                        lines = f.read().decode("utf-8", "replace").splitlines()
                    lines = [l for l in lines if "DHCPSRV_MEMFILE" not in l and "DHCPSRV_CFGMGR" not in l]
                    print("--- last lines of %s ---" % log)
                    for l in lines[-15:]:
                        print("  " + re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", l)[:240])
        if self.args.keep or failed:
            say("Removed namespace %s; logs and configs kept in %s" % (self.ns, self.run))
        else:
            shutil.rmtree(self.run, ignore_errors=True)
            say("Removed namespace %s (bridge, tap, veth) and %s" % (self.ns, self.run))


def put_first_in_boot_order(path, description):
    """Rewrites BootOrder in an OVMF VARS image (authenticated variable store)
    in place so that the boot option whose description starts with
    `description` comes first. Only the order of BootOrder's entries changes:
    same size, so no variable header moves. Returns the option number."""
    import struct
    data = bytearray(open(path, "rb").read())
    fv_header_len = struct.unpack_from("<H", data, 0x30)[0]
    store = fv_header_len
    store_size = struct.unpack_from("<I", data, store + 16)[0]
    off, end = store + 28, store + store_size
    options, order_at = {}, None
    while off + 60 <= end:
        start_id, state = struct.unpack_from("<HB", data, off)
        if start_id != 0x55AA:
            break
        name_size, data_size = struct.unpack_from("<II", data, off + 36)
        name_at = off + 60
        value_at = name_at + name_size  # x86 edk2: no padding between name and data
        name = data[name_at:name_at + name_size].decode("utf-16-le", "replace").rstrip("\0")
        if state == 0x3F:
            if re.fullmatch(r"Boot[0-9A-F]{4}", name):
                desc = data[value_at + 6:value_at + data_size].decode("utf-16-le", "replace").split("\0")[0]
                options[int(name[4:], 16)] = desc
            elif name == "BootOrder":
                order_at = (value_at, data_size)
        off = value_at + data_size
        off += -off & 3
    wanted = [n for n, d in options.items() if d.startswith(description)]
    if not wanted or not order_at:
        raise Failure("OVMF VARS: no '%s' boot option or no BootOrder (found %s)" % (description, options))
    at, size = order_at
    order = list(struct.unpack_from("<%dH" % (size // 2), data, at))
    if wanted[0] not in order:
        raise Failure("OVMF VARS: Boot%04X is not in BootOrder %s" % (wanted[0], order))
    order.remove(wanted[0])
    struct.pack_into("<%dH" % len(order + [0]), data, at, *([wanted[0]] + order))
    with open(path, "wb") as f:
        f.write(data)
    return wanted[0]


def main(argv):
    args = parse_args(argv)
    if os.geteuid() != 0:
        print("netboot-stack: run as root (it creates network namespaces and a tap)", file=sys.stderr)
        return 1
    sc = SCENARIOS[args.scenario]
    stack = None
    failed = True
    interrupted = False

    def on_signal(signum, frame):
        raise KeyboardInterrupt
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)  # also when started with SIGINT ignored
    try:
        say("Scenario %s: %s" % (args.scenario, sc["title"]))
        ensure_deps(sc["fw"], sc.get("installer", False))
        bins = ensure_build(args.no_build)
        stack = Stack(args, sc)
        stack.network()
        stack.render(bins)
        stack.daemons(bins)
        if sc.get("bmc"):
            stack.start_bmc()
            stack.watch(sc["before_bmc"])
            stack.bmc_rescue()
        else:
            if sc.get("assign"):
                stack.assign()
            stack.boot()
            stack.watch(sc["evidence"], sc.get("forbidden", ()))
        if sc.get("second_boot"):
            stack.decision_profile()
            say("First boot reached the rescue profile in %.1f s" % (time.monotonic() - start_time), "OK")
            stack.boot_again()
            stack.watch(sc["second_boot"]["evidence"], sc["second_boot"]["forbidden"])
            stack.consumed()
        if sc["v6"]:
            stack.router_advertisements()
        say("Booted to %s in %.1f s, seen from both sides (server logs and the VM console)"
            % (sc.get("reached", "the menu"), time.monotonic() - start_time), "OK")
        stack.statistics()
        time.sleep(max(0.0, args.show_menu))
        say("Powering the VM off (QEMU pid %d)" % stack.qemu.pid)
        failed = False
    except KeyboardInterrupt:
        interrupted = True
        say("Interrupted: stopping everything", "!!")
    except Failure as e:
        say(str(e), "FAIL")
    except subprocess.CalledProcessError as e:
        say("command failed: %s" % " ".join(map(str, e.cmd)), "FAIL")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if stack:
            stack.cleanup(failed and not interrupted)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
