"""netboot-tftpd.conf and radvd-lite.conf."""

from .common import dump, header, server_addresses


def tftpd(site):
    listen = ["%s:69" % a for a in server_addresses(site, "srv4")]
    listen += ["[%s]:69" % a for a in server_addresses(site, "srv6")]
    conf = {"netboot-tftpd": {"root": site.root, "listen": listen, "log-level": "info"}}
    return header("netboot-tftpd serving the boot root (TFTP side; nginx serves it over HTTP)") + dump(conf)


def radvd(site):
    """Router Advertisements on the links this server is on (relayed
    networks have their own router)."""
    conf = {"RadvdLite": {"interfaces": [
        {"name": name, "netboot": True, "managed-flag": True, "other-config-flag": True,
         "max-rtr-adv-interval": 60,
         "prefixes": [{"prefix": str(n.net6)}]}
        for n in site.networks if n.net6 for name in n.interfaces]}}
    return header("radvd-lite: RA with M=1 O=1 and the /64 for SLAAC") + dump(conf)
