"""The menus in the boot root: iPXE's boot.ipxe, one script per profile,
GRUB's grub.cfg for 32-bit UEFI. Templates come with the bundle."""

import os

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


def ipxe_menu(site):
    t = template("ipxe/boot.ipxe.in")
    return (t.replace("@MARKER@", site.menu_marker)
             .replace("@TIMEOUT_MS@", str(site.menu_timeout * 1000))
             .replace("@DEFAULT_UEFI@", "local").replace("@DEFAULT_LEGACY@", "local"))


def profile_script(site, name):
    specific = "ipxe/profile-%s.ipxe.in" % name
    t = template(specific if any(os.path.exists(os.path.join(d, specific)) for d in TEMPLATE_DIRS)
                 else "ipxe/profile.ipxe.in")
    return (t.replace("@MARKER@", "kea-netboot: profile %s reached" % name)
             .replace("@PROFILE@", name)
             .replace("@TIMEOUT_MS@", str(site.menu_timeout * 1000)))


def grub_menu(site):
    t = template("grub/grub.cfg.in")
    return (t.replace("@MARKER@", site.menu_marker).replace("@TIMEOUT_S@", str(site.menu_timeout))
             .replace("@DEFAULT_GRUB@", "local"))


def root_files(site):
    """{path relative to the boot root: text}."""
    if not site.root_files:
        return {}
    files = {"boot.ipxe": ipxe_menu(site)}
    for name in site.profiles:
        files["profile-%s.ipxe" % name] = profile_script(site, name)
    if "efi-ia32" in site.families and site.loaders["efi-ia32"].startswith("grub"):
        files["grub/grub.cfg"] = grub_menu(site)
    return files
