"""The scenarios: what boots, how its firmware is set up, and the evidence
that must (and must not) be seen in the server logs and on the console."""

import re
import subprocess

from netboot_stack.common import (INSTALLER_MIRROR_STEP, INSTALLER_RESCUE_DIALOG, MARKER, RESCUE_MARKER,
                                  SECURE_BOOT_ON, SERVER4, SERVER6, URL4, URL6)
from netboot_stack.evidence import Decision


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


def uefi_http_evidence(family):
    """OVMF's HTTP boot to the iPXE menu over one family."""
    dhcp, url = ("dhcp4", URL4) if family == 4 else ("dhcp6", URL6)
    http, client = ("HTTP", "") if family == 4 else ("HTTP over IPv6", V6CLIENT + ".*")
    return [
        ("DHCPv%d: OVMF HTTP boot told %s/ipxe.efi" % (family, url), dhcp,
         Decision(arch="efi-x64-http", transport="http", ipxe=False, boot_file=url + "/ipxe.efi")),
        ("%s: GET /ipxe.efi" % http, "http", client + r'"GET /ipxe\.efi HTTP/[0-9.]+" 200 '),
        ("DHCPv%d: iPXE told the script URL" % family, dhcp, Decision(ipxe=True, boot_file=url + "/boot.ipxe")),
        ("%s: GET /boot.ipxe" % http, "http", client + r'"GET /boot\.ipxe HTTP/[0-9.]+" 200 '),
        ("VM console: iPXE menu (UEFI branch)", "serial", re.escape(MARKER) + r" \(uefi"),
    ]


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
        evidence=uefi_http_evidence(4)),
    "uefi-http6": dict(
        title="UEFI x64 (OVMF) HTTP boot over IPv6 -> http://[2001:db8::1]/ipxe.efi -> iPXE -> boot.ipxe",
        mac="52:54:00:e2:e0:05", fw="x64", v4=False, v6=True, pxe4=False, pxe6=False, http6_first=True,
        evidence=uefi_http_evidence(6)),
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
