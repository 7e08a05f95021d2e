"""kea-dhcp4.conf and kea-dhcp6.conf: one code path, the family decides
what differs (socket type, lease file, server-id, routers, bios)."""

import ipaddress
import os

from .common import dump, header, port_suffix
from .control import control_sockets
from .model import SECURE_BOOT_LOADERS

LIB_LEASE_CMDS = "libdhcp_lease_cmds.so"
LIB_HA = "libdhcp_ha.so"


def state_file(p, family):
    # The hook's default name (hooks/config/policy_config.cc): next to the
    # lease file and matching kea-leases{4,6}.csv*, the only files Debian's
    # AppArmor profiles let kea-dhcp4/6 write under /var/lib/kea.
    return p["data"] + "/kea-leases%d.csv.netboot-assignments.json" % family


def profile_script_url(site, name):
    return "http://{server}%s/profile-%s.ipxe" % (port_suffix(site), name)


def secure_boot_files(site, profile=None):
    """The signed loader of each family that has one. A profile's own copy
    lies in profile-<name>/: shim and GRUB never ask for an iPXE script, so
    the boot file's directory is how GRUB learns the machine's profile."""
    where = "profile-%s/" % profile if profile else ""
    return {f: where + name for f, name in SECURE_BOOT_LOADERS.items() if f in site.families}


def profile_layer(site, name):
    layer = {"ipxe-script-url": profile_script_url(site, name)}
    if site.secure_boot_anywhere:
        layer["secure-boot-files"] = secure_boot_files(site, name)
    return layer


def hook_parameters(site, family, p):
    port = port_suffix(site)
    files = site.loaders
    params = {
        # No BIOS over DHCPv6: legacy PXE ROMs speak DHCPv4 only.
        "tftp-boot-files": {f: files[f] for f in site.families if family == 4 or f != "bios"},
        "ipxe-script-url": "http://{server}%s/boot.ipxe" % port,
    }
    if site.http_boot:
        params["http-boot-files"] = {f: files[f] for f in site.http_boot}
        if port:
            params["http-base-url"] = "http://{server}%s/" % port
    if site.secure_boot_anywhere:
        params["secure-boot"] = site.secure_boot
        params["secure-boot-files"] = secure_boot_files(site)
    if site.profiles:
        params["profiles"] = {name: profile_layer(site, name) for name in site.profiles}
    db = site.assignment_database
    if db:
        # One store for both families and both HA peers; the password stays
        # in its file, which kea-dhcp4/6 read (Debian's AppArmor profile lets
        # them read /etc/kea).
        given = (("host", db.host), ("port", db.port), ("user", db.user), ("password-file", db.password_file))
        params["assignment-database"] = dict([("type", "postgresql"), ("name", db.name)] +
                                             [(k, v) for k, v in given if v is not None])
    else:
        params["state-file"] = state_file(p, family)
    return params


def ha_pools(site, family):
    """The family's pool split between the pair: first half to the primary
    (the name that sorts first), second half to the secondary."""
    this, peer = site.ha_this, site.ha_peer
    primary, secondary = sorted([this, peer], key=lambda x: x.name)
    first, last = site.networks[0].pool4 if family == 4 else site.networks[0].pool6
    size = int(last) - int(first) + 1
    half = ipaddress.ip_address(int(first) + (size + 1) // 2 - 1) if family == 4 else \
        ipaddress.IPv6Address(int(first) + (size + 1) // 2 - 1)
    return ([(primary.name, primary.url, "primary"), (secondary.name, secondary.url, "secondary")],
            [(first, half, primary.name), (half + 1, last, secondary.name)])


def hooks_libraries(site, family, params, ha_hooks):
    netboot = {"library": site.hook, "parameters": params}
    if not ha_hooks:
        return [netboot]
    peers, _ = ha_pools(site, family)
    # As Kea's HA documentation orders them: lease_cmds (the peers' lease
    # updates) first; the netboot hook before libdhcp_ha.so.
    return [
        {"library": os.path.join(ha_hooks, LIB_LEASE_CMDS)},
        netboot,
        {"library": os.path.join(ha_hooks, LIB_HA), "parameters": {"high-availability": [{
            "this-server-name": site.ha_this.name,
            "mode": "load-balancing",
            "heartbeat-delay": 10000, "max-response-delay": 60000, "max-ack-delay": 5000,
            "max-unacked-clients": 5,
            # Peers talk through kea-ctrl-agent on the peer URL; with Kea's
            # multi-threading (on by default from 2.4) HA would open its own
            # listener on that same URL.
            "multi-threading": {"enable-multi-threading": False},
            "peers": [{"name": name, "url": url, "role": role, "auto-failover": True}
                      for name, url, role in peers],
        }]}},
    ]


def reservations(site, network, family):
    """Kea host reservations of the network's hosts: one per MAC (Kea
    matches one identifier per reservation); a host's profile becomes its
    iPXE script, a v4 address its fixed address."""
    out = []
    for h in site.hosts:
        if h.network != network.name:
            continue
        for i, mac in enumerate(h.macs):
            r = {"hw-address": mac, "hostname": h.name}
            if family == 4 and h.address4 and i == 0:
                r["ip-address"] = str(h.address4)
            netboot = {}
            if site.secure_boot_of(h) != (network.secure_boot if network.secure_boot is not None
                                          else site.secure_boot):
                netboot["secure-boot"] = site.secure_boot_of(h)
            if h.profile:
                netboot.update(profile_layer(site, h.profile))
            if netboot:
                r["user-context"] = {"netboot": netboot}
            out.append(r)
    return out


def subnet(site, network, subnet_id, family, ha_hooks):
    net, pool = (network.net4, network.pool4) if family == 4 else (network.net6, network.pool6)
    pools = [{"pool": "%s - %s" % pool}]
    if ha_hooks:
        _, halves = ha_pools(site, family)
        pools = [{"pool": "%s - %s" % (first, last), "client-class": "HA_" + name} for first, last, name in halves]
    s = {"id": subnet_id, "subnet": str(net), "pools": pools}
    relays = [a for a in network.relay if ipaddress.ip_address(a).version == family]
    if family == 4:
        s["option-data"] = [{"name": "routers", "data": relays[0] if relays else str(network.srv4)}]
    dns = [a for a in network.dns if ipaddress.ip_address(a).version == family]
    if dns:
        s.setdefault("option-data", []).append(
            {"name": "domain-name-servers" if family == 4 else "dns-servers", "data": ", ".join(dns)})
    if len(network.interfaces) == 1:
        s["interface"] = network.interfaces[0]
    if network.relay:
        s["relay"] = {"ip-addresses": relays}
    if network.secure_boot is not None and network.secure_boot != site.secure_boot:
        s["user-context"] = {"netboot": {"secure-boot": network.secure_boot}}
    hosts = reservations(site, network, family)
    if hosts:
        s["reservations"] = hosts
    return s


def kea_dhcp(site, family, p, control, ha_hooks=None):
    """The whole kea-dhcpN.conf; ha_hooks is Kea's hooks directory when
    this server is one of an HA pair."""
    name = "dhcp%d" % family
    attr = "net%d" % family
    networks = [n for n in site.networks if getattr(n, attr)]
    subnets = [subnet(site, n, i + 1, family, ha_hooks) for i, n in enumerate(networks)]
    interfaces = {"interfaces": list(site.interfaces)}
    if family == 4:
        interfaces["dhcp-socket-type"] = "raw"
    conf = {"interfaces-config": interfaces, **control_sockets(control, name, p),
            "lease-database": {"type": "memfile", "persist": True,
                               "name": p["lease"] + "/kea-leases%d.csv" % family, "lfc-interval": 3600}}
    if family == 6:
        conf["server-id"] = {"type": "LLT", "persist": site.run_dir is None}
        conf["data-directory"] = p["data"]
        conf["preferred-lifetime"] = 1800
    conf["valid-lifetime"] = 3600
    conf["hooks-libraries"] = hooks_libraries(site, family, hook_parameters(site, family, p), ha_hooks)
    conf["subnet%d" % family] = subnets
    log = p["logs"] + "/kea-%s.log" % name
    conf["loggers"] = [
        {"name": "kea-%s" % name, "output_options": [{"output": log}], "severity": "INFO"},
        {"name": "kea-%s.netboot-hooks" % name, "output_options": [{"output": log}],
         "severity": "DEBUG", "debuglevel": 15},
    ]
    note = ""
    if ha_hooks:
        peers, _ = ha_pools(site, family)
        note = ("// Server '%s' of a load-balancing pair (Kea's libdhcp_ha.so); peers:\n" % site.ha_this.name +
                "".join("//   %s %s (%s)\n" % peer for peer in peers))
    return header("kea-%s with libdhcp_netboot.so" % name) + note + dump({"Dhcp%d" % family: conf})
