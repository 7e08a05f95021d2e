"""Network namespaces for the Python tools and benches, the counterpart of
tests/lib/netns.sh: each caller names its own (unique per run), uses only
the documentation addresses (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32)
and deletes what it made, also when it fails."""

import subprocess


def _ip(*args, check=True, **kw):
    return subprocess.run(("ip",) + args, check=check, **kw)


class Namespace:
    """A new namespace with loopback up; delete() removes it (and every
    interface in it)."""

    def __init__(self, name):
        self.name = name
        _ip("netns", "add", name)
        try:
            self.ip("link", "set", "lo", "up")
        except subprocess.CalledProcessError:
            self.delete()
            raise

    def command(self, *args):
        """The argument list that runs `args` inside the namespace."""
        return ["ip", "netns", "exec", self.name] + [str(a) for a in args]

    def run(self, *args, check=True, **kw):
        return subprocess.run(self.command(*args), check=check, **kw)

    def popen(self, *args, **kw):
        return subprocess.Popen(self.command(*args), **kw)

    def ip(self, *args, **kw):
        return _ip("-n", self.name, *args, **kw)

    def sysctl(self, key, value):
        self.run("sysctl", "-qw", "%s=%s" % (key, value))

    def addresses(self, interface, *addresses):
        """IPv4 and IPv6 addresses on `interface`, IPv6 without DAD (usable at once)."""
        for address in addresses:
            self.ip("addr", "add", address, "dev", interface, *(["nodad"] if ":" in address else []))

    def pids(self):
        out = _ip("netns", "pids", self.name, check=False, capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def delete(self):
        _ip("netns", "del", self.name, check=False, stderr=subprocess.DEVNULL)


def veth(ns_a, if_a, ns_b, if_b):
    """A veth pair between two namespaces, IPv6 DAD off on both ends, both up."""
    _ip("link", "add", if_a, "netns", ns_a.name, "type", "veth", "peer", "name", if_b, "netns", ns_b.name)
    for ns, interface in ((ns_a, if_a), (ns_b, if_b)):
        ns.sysctl("net.ipv6.conf.%s.accept_dad" % interface, 0)
        ns.ip("link", "set", interface, "up")
