"""preseed/default.cfg: what the Debian installer's automated install
answers, from the site's `install` settings. A machine's own file,
preseed/<mac>.cfg in the boot root, is served instead where it exists
(nginx's try_files), so a per-machine install is one file away."""

import urllib.parse

from .common import port_suffix
from .model import PRESEED_TOKEN

PRESEED_DIR = "preseed"
REPORT_PATH = "/netboot-report/installed/"


def server_url(site):
    """http://ADDRESS[:PORT] of this server as every installer reaches it:
    the first IPv4 address (relays route to it too), else the first IPv6."""
    v4 = site.first("srv4")
    host = str(v4) if v4 else "[%s]" % site.first("srv6")
    return "http://%s%s" % (host, port_suffix(site))


def preseed_url(site, mac_variable):
    """The URL an entry's {preseed} stands for; mac_variable is how the
    loader spells the machine's MAC (iPXE ${mac}, GRUB $net_default_mac),
    both 52:54:00:12:34:56."""
    return "%s/%s/%s.cfg" % (server_url(site), PRESEED_DIR, mac_variable)


def uses_preseed(site):
    return any(PRESEED_TOKEN in e.cmdline for e in site.entries)


def preseed(site):
    i = site.install
    mirror = urllib.parse.urlsplit(i.mirror)
    lines = [
        "# Debian installer answers for kea-netboot's automated install, rendered by",
        "# netboot-render from the site's install settings. A machine's own",
        "# preseed/<mac>.cfg (52:54:00:12:34:56.cfg) in the boot root replaces this file.",
        "d-i debian-installer/locale string %s" % i.locale,
        "d-i keyboard-configuration/xkb-keymap select %s" % i.keymap,
        "d-i netcfg/choose_interface select auto",
        "d-i netcfg/get_hostname string unassigned-hostname",
        "d-i netcfg/get_domain string unassigned-domain",
        "d-i hw-detect/load_firmware boolean true",
        "d-i mirror/country string manual",
        "d-i mirror/protocol string %s" % mirror.scheme,
        "d-i mirror/%s/hostname string %s" % (mirror.scheme, mirror.netloc),
        "d-i mirror/%s/directory string %s" % (mirror.scheme, mirror.path or "/debian"),
        "d-i mirror/%s/proxy string" % mirror.scheme,
        "d-i clock-setup/utc boolean true",
        "d-i time/zone string %s" % i.timezone,
        "d-i clock-setup/ntp boolean false",
        "d-i passwd/make-user boolean false",
    ]
    if i.root_password_hash:
        lines += ["d-i passwd/root-login boolean true",
                  "d-i passwd/root-password-crypted password %s" % i.root_password_hash]
    elif i.ssh_key:
        # No password at all: root logs in with the key only.
        lines += ["d-i passwd/root-login boolean true", "d-i passwd/root-password-crypted password !"]
    # Neither: the installer asks for root's password (the install waits).
    lines += [
        "d-i partman-auto/method string regular",
        "d-i partman-auto/choose_recipe select %s" % i.partitioning,
        "d-i partman-lvm/device_remove_lvm boolean true",
        "d-i partman-md/device_remove_md boolean true",
        "d-i partman-partitioning/confirm_write_new_label boolean true",
        "d-i partman/choose_partition select finish",
        "d-i partman/confirm boolean true",
        "d-i partman/confirm_nooverwrite boolean true",
        "tasksel tasksel/first multiselect standard",
        "d-i pkgsel/include string %s" % " ".join(i.packages),
        "d-i pkgsel/upgrade select none",
        "popularity-contest popularity-contest/participate boolean false",
        "d-i grub-installer/only_debian boolean true",
        "d-i grub-installer/bootdev string default",
        "d-i finish-install/reboot_in_progress note",
    ]
    late = []
    if i.ssh_key:
        late.append("mkdir -p /target/root/.ssh; echo '%s' > /target/root/.ssh/authorized_keys; "
                    "chmod 700 /target/root/.ssh; chmod 600 /target/root/.ssh/authorized_keys" % i.ssh_key)
    # Tells the boot server the install finished: one GET it logs
    # (nginx answers 204), named by the MAC of the installer's interface.
    late.append("wget -q -O /dev/null %s%s$(cat /sys/class/net/$(ip route | sed -n 's/^default.* dev "
                "\\([^ ]*\\).*/\\1/p' | head -n 1)/address) || true" % (server_url(site), REPORT_PATH))
    lines.append("d-i preseed/late_command string " + "; ".join(late))
    return "\n".join(lines) + "\n"
