"""The menus in the boot root: iPXE's boot.ipxe, one script per profile,
GRUB's grub.cfg for 32-bit UEFI and Secure Boot. Templates come with the
bundle."""

import os

from .model import PRESEED_TOKEN
from .preseed import PRESEED_DIR, preseed, preseed_url, uses_preseed

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE_DIRS = [HERE, "/usr/share/kea-netboot"]


class MissingTemplate(Exception):
    pass


def template(name):
    for d in TEMPLATE_DIRS:
        path = os.path.join(d, name)
        if os.path.exists(path):
            with open(path) as f:
                return f.read()
    raise MissingTemplate("template %s not found under %s; reinstall kea-netboot" % (name, " or ".join(TEMPLATE_DIRS)))


def placeholder(text, name, lines):
    """Replace the line holding @NAME@ with lines (none: the line goes)."""
    return text.replace("@%s@\n" % name, "".join(line + "\n" for line in lines))


def kernel_args(site, entry, mac_variable):
    cmdline = entry.cmdline.replace(PRESEED_TOKEN, preseed_url(site, mac_variable))
    args = [cmdline] if cmdline else []
    if site.console:
        args.append("console=" + site.console)
    return args


def ipxe_items(entries):
    return ["item %-24s %s" % ("entry-" + e.name, e.label) for e in entries]


def ipxe_entry(site, e):
    """iPXE boots one entry; relative names resolve against the script's
    URL, so over HTTP from the boot root, on IPv4 and IPv6 alike. A UEFI
    kernel finds its initrd by the name given as initrd=."""
    args = kernel_args(site, e, "${mac}")
    if e.initrd:
        args.insert(0, "initrd=" + os.path.basename(e.initrd))
    lines = [":entry-" + e.name,
             "echo kea-netboot: booting %s (%s)" % (e.name, e.label),
             " ".join(["kernel", e.kernel] + args) + " || goto failed"]
    if e.initrd:
        lines.append("initrd %s || goto failed" % e.initrd)
    return lines + ["boot || goto failed", ""]


def ipxe_menu(site):
    t = template("ipxe/boot.ipxe.in")
    t = placeholder(t, "ITEMS_UEFI", ipxe_items([e for e in site.entries if "efi" in e.platforms]))
    t = placeholder(t, "ITEMS_LEGACY", ipxe_items([e for e in site.entries if "bios" in e.platforms]))
    t = placeholder(t, "ENTRIES", [line for e in site.entries for line in ipxe_entry(site, e)])
    return (t.replace("@MARKER@", site.menu_marker)
             .replace("@TIMEOUT_MS@", str(site.menu_timeout * 1000))
             .replace("@DEFAULT_UEFI@", "local").replace("@DEFAULT_LEGACY@", "local"))


def profile_script(site, name):
    specific = "ipxe/profile-%s.ipxe.in" % name
    t = template(specific if any(os.path.exists(os.path.join(d, specific)) for d in TEMPLATE_DIRS)
                 else "ipxe/profile.ipxe.in")
    entry = next((e for e in site.entries if e.name == name), None)
    if entry:
        # A profile named like a boot entry boots it (the rescue profile: the
        # installer's rescue mode); its menu stays one failure away.
        t = t.replace("\n:menu\n", "\ngoto entry-%s\n\n:menu\n" % name, 1)
        t = t.replace("\nchoose ", "\n%s\nchoose " % ipxe_items([entry])[0], 1)
        t = t.rstrip("\n") + "\n\n" + "\n".join(ipxe_entry(site, entry))
    return (t.replace("@MARKER@", "kea-netboot: profile %s reached" % name)
             .replace("@PROFILE@", name)
             .replace("@TIMEOUT_MS@", str(site.menu_timeout * 1000)))


def grub_entry(site, e):
    """The entries' kernels are x86-64 ones: only the 64-bit GRUB shows
    them, not the 32-bit UEFI machines' one, which shares this menu. An
    EFI binary is chainloaded, which Secure Boot's lockdown refuses unless
    it is signed: such entries are hidden there."""
    args = " ".join(kernel_args(site, e, "${net_default_mac}"))
    condition = '"$grub_cpu" = x86_64'
    if e.kernel.endswith(".efi"):
        body = ["    chainloader /%s" % e.kernel]
        condition += ' -a "$lockdown" != y'
    else:
        body = ["    linux /%s%s" % (e.kernel, " " + args if args else "")]
        if e.initrd:
            body.append("    initrd /%s" % e.initrd)
    return ["if [ %s ]; then" % condition, '  menuentry "%s" --id %s {' % (e.label, e.name)] + body + ["  }", "fi"]


# The cards GRUB may have booted from, efinet0 and up: machines with more
# network ports than this cannot be sent a profile through GRUB.
GRUB_CARDS = 16


def grub_menu(site):
    t = template("grub/grub.cfg.in")
    t = t.replace("@BOOT_FILES@", "|".join("$net_efinet%d_boot_file" % i for i in range(GRUB_CARDS)))
    t = placeholder(t, "GRUB_ENTRIES", [line for e in site.entries if "efi" in e.platforms
                                        for line in grub_entry(site, e)])
    return (t.replace("@MARKER@", site.menu_marker).replace("@TIMEOUT_S@", str(site.menu_timeout))
             .replace("@DEFAULT_GRUB@", "local"))


def grub_profile(site, name):
    """GRUB's side of profile-<name>.ipxe: the operator's own <name>/grub.cfg
    if there is one, then the boot entry of the same name at once, or the
    normal menu."""
    lines = ["# kea-netboot boot profile '%s' for GRUB: rendered by netboot-render into" % name,
             "# <boot root>/grub/profile-%s.cfg and sourced by grub.cfg for a Secure Boot" % name,
             "# machine sent this profile. <boot root>/%s/grub.cfg, if you put one there," % name,
             "# is sourced first (GRUB says \"file not found\" when there is none).",
             'echo "kea-netboot: profile %s reached (grub $grub_cpu-$grub_platform, $net_default_mac)"' % name,
             'source "($root)/%s/grub.cfg"' % name]
    if any(e.name == name for e in site.entries if "efi" in e.platforms):
        lines += ["set default=%s" % name, "set timeout=0"]
    return "\n".join(lines) + "\n"


def root_files(site):
    """{path relative to the boot root: text}."""
    if not site.root_files:
        return {}
    files = {"boot.ipxe": ipxe_menu(site)}
    for name in site.profiles:
        files["profile-%s.ipxe" % name] = profile_script(site, name)
    if "efi-ia32" in site.families and site.loaders["efi-ia32"].startswith("grub") or site.secure_boot_anywhere:
        files["grub/grub.cfg"] = grub_menu(site)
        for name in site.profiles:
            files["grub/profile-%s.cfg" % name] = grub_profile(site, name)
    if uses_preseed(site):
        files[PRESEED_DIR + "/default.cfg"] = preseed(site)
    return files
