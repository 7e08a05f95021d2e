"""The site model: one description of a boot site, parsed and checked once.

A site comes from a site file (JSON with comments, see kea-config/README.md)
or from netboot-render's one-network flags, which build the same raw
description; `build` checks it field by field, fills in every default and
returns a `Site`. Renderers see only the Site. No I/O here: the caller reads
the file and asks the machine what it must (Kea's version, Kea's hooks
directory, whether the boot files exist)."""

import ipaddress
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from . import architectures, jsonc

SUPPORTED_KEA = ("2.2", "2.6", "3.0")
KNOWN_FAMILIES = architectures.FAMILIES
# The file each family gets in the boot root unless the site names another
# (installed from Debian's ipxe and grub-efi-ia32-bin packages).
DEFAULT_LOADERS = {"bios": "undionly.kpxe", "efi-x64": "ipxe.efi", "efi-ia32": "grubnetia32.efi"}
# Where Secure Boot is on, x64 UEFI gets Microsoft-signed shim instead of
# the unsigned iPXE; shim then asks for grubx64.efi beside itself (over TFTP
# and HTTP): Debian's signed GRUB network image, which reads the same
# grub/grub.cfg as 32-bit UEFI machines wherever it was loaded from.
SECURE_BOOT_LOADERS = {"efi-x64": "shimx64.efi"}
SECURE_BOOT_SECOND_STAGE = "grubx64.efi"
DEFAULT_MARKER = "kea-netboot: menu reached"
# netboot-ctl's rescue and reinstall boot these (entries of the same names).
DEFAULT_PROFILES = ["rescue", "install"]
DEFAULT_HOOK = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_netboot.so"
PROFILE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")
SERVER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
INTERFACE_NAME = re.compile(r"[A-Za-z0-9_.:@-]{1,15}")
MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")


class Refused(Exception):
    """A site that cannot be rendered; the message says what to fix."""


@dataclass
class Network:
    name: str
    interfaces: List[str]
    relay: List[str]
    net4: Optional[ipaddress.IPv4Network]
    srv4: Optional[ipaddress.IPv4Address]
    pool4: Optional[Tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]]
    net6: Optional[ipaddress.IPv6Network]
    srv6: Optional[ipaddress.IPv6Address]
    pool6: Optional[Tuple[ipaddress.IPv6Address, ipaddress.IPv6Address]]
    secure_boot: Optional[bool] = None  # None: as the site says
    dns: List[str] = field(default_factory=list)  # name servers handed out (both families)


@dataclass
class BootEntry:
    name: str
    label: str
    kernel: str
    initrd: Optional[str]
    cmdline: str
    platforms: List[str]


@dataclass
class Install:
    """What the installer's automated install is told (preseed/default.cfg)."""
    mirror: str
    locale: str
    keymap: str
    timezone: str
    root_password_hash: Optional[str]
    ssh_key: Optional[str]
    partitioning: str
    packages: List[str]


@dataclass
class Bmc:
    address: str
    port: int
    user: str
    password_file: str


@dataclass
class Host:
    name: str
    macs: List[str]
    network: str
    address4: Optional[ipaddress.IPv4Address]
    profile: Optional[str]
    bmc: Optional[Bmc]
    secure_boot: Optional[bool] = None  # None: as its network says


@dataclass
class AssignmentDatabase:
    """The PostgreSQL every Kea daemon of the site keeps its run-time
    assignments in (the hook's "assignment-database")."""
    name: str
    host: Optional[str]
    port: Optional[int]
    user: Optional[str]
    password_file: Optional[str]


@dataclass
class Peer:
    name: str
    host: object
    port: int
    url: str


@dataclass
class Site:
    networks: List[Network]
    hosts: List[Host]
    root: str
    families: List[str]
    http_boot: List[str]
    loaders: dict
    install_loaders: bool
    menu_timeout: int
    menu_marker: str
    root_files: bool
    entries: List[BootEntry]
    entries_given: bool
    console: Optional[str]
    secure_boot: bool
    install: "Install"
    profiles: List[str]
    ha_this: Optional[Peer]
    ha_peer: Optional[Peer]
    kea_hooks_dir: Optional[str]
    kea_version: str
    hook: str
    run_dir: Optional[str]
    http_port: int
    control_port: Optional[int]
    raw: dict = field(default_factory=dict, repr=False)
    assignment_database: Optional[AssignmentDatabase] = None

    @property
    def interfaces(self):
        """Every interface Kea and radvd-lite listen on, in site order."""
        seen = []
        for n in self.networks:
            seen += [i for i in n.interfaces if i not in seen]
        return seen

    @property
    def ipv4(self):
        return any(n.net4 for n in self.networks)

    @property
    def ipv6(self):
        return any(n.net6 for n in self.networks)

    def first(self, attr):
        """The first network's server address of that family (the control
        path and nginx's first listen address)."""
        return next((getattr(n, attr) for n in self.networks if getattr(n, attr)), None)

    def network(self, name):
        return next(n for n in self.networks if n.name == name)

    def secure_boot_of(self, host):
        """Whether a host's x64 UEFI firmware gets shim: the host's own
        setting, else its network's, else the site's."""
        for said in (host.secure_boot, self.network(host.network).secure_boot, self.secure_boot):
            if said is not None:
                return said

    @property
    def secure_boot_anywhere(self):
        return self.secure_boot or any(x.secure_boot for x in self.networks + self.hosts)

    def boot_loaders(self):
        """{file in the boot root: family} of every loader some client may
        be handed (the Secure Boot ones only where Secure Boot is on)."""
        files = {name: fam for fam, name in self.loaders.items()}
        if self.secure_boot_anywhere:
            files.update({name: fam for fam, name in SECURE_BOOT_LOADERS.items()})
            files[SECURE_BOOT_SECOND_STAGE] = "efi-x64"
        return files

    def profile_loaders(self):
        """{profile-<name>/<file>: <file>}: each profile's copy of the Secure
        Boot chain (see kea.secure_boot_files), made from the root's own:
        shim loads GRUB from its own directory."""
        if not self.secure_boot_anywhere:
            return {}
        chain = list(SECURE_BOOT_LOADERS.values()) + [SECURE_BOOT_SECOND_STAGE]
        return {"profile-%s/%s" % (p, name): name for p in self.profiles for name in chain}


# --- the schema: every field, its default, and how to check it -------------

# Field names of each object; anything else is refused, naming the field.
TOP_FIELDS = ("kea-version", "hook", "kea-hooks-dir", "run-dir", "http-port", "control-port",
              "boot", "install", "profiles", "networks", "hosts", "ha", "assignment-database")
DATABASE_FIELDS = ("name", "host", "port", "user", "password-file")
INSTALL_FIELDS = ("mirror", "locale", "keymap", "timezone", "root-password-hash", "ssh-key", "partitioning",
                  "packages")
PARTITIONING = ("atomic", "home", "multi")  # the installer's own recipes
BOOT_FIELDS = ("root", "families", "http-boot", "loaders", "install-loaders", "menu-timeout",
               "menu-marker", "root-files", "entries", "console", "secure-boot")
ENTRY_FIELDS = ("name", "label", "kernel", "initrd", "cmdline", "platforms")
PLATFORMS = ("bios", "efi")
ENTRY_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,30}")
# The boot entries of a site that names none: Debian's installer (package
# debian-installer-<N>-netboot-amd64) and memtest86+, each shown where its
# files are in the boot root (install-loaders copies them there).
DI = "debian-installer/amd64/"
DEFAULT_ENTRIES = [
    {"name": "install", "label": "Debian installer: automated install (preseed)", "kernel": DI + "linux",
     "initrd": DI + "initrd.gz", "cmdline": "auto=true priority=critical url={preseed}"},
    {"name": "interactive", "label": "Debian installer: install", "kernel": DI + "linux",
     "initrd": DI + "initrd.gz", "cmdline": ""},
    {"name": "expert", "label": "Debian installer: expert install", "kernel": DI + "linux",
     "initrd": DI + "initrd.gz", "cmdline": "priority=low"},
    {"name": "rescue", "label": "Debian installer: rescue mode", "kernel": DI + "linux",
     "initrd": DI + "initrd.gz", "cmdline": "rescue/enable=true"},
    {"name": "memtest", "label": "Memory test (memtest86+)", "kernel": "memtest86+x64.bin", "platforms": ["bios"]},
    {"name": "memtest-efi", "label": "Memory test (memtest86+)", "kernel": "memtest86+x64.efi",
     "platforms": ["efi"]},
]
NETWORK_FIELDS = ("name", "interfaces", "relay", "subnet4", "server4", "pool4", "prefix6", "server6", "pool6",
                  "secure-boot", "dns")
HOST_FIELDS = ("name", "macs", "network", "address4", "profile", "bmc", "secure-boot")
BMC_FIELDS = ("address", "port", "user", "password-file")
HA_FIELDS = ("this", "peer")


class Where:
    """Names a field for a refusal: a site file says file:line: path, the
    flags name the flag that set it (so both read naturally)."""

    def __init__(self, source=None, lines=None, flags=None):
        self.source = source
        self.lines = lines or {}
        self.flags = flags or {}

    def __call__(self, path):
        if self.flags:
            return self.flags.get(re.sub(r"\[\d+\]", "", path), path)
        if self.source:
            line = self.lines.get(path)
            return "%s:%s: %s" % (self.source, line, path) if line else "%s: %s" % (self.source, path)
        return path


def _lines(node, path, out):
    out[path] = node.line
    if isinstance(node.value, dict):
        for k, v in node.value.items():
            _lines(v, "%s.%s" % (path, k) if path else k, out)
    elif isinstance(node.value, list):
        for i, v in enumerate(node.value):
            _lines(v, "%s[%d]" % (path, i), out)


def parse_file(text, source):
    """(raw dict, Where) of a site file's text; Refused with file:line."""
    try:
        root = jsonc.parse(text)
    except jsonc.JsonError as e:
        raise Refused("%s:%d: %s" % (source, e.line, e.message))
    if not isinstance(root.value, dict):
        raise Refused("%s:%d: a site file is one JSON object { ... }" % (source, root.line))
    lines = {}
    _lines(root, "", lines)
    return root.plain(), Where(source, lines)


class _Checker:
    def __init__(self, where):
        self.where = where

    def refuse(self, path, message):
        raise Refused("%s: %s" % (self.where(path), message))

    def fields(self, obj, path, allowed):
        if not isinstance(obj, dict):
            self.refuse(path or "site", "must be an object { ... }")
        for key in obj:
            if key not in allowed:
                sub = "%s.%s" % (path, key) if path else key
                self.refuse(sub, "unknown field (known here: %s)" % ", ".join(allowed))
        return obj

    def typed(self, obj, key, path, kind, default, what):
        value = obj.get(key, default)
        if value is None or isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
        self.refuse(path, "must be %s" % what)

    def string_list(self, obj, key, path, default):
        value = obj.get(key, default)
        if isinstance(value, str):  # "a,b" as the flags write it
            value = [x.strip() for x in value.split(",") if x.strip()]
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            self.refuse(path, "must be a list of strings")
        return value


def _range(c, text, net, path):
    try:
        first, last = [ipaddress.ip_address(x.strip()) for x in text.split("-")]
    except ValueError:
        c.refuse(path, "'%s' is not FIRST-LAST (two addresses joined by '-')" % text)
    for addr in (first, last):
        if addr not in net:
            c.refuse(path, "%s is outside the subnet %s; pick a range inside it" % (addr, net))
    if int(first) > int(last):
        c.refuse(path, "%s comes after %s; write the lower address first" % (first, last))
    return first, last


def _is_ip(text):
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _network4(c, n, p, relayed):
    subnet = c.typed(n, "subnet4", p + ".subnet4", str, None, "an IPv4 subnet such as 192.0.2.0/24")
    if subnet is None:
        for key in ("server4", "pool4"):
            if n.get(key) is not None:
                c.refuse("%s.%s" % (p, key), "given without subnet4")
        return None, None, None
    try:
        net4 = ipaddress.IPv4Network(subnet, strict=True)
    except ValueError as e:
        c.refuse(p + ".subnet4", "'%s' is not an IPv4 subnet (%s); write it like 192.0.2.0/24" % (subnet, e))
    if net4.prefixlen > 30:
        c.refuse(p + ".subnet4", "%s is too small for a boot link; use /30 or larger" % net4)
    server = c.typed(n, "server4", p + ".server4", str, None, "an IPv4 address")
    if server is None and relayed:
        c.refuse(p + ".server4", "a relayed network needs this server's address its relays forward to")
    try:
        srv4 = ipaddress.IPv4Address(server) if server else next(net4.hosts())
    except ValueError:
        c.refuse(p + ".server4", "'%s' is not an IPv4 address" % server)
    if not relayed:
        if srv4 not in net4:
            c.refuse(p + ".server4", "%s is outside the subnet %s; give this server's address on that "
                                     "subnet (or the subnet it is really on)" % (srv4, net4))
        if srv4 in (net4.network_address, net4.broadcast_address):
            c.refuse(p + ".server4", "%s is the %s address of %s; use a host address" % (
                srv4, "network" if srv4 == net4.network_address else "broadcast", net4))
    pool = c.typed(n, "pool4", p + ".pool4", str, None, "FIRST-LAST")
    if pool:
        p4 = _range(c, pool, net4, p + ".pool4")
    else:
        base = int(net4.network_address)
        if net4.num_addresses >= 256:
            p4 = (ipaddress.IPv4Address(base + 100), ipaddress.IPv4Address(base + 199))
        else:
            hosts = list(net4.hosts())
            p4 = (hosts[len(hosts) // 2], hosts[-1])
    if int(p4[0]) <= int(srv4) <= int(p4[1]):
        c.refuse(p + ".pool4", "%s-%s contains the server address %s; choose a pool without it"
                 % (p4[0], p4[1], srv4))
    return net4, srv4, p4


def _network6(c, n, p, relayed):
    prefix = c.typed(n, "prefix6", p + ".prefix6", str, None, "an IPv6 prefix such as 2001:db8::/64")
    if prefix is None:
        for key in ("server6", "pool6"):
            if n.get(key) is not None:
                c.refuse("%s.%s" % (p, key), "given without prefix6")
        return None, None, None
    try:
        net6 = ipaddress.IPv6Network(prefix, strict=True)
    except ValueError as e:
        c.refuse(p + ".prefix6", "'%s' is not an IPv6 prefix (%s); write it like 2001:db8::/64" % (prefix, e))
    if net6.prefixlen != 64:
        c.refuse(p + ".prefix6", "%s is a /%d; SLAAC (radvd-lite's autonomous prefix) needs a /64, e.g. %s"
                 % (net6, net6.prefixlen, ipaddress.IPv6Network((net6.network_address, 64), strict=False)))
    server = c.typed(n, "server6", p + ".server6", str, None, "an IPv6 address")
    if server is None and relayed:
        c.refuse(p + ".server6", "a relayed network needs this server's address its relays forward to")
    try:
        srv6 = ipaddress.IPv6Address(server) if server else net6.network_address + 1
    except ValueError:
        c.refuse(p + ".server6", "'%s' is not an IPv6 address" % server)
    if not relayed:
        if srv6 not in net6:
            c.refuse(p + ".server6", "%s is outside the prefix %s; give this server's address in that prefix"
                     % (srv6, net6))
        if srv6 == net6.network_address:
            c.refuse(p + ".server6", "%s is the subnet-router anycast address of %s; use a host address"
                     % (srv6, net6))
    pool = c.typed(n, "pool6", p + ".pool6", str, None, "FIRST-LAST")
    p6 = _range(c, pool, net6, p + ".pool6") if pool else (net6.network_address + 0x100,
                                                              net6.network_address + 0x1ff)
    if int(p6[0]) <= int(srv6) <= int(p6[1]):
        c.refuse(p + ".pool6", "%s-%s contains the server address %s; choose a pool without it"
                 % (p6[0], p6[1], srv6))
    return net6, srv6, p6


def _networks(c, raw):
    items = raw.get("networks")
    if items is None:
        c.refuse("networks", "a site needs at least one boot network")
    if not isinstance(items, list) or not items:
        c.refuse("networks", "must be a list of at least one network")
    networks, names = [], set()
    for i, n in enumerate(items):
        p = "networks[%d]" % i
        c.fields(n, p, NETWORK_FIELDS)
        name = c.typed(n, "name", p + ".name", str, "boot" if len(items) == 1 else None, "a name")
        if not name:
            c.refuse(p + ".name", "each of several networks needs a name (hosts refer to it)")
        if not HOST_NAME.fullmatch(name):
            c.refuse(p + ".name", "'%s' is not a name (letters, digits, '-')" % name)
        if name in names:
            c.refuse(p + ".name", "'%s' names two networks" % name)
        names.add(name)
        interfaces = c.string_list(n, "interfaces", p + ".interfaces", [])
        relay = c.string_list(n, "relay", p + ".relay", [])
        for j, iface in enumerate(interfaces):
            if not INTERFACE_NAME.fullmatch(iface):
                c.refuse("%s.interfaces[%d]" % (p, j), "'%s' is not an interface name (1-15 letters, digits, "
                                                      "'-', '_', '.')" % iface)
        if bool(interfaces) == bool(relay):
            c.refuse(p, "give either interfaces (clients on this server's links) or relay (the relays' "
                        "addresses that forward this network's clients), not %s"
                        % ("both" if interfaces else "neither"))
        for j, addr in enumerate(relay):
            try:
                ipaddress.ip_address(addr)
            except ValueError:
                c.refuse("%s.relay[%d]" % (p, j), "'%s' is not an IP address" % addr)
        for fam, key in ((4, "subnet4"), (6, "prefix6")):
            if relay and n.get(key) is not None and \
                    not any(ipaddress.ip_address(r).version == fam for r in relay if _is_ip(r)):
                c.refuse(p + ".relay", "a relayed network with %s needs the IPv%d address of its relay" % (key, fam))
        if "subnet4" not in n and "prefix6" not in n:  # the single small site: both families
            n = dict(n, subnet4="192.0.2.0/24", prefix6="2001:db8::/64")
        if n.get("subnet4") is None and n.get("prefix6") is None:
            c.refuse(p, "a network without subnet4 and prefix6 leaves nothing to serve; drop one of the nulls")
        net4, srv4, pool4 = _network4(c, n, p, bool(relay))
        net6, srv6, pool6 = _network6(c, n, p, bool(relay))
        secure = c.typed(n, "secure-boot", p + ".secure-boot", bool, None, "true or false")
        dns = c.string_list(n, "dns", p + ".dns", [])
        for j, addr in enumerate(dns):
            if not _is_ip(addr):
                c.refuse("%s.dns[%d]" % (p, j), "'%s' is not an IP address of a name server" % addr)
        networks.append(Network(name, interfaces, relay, net4, srv4, pool4, net6, srv6, pool6, secure, dns))
    if not any(n.interfaces for n in networks):
        c.refuse("networks", "Kea listens on the interfaces of the networks on this server's links; give at least "
                             "one network interfaces (relayed packets arrive there too)")
    for i, a in enumerate(networks):
        for b in networks[:i]:
            for attr, what in (("net4", "subnet4"), ("net6", "prefix6")):
                x, y = getattr(a, attr), getattr(b, attr)
                if x and y and x.overlaps(y):
                    c.refuse("networks[%d].%s" % (i, what), "%s overlaps network '%s' (%s)" % (x, b.name, y))
    return networks


def _boot(c, raw):
    b = c.fields(raw.get("boot", {}), "boot", BOOT_FIELDS)
    root = c.typed(b, "root", "boot.root", str, "/srv/netboot", "a path")
    if not root.startswith("/"):
        c.refuse("boot.root", "'%s' must be an absolute path (netboot-tftpd and nginx need one)" % root)
    families = c.string_list(b, "families", "boot.families", ["bios", "efi-x64", "efi-ia32"])
    http = c.string_list(b, "http-boot", "boot.http-boot", ["efi-x64", "efi-ia32"])
    if [x.lower() for x in http] == ["none"]:
        http = []
    for path, items in (("boot.families", families), ("boot.http-boot", http)):
        for fam in items:
            if fam not in KNOWN_FAMILIES:
                c.refuse(path, "unknown firmware family '%s' (known: %s)" % (fam, ", ".join(sorted(KNOWN_FAMILIES))))
    for fam in http:
        if not fam.startswith("efi-"):
            c.refuse("boot.http-boot", "'%s' is not a UEFI family; only UEFI firmware does HTTP boot" % fam)
        if fam not in families:
            c.refuse("boot.http-boot", "'%s' is not in %s; add it there too" % (fam, c.where("boot.families")))
    loaders = {f: DEFAULT_LOADERS[f] for f in families if f in DEFAULT_LOADERS}
    given = b.get("loaders", {})
    if not isinstance(given, dict):
        c.refuse("boot.loaders", "must be an object { family: file }")
    for fam, name in given.items():
        if fam not in families:
            c.refuse("boot.loaders", "family '%s' is not in %s (%s); add it there or drop the loader"
                     % (fam, c.where("boot.families"), ",".join(families)))
        if not isinstance(name, str) or not name or name.startswith("/") or ".." in name.split("/") \
                or len(name) > 127:
            c.refuse("boot.loaders", "'%s' must be a path relative to the root, without '..', at most "
                                     "127 characters" % name)
        loaders[fam] = name
    for fam in families:
        if fam not in loaders:
            c.refuse("boot.families", "no default loader for '%s'; name one in %s" % (fam, c.where("boot.loaders")))
    timeout = c.typed(b, "menu-timeout", "boot.menu-timeout", int, 10, "a number of seconds")
    if not 0 <= timeout <= 3600:
        c.refuse("boot.menu-timeout", "%d is not 0..3600 seconds" % timeout)
    marker = c.typed(b, "menu-marker", "boot.menu-marker", str, DEFAULT_MARKER, "text")
    if '"' in marker or "\n" in marker or "$" in marker:
        c.refuse("boot.menu-marker", "use plain text without quotes, '$' or newlines")
    given = b.get("entries")
    entries = [_entry(c, e, "boot.entries[%d]" % i) for i, e in enumerate(
        DEFAULT_ENTRIES if given is None else (given if isinstance(given, list) else c.refuse(
            "boot.entries", "must be a list of boot entries")))]
    names = [e.name for e in entries]
    for i, name in enumerate(names):
        if name in names[:i]:
            c.refuse("boot.entries[%d].name" % i, "'%s' names two entries" % name)
    console = c.typed(b, "console", "boot.console", str, None, "a Linux console such as ttyS0,115200")
    if console is not None and not re.fullmatch(r"[A-Za-z0-9,._-]{1,40}", console):
        c.refuse("boot.console", "'%s' is not a console such as ttyS0,115200" % console)
    install = c.typed(b, "install-loaders", "boot.install-loaders", bool, False, "true or false")
    root_files = c.typed(b, "root-files", "boot.root-files", bool, True, "true or false")
    secure = c.typed(b, "secure-boot", "boot.secure-boot", bool, False, "true or false")
    return dict(root=root, families=families, http_boot=http, loaders=loaders, install_loaders=install,
                menu_timeout=timeout, menu_marker=marker, root_files=root_files, entries=entries,
                entries_given=given is not None, console=console, secure_boot=secure)


def _entry(c, e, p):
    """One boot entry: a kernel (and initrd) from the boot root with its
    command line, shown by the iPXE and the GRUB menu alike."""
    c.fields(e, p, ENTRY_FIELDS)
    name = c.typed(e, "name", p + ".name", str, None, "a name")
    if not name or not ENTRY_NAME.fullmatch(name):
        c.refuse(p + ".name", "'%s' is not an entry name (a-z, 0-9, '-', at most 31)" % name)
    label = c.typed(e, "label", p + ".label", str, name, "text")
    kernel = c.typed(e, "kernel", p + ".kernel", str, None, "a path in the boot root")
    initrd = c.typed(e, "initrd", p + ".initrd", str, None, "a path in the boot root")
    for key, path in (("kernel", kernel), ("initrd", initrd)):
        if path is None:
            if key == "kernel":
                c.refuse(p + ".kernel", "an entry needs a kernel (a path in the boot root)")
            continue
        if path.startswith("/") or ".." in path.split("/") or not re.fullmatch(r"[A-Za-z0-9._+/-]{1,200}", path):
            c.refuse("%s.%s" % (p, key), "'%s' must be a path relative to the boot root, without '..'" % path)
    cmdline = c.typed(e, "cmdline", p + ".cmdline", str, "", "a kernel command line")
    for bad in ('"', "'", "\n", "\\", "$", "{", "}", ";"):
        if bad in cmdline.replace(PRESEED_TOKEN, "") or bad in label:
            c.refuse(p + (".cmdline" if bad in cmdline else ".label"),
                     "must not contain %r (it is written into iPXE and GRUB scripts)" % bad)
    platforms = c.string_list(e, "platforms", p + ".platforms", list(PLATFORMS))
    for x in platforms:
        if x not in PLATFORMS:
            c.refuse(p + ".platforms", "'%s' is not bios or efi" % x)
    return BootEntry(name, label, kernel, initrd, cmdline, platforms)


# In an entry's command line: the URL of the machine's preseed file (its own
# preseed/<mac>.cfg, else preseed/default.cfg), filled in per loader.
PRESEED_TOKEN = "{preseed}"


def _install(c, raw):
    i = c.fields(raw.get("install", {}), "install", INSTALL_FIELDS)
    mirror = c.typed(i, "mirror", "install.mirror", str, "http://deb.debian.org/debian", "a URL")
    u = urllib.parse.urlsplit(mirror)
    if u.scheme not in ("http", "https") or not u.hostname or u.query or u.fragment:
        c.refuse("install.mirror", "'%s' is not a Debian mirror URL such as http://deb.debian.org/debian" % mirror)
    words = {}
    for key, default, pattern, example in (("locale", "en_US.UTF-8", r"[A-Za-z_]+(\.[A-Za-z0-9-]+)?", "en_US.UTF-8"),
                                           ("keymap", "us", r"[a-z][a-z0-9_-]{0,31}", "us"),
                                           ("timezone", "UTC", r"[A-Za-z0-9_+/-]{1,64}", "Europe/Berlin")):
        words[key] = c.typed(i, key, "install." + key, str, default, "text")
        if not re.fullmatch(pattern, words[key]):
            c.refuse("install." + key, "'%s' is not a %s such as %s" % (words[key], key, example))
    hashed = c.typed(i, "root-password-hash", "install.root-password-hash", str, None, "a crypt(3) hash")
    if hashed is not None and not re.fullmatch(r"\$[0-9a-z]+\$[./A-Za-z0-9$=,]+", hashed):
        c.refuse("install.root-password-hash", "must be a crypt(3) hash (mkpasswd -m sha-512), never the password")
    key = c.typed(i, "ssh-key", "install.ssh-key", str, None, "an SSH public key")
    if key is not None and not re.fullmatch(r"(ssh|ecdsa|sk)-[A-Za-z0-9@.-]+ [A-Za-z0-9+/=]+( [^'\n]*)?", key):
        c.refuse("install.ssh-key", "must be one public key line, such as the content of ~/.ssh/id_ed25519.pub")
    recipe = c.typed(i, "partitioning", "install.partitioning", str, "atomic", "a recipe name")
    if recipe not in PARTITIONING:
        c.refuse("install.partitioning", "'%s' is not one of the installer's recipes (%s)"
                 % (recipe, ", ".join(PARTITIONING)))
    packages = c.string_list(i, "packages", "install.packages", ["openssh-server"])
    for j, pkg in enumerate(packages):
        if not re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", pkg):
            c.refuse("install.packages[%d]" % j, "'%s' is not a Debian package name" % pkg)
    return Install(mirror, words["locale"], words["keymap"], words["timezone"], hashed, key, recipe, packages)


def _profiles(c, raw):
    names = raw.get("profiles", DEFAULT_PROFILES)
    if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
        c.refuse("profiles", "must be a list of profile names")
    seen = []
    for name in names:
        if name == "default":
            c.refuse("profiles", "'default' is the hook's own settings (boot.ipxe) and cannot be a profile; "
                                 "pick another name")
        if not PROFILE_NAME.fullmatch(name):
            c.refuse("profiles", "'%s' is not a profile name (a-z, 0-9, '.', '-', '_', starting with a letter "
                                 "or digit, at most 63 characters)" % name)
        if name in seen:
            c.refuse("profiles", "'%s' is given twice" % name)
        seen.append(name)
    return seen


def _hosts(c, raw, networks, profiles):
    items = raw.get("hosts", [])
    if not isinstance(items, list):
        c.refuse("hosts", "must be a list of hosts")
    hosts, names, macs = [], set(), {}
    for i, h in enumerate(items):
        p = "hosts[%d]" % i
        c.fields(h, p, HOST_FIELDS)
        name = c.typed(h, "name", p + ".name", str, None, "a host name")
        if not name or not HOST_NAME.fullmatch(name):
            c.refuse(p + ".name", "a host needs a name (letters, digits, '-'; at most 63)")
        if name in names:
            c.refuse(p + ".name", "'%s' names two hosts" % name)
        names.add(name)
        mac_list = c.string_list(h, "macs", p + ".macs", None) if "macs" in h else []
        if not mac_list:
            c.refuse(p + ".macs", "a host needs at least one MAC (its boot NICs)")
        for j, mac in enumerate(mac_list):
            mac = mac.lower().replace("-", ":")
            if not MAC.fullmatch(mac):
                c.refuse("%s.macs[%d]" % (p, j), "'%s' is not a MAC such as 52:54:00:12:34:56" % mac_list[j])
            if mac in macs:
                c.refuse("%s.macs[%d]" % (p, j), "%s is host '%s''s MAC too" % (mac, macs[mac]))
            macs[mac] = name
            mac_list[j] = mac
        net_name = c.typed(h, "network", p + ".network", str, networks[0].name if len(networks) == 1 else None,
                           "a network name")
        if net_name is None:
            c.refuse(p + ".network", "a site with several networks must say which one the host boots on")
        net = next((n for n in networks if n.name == net_name), None)
        if net is None:
            c.refuse(p + ".network", "no network is named '%s' (%s)" % (net_name, ", ".join(n.name for n in networks)))
        address = c.typed(h, "address4", p + ".address4", str, None, "an IPv4 address")
        address4 = None
        if address is not None:
            try:
                address4 = ipaddress.IPv4Address(address)
            except ValueError:
                c.refuse(p + ".address4", "'%s' is not an IPv4 address" % address)
            if not net.net4 or address4 not in net.net4:
                c.refuse(p + ".address4", "%s is not in network '%s''s subnet4" % (address4, net.name))
            if net.pool4 and int(net.pool4[0]) <= int(address4) <= int(net.pool4[1]):
                c.refuse(p + ".address4", "%s is inside the pool %s-%s; reserve an address outside it"
                         % (address4, net.pool4[0], net.pool4[1]))
        profile = c.typed(h, "profile", p + ".profile", str, None, "a profile name")
        if profile is not None and profile not in profiles:
            c.refuse(p + ".profile", "no profile '%s' (profiles: %s)" % (profile, ", ".join(profiles) or "none"))
        bmc = None
        if h.get("bmc") is not None:
            b = c.fields(h["bmc"], p + ".bmc", BMC_FIELDS)
            addr = c.typed(b, "address", p + ".bmc.address", str, None, "an IP address")
            try:
                ipaddress.ip_address(addr or "")
            except ValueError:
                c.refuse(p + ".bmc.address", "'%s' is not an IP address" % addr)
            port = c.typed(b, "port", p + ".bmc.port", int, 623, "a port number")
            if not 1 <= port <= 65535:
                c.refuse(p + ".bmc.port", "%d is not a port (1..65535)" % port)
            user = c.typed(b, "user", p + ".bmc.user", str, "ADMIN", "a user name")
            secret = c.typed(b, "password-file", p + ".bmc.password-file", str, None, "a path")
            if not secret or not secret.startswith("/"):
                c.refuse(p + ".bmc.password-file", "the BMC's password is read from a file (absolute path, "
                                                   "mode 0600); a site file never holds the secret itself")
            bmc = Bmc(addr, port, user, secret)
        secure = c.typed(h, "secure-boot", p + ".secure-boot", bool, None, "true or false")
        hosts.append(Host(name, mac_list, net.name, address4, profile, bmc, secure))
    return hosts


def _peer(c, spec, path):
    if isinstance(spec, dict):
        c.fields(spec, path, ("name", "url"))
        name, url = spec.get("name"), spec.get("url")
    else:
        name, _, url = str(spec).partition("=")
    if not name or not url:
        c.refuse(path, "'%s' is not NAME=URL (e.g. server1=http://192.0.2.1:8000/)" % spec)
    if not SERVER_NAME.fullmatch(name):
        c.refuse(path, "'%s' is not a server name (letters, digits, '.', '-', '_', at most 64 characters)" % name)
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http":
        c.refuse(path, "'%s' must be an http:// URL of the peer's kea-ctrl-agent (https needs TLS settings this "
                       "renderer does not write)" % url)
    try:
        host = ipaddress.ip_address(u.hostname or "")
        port = u.port or 80
    except ValueError:
        c.refuse(path, "'%s' must name the control agent by IP address and port, e.g. http://192.0.2.1:8000/ "
                       "(Kea's HA hook resolves no host names)" % url)
    if u.path not in ("", "/") or u.query or u.fragment or u.username:
        c.refuse(path, "'%s' must be just http://ADDRESS:PORT/" % url)
    shown = "[%s]" % host if host.version == 6 else str(host)
    return Peer(name, host, port, "http://%s:%d/" % (shown, port))


def _ha(c, raw, networks, http_port, control_port, hooks_dir):
    ha = raw.get("ha")
    if ha is None:
        if hooks_dir:
            c.refuse("kea-hooks-dir", "is only used with an HA pair (%s)" % c.where("ha.this"))
        return None, None
    c.fields(ha, "ha", HA_FIELDS)
    if ha.get("this") is None or ha.get("peer") is None:
        given, missing = ("ha.this", "ha.peer") if ha.get("this") is not None else ("ha.peer", "ha.this")
        raise Refused("%s needs %s too: an HA pair is this server and its peer" % (c.where(given), c.where(missing)))
    if len(networks) != 1:
        c.refuse("ha", "HA pairs are rendered for a site of one network so far")
    n = networks[0]
    this, peer = _peer(c, ha["this"], "ha.this"), _peer(c, ha["peer"], "ha.peer")
    if this.name == peer.name:
        c.refuse("ha.peer", "'%s' is this server's name too; the peers need different names" % peer.name)
    if this.url == peer.url:
        c.refuse("ha.peer", "%s is this server's URL too; each peer has its own control agent" % peer.url)
    if control_port is not None and control_port != this.port:
        c.refuse("control-port", "%d differs from the port of %s %s; the control agent listens on that URL "
                                 "(drop %s)" % (control_port, c.where("ha.this"), this.url, c.where("control-port")))
    if this.host == n.srv4 and this.port == http_port:
        c.refuse("ha.this", "%s is nginx's address and port (%s %d); give the control agent another port, e.g. "
                            ":8000" % (this.url, c.where("http-port"), http_port))
    for pool, path in ((n.pool4, "networks[0].pool4"), (n.pool6, "networks[0].pool6")):
        if pool and int(pool[1]) - int(pool[0]) < 1:
            c.refuse(path, "%s-%s is one address; the HA pair splits the pool in two halves" % pool)
    return this, peer


def _assignment_database(c, raw):
    db = raw.get("assignment-database")
    if db is None:
        return None
    path = "assignment-database"
    c.fields(db, path, DATABASE_FIELDS)
    name = c.typed(db, "name", path + ".name", str, None, "the database's name")
    if not name:
        c.refuse(path + ".name", "the database's name is required (created with netboot-admin db-init)")
    port = c.typed(db, "port", path + ".port", int, None, "a port number")
    if port is not None and not 1 <= port <= 65535:
        c.refuse(path + ".port", "%d is not a port (1..65535)" % port)
    password_file = c.typed(db, "password-file", path + ".password-file", str, None, "a path")
    if password_file is not None and not password_file.startswith("/"):
        c.refuse(path + ".password-file", "'%s' must be an absolute path (kea-dhcp4/6 read it)" % password_file)
    return AssignmentDatabase(name=name, host=c.typed(db, "host", path + ".host", str, None,
                                                      "a host name, an address or a socket directory"),
                              port=port, user=c.typed(db, "user", path + ".user", str, None, "a role name"),
                              password_file=password_file)


def build(raw, where=None, kea_version=None):
    """The Site of a raw description (a site file's dict, or the flags'),
    every default filled in; Refused naming the field. kea_version is this
    machine's Kea (X.Y...) for a site that does not say."""
    c = _Checker(where or Where())
    c.fields(raw, "", TOP_FIELDS)
    networks = _networks(c, raw)
    boot = _boot(c, raw)
    profiles = _profiles(c, raw)
    hosts = _hosts(c, raw, networks, profiles)
    http_port = c.typed(raw, "http-port", "http-port", int, 80, "a port number")
    control_port = c.typed(raw, "control-port", "control-port", int, None, "a port number")
    for port, path in ((http_port, "http-port"), (control_port, "control-port")):
        if port is not None and not 1 <= port <= 65535:
            c.refuse(path, "%d is not a port (1..65535)" % port)
    run_dir = c.typed(raw, "run-dir", "run-dir", str, None, "a path")
    if run_dir and not run_dir.startswith("/"):
        c.refuse("run-dir", "'%s' must be an absolute path" % run_dir)
    hooks_dir = c.typed(raw, "kea-hooks-dir", "kea-hooks-dir", str, None, "a path")
    this, peer = _ha(c, raw, networks, http_port, control_port, hooks_dir)
    text = c.typed(raw, "kea-version", "kea-version", str, kea_version, "a Kea version such as 2.6")
    if text is None:
        c.refuse("kea-version", "Kea is not installed here (no kea-dhcp4 -v); say which Kea the configs are for "
                                "(%s)" % ", ".join(SUPPORTED_KEA))
    m = re.match(r"(\d+)\.(\d+)", text)
    version = "%s.%s" % (m.group(1), m.group(2)) if m else text
    if version not in SUPPORTED_KEA:
        c.refuse("kea-version", "Kea %s is not supported (%s)" % (text, ", ".join(SUPPORTED_KEA)))
    if this and version >= "3":
        c.refuse("ha.this", "HA pairs are rendered for Kea 2.x, whose peers talk through kea-ctrl-agent; Kea %s "
                            "has no agent to talk through (not rendered yet)" % version)
    hook = c.typed(raw, "hook", "hook", str, DEFAULT_HOOK, "a path")
    _secure_boot(c, boot, networks, hosts)
    install = _install(c, raw)
    return Site(install=install, networks=networks, hosts=hosts, profiles=profiles, ha_this=this, ha_peer=peer,
                kea_hooks_dir=hooks_dir, kea_version=version, hook=hook, run_dir=run_dir,
                http_port=http_port, control_port=control_port, raw=raw,
                assignment_database=_assignment_database(c, raw), **boot)


def _secure_boot(c, boot, networks, hosts):
    said = [("boot.secure-boot", boot["secure_boot"])] + \
        [("networks[%d].secure-boot" % i, n.secure_boot) for i, n in enumerate(networks)] + \
        [("hosts[%d].secure-boot" % i, h.secure_boot) for i, h in enumerate(hosts)]
    on = next((path for path, value in said if value), None)
    if on and "efi-x64" not in boot["families"]:
        c.refuse(on, "Secure Boot hands shim to x64 UEFI machines, but efi-x64 is not in %s; add it there"
                 % c.where("boot.families"))


def effective(site):
    """The site as a site file with every default filled in (--print-site)."""
    def s(x):
        return None if x is None else str(x)

    def rng(r):
        return None if r is None else "%s-%s" % r
    out = {
        "kea-version": site.kea_version, "hook": site.hook, "kea-hooks-dir": site.kea_hooks_dir,
        "run-dir": site.run_dir, "http-port": site.http_port, "control-port": site.control_port,
        "boot": {"root": site.root, "families": site.families, "http-boot": site.http_boot,
                 "loaders": site.loaders, "install-loaders": site.install_loaders,
                 "menu-timeout": site.menu_timeout, "menu-marker": site.menu_marker,
                 "root-files": site.root_files, "console": site.console, "secure-boot": site.secure_boot,
                 "entries": [{"name": e.name, "label": e.label, "kernel": e.kernel, "initrd": e.initrd,
                              "cmdline": e.cmdline, "platforms": e.platforms} for e in site.entries]},
        "install": {"mirror": site.install.mirror, "locale": site.install.locale, "keymap": site.install.keymap,
                    "timezone": site.install.timezone, "root-password-hash": site.install.root_password_hash,
                    "ssh-key": site.install.ssh_key, "partitioning": site.install.partitioning,
                    "packages": site.install.packages},
        "profiles": site.profiles,
        "networks": [{"name": n.name, "interfaces": n.interfaces, "relay": n.relay,
                      "subnet4": s(n.net4), "server4": s(n.srv4), "pool4": rng(n.pool4),
                      "prefix6": s(n.net6), "server6": s(n.srv6), "pool6": rng(n.pool6),
                      "secure-boot": n.secure_boot, "dns": n.dns}
                     for n in site.networks],
        "hosts": [{"name": h.name, "macs": h.macs, "network": h.network, "address4": s(h.address4),
                   "profile": h.profile, "secure-boot": h.secure_boot,
                   "bmc": None if not h.bmc else {"address": h.bmc.address, "port": h.bmc.port,
                                                  "user": h.bmc.user, "password-file": h.bmc.password_file}}
                  for h in site.hosts],
    }
    if site.ha_this:
        out["ha"] = {"this": {"name": site.ha_this.name, "url": site.ha_this.url},
                     "peer": {"name": site.ha_peer.name, "url": site.ha_peer.url}}
    db = site.assignment_database
    if db:
        out["assignment-database"] = {"name": db.name, "host": db.host, "port": db.port, "user": db.user,
                                      "password-file": db.password_file}
    return out
