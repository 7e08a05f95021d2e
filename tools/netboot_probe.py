#!/usr/bin/env python3
"""netboot-probe: asks a DHCP server what a given kind of firmware would be
told, by sending one DISCOVER (v4) or SOLICIT / INFORMATION-REQUEST (v6)
shaped like that firmware's, and printing the boot-related answer.

Also the DHCP client library of the integration tests: any options, raw
bytes (malformed ones too), directly or as a relay. Standard library only.
Run `netboot_probe.py --help` for the command line."""

import os
import random
import select
import socket
import struct
import sys
import time

MAGIC = b"\x63\x82\x53\x63"
DISCOVER, OFFER, REQUEST, ACK = 1, 2, 3, 5
SOLICIT, ADVERTISE, REQUEST6, REPLY, INFORMATION_REQUEST = 1, 2, 3, 7, 11
RELAY_FORW, RELAY_REPL = 12, 13


def mac_bytes(mac):
    return bytes(int(part, 16) for part in mac.split(":"))


class Reply4:
    def __init__(self, data):
        (self.op, _htype, _hlen, _hops, self.xid, _secs, self.flags) = struct.unpack("!BBBBIHH", data[:12])
        self.yiaddr = socket.inet_ntoa(data[16:20])
        self.siaddr = socket.inet_ntoa(data[20:24])
        self.giaddr = socket.inet_ntoa(data[24:28])
        self.sname = data[44:108].split(b"\0", 1)[0].decode("latin-1")
        self.file_raw = data[108:236]
        self.file = self.file_raw.split(b"\0", 1)[0].decode("latin-1")
        if data[236:240] != MAGIC:
            raise ValueError("no DHCP magic cookie")
        self.options = {}
        pos = 240
        while pos < len(data):
            code = data[pos]
            if code == 255:
                break
            if code == 0:
                pos += 1
                continue
            length = data[pos + 1]
            self.options[code] = self.options.get(code, b"") + data[pos + 2:pos + 2 + length]
            pos += 2 + length
        self.type = self.options.get(53, b"\0")[0]

    def text(self, code):
        value = self.options.get(code)
        return None if value is None else value.decode("latin-1")


def build4(msg_type, mac, options, xid, giaddr="0.0.0.0", ciaddr="0.0.0.0", broadcast=True):
    header = struct.pack("!BBBBIHH", 1, 1, 6, 1 if giaddr != "0.0.0.0" else 0, xid, 0,
                         0x8000 if broadcast else 0)
    header += socket.inet_aton(ciaddr) + b"\0" * 4 + b"\0" * 4 + socket.inet_aton(giaddr)
    header += mac_bytes(mac).ljust(16, b"\0") + b"\0" * 64 + b"\0" * 128 + MAGIC
    body = bytes([53, 1, msg_type])
    for code, value in options:
        body += bytes([code, len(value)]) + value
    return header + body + b"\xff"


class Client4:
    """Direct client (broadcast from port 68) or relay (unicast from port 67,
    giaddr set) on the interface `iface`."""

    def __init__(self, server, iface, relay=None):
        self.server = server
        self.relay = relay
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
        self.sock.bind(("0.0.0.0", 67 if relay else 68))

    def close(self):
        self.sock.close()

    def send(self, msg_type, mac, options, xid):
        packet = build4(msg_type, mac, options, xid, giaddr=self.relay or "0.0.0.0")
        self.sock.sendto(packet, (self.server, 67) if self.relay else ("255.255.255.255", 67))

    def replies(self, timeout):
        """The server's BOOTREPLYs arriving within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.sock], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                return
            data, _ = self.sock.recvfrom(4096)
            try:
                reply = Reply4(data)
            except (ValueError, struct.error, IndexError):
                continue
            if reply.op == 2:
                yield reply

    def exchange(self, msg_type, mac, options, expect, xid=None, timeout=3.0):
        xid = xid if xid is not None else random.getrandbits(32)
        self.send(msg_type, mac, options, xid)
        for reply in self.replies(timeout):
            if reply.xid == xid and reply.type == expect:
                return reply
        return None

    def discover(self, mac, options, **kw):
        return self.exchange(DISCOVER, mac, options, OFFER, **kw)

    def burst(self, clients, timeout=5.0):
        """Sends one DISCOVER per (mac, options) back to back, then collects
        the OFFERs: returns {mac: Reply4} for those answered in time."""
        by_xid = {}
        for mac, options in clients:
            xid = random.getrandbits(32)
            by_xid[xid] = mac
            self.send(DISCOVER, mac, options, xid)
        answers = {}
        for reply in self.replies(timeout):
            if reply.type == OFFER and reply.xid in by_xid:
                answers[by_xid[reply.xid]] = reply
                if len(answers) == len(by_xid):
                    break
        return answers

    def dora(self, mac, options):
        """DISCOVER, then REQUEST for the offered address: returns (offer, ack)."""
        offer = self.discover(mac, options)
        if offer is None:
            return None, None
        server_id = offer.options.get(54, b"")
        request_opts = list(options) + [(50, socket.inet_aton(offer.yiaddr)), (54, server_id)]
        return offer, self.exchange(REQUEST, mac, request_opts, ACK)


def parse_options6(data):
    options = []
    pos = 0
    while pos + 4 <= len(data):
        code, length = struct.unpack("!HH", data[pos:pos + 4])
        options.append((code, data[pos + 4:pos + 4 + length]))
        pos += 4 + length
    return options


class Reply6:
    def __init__(self, data):
        self.type = data[0]
        self.xid = data[1:4]
        self.option_list = parse_options6(data[4:])
        self.options = {}
        for code, value in self.option_list:
            self.options.setdefault(code, value)

    def all(self, code):
        return [value for c, value in self.option_list if c == code]

    def text(self, code):
        value = self.options.get(code)
        return None if value is None else value.decode("latin-1")


def option6(code, value):
    return struct.pack("!HH", code, len(value)) + value


def duid_ll(mac):
    return struct.pack("!HH", 3, 1) + mac_bytes(mac)


class Client6:
    """Direct client (link-local, to ff02::1:2 from port 546) or relay
    (RELAY-FORW from port 547 to the server's unicast address)."""

    def __init__(self, iface, server=None, relay_link=None, relay_source=None):
        self.iface = iface
        self.server = server
        self.relay_link = relay_link
        self.scope = socket.if_nametoindex(iface)
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
        if relay_link:
            self.sock.bind((relay_source or "::", 547))
        else:
            self.sock.bind(("::", 546))

    def close(self):
        self.sock.close()

    def exchange(self, msg_type, mac, options, expect, with_ia=True, timeout=3.0):
        """The first matching reply, or None."""
        return next(self._replies(msg_type, mac, options, expect, with_ia, timeout), None)

    def exchange_all(self, msg_type, mac, options, expect, with_ia=True, timeout=3.0):
        """Every matching reply within `timeout` (one per answering server)."""
        return list(self._replies(msg_type, mac, options, expect, with_ia, timeout))

    def _replies(self, msg_type, mac, options, expect, with_ia, timeout):
        xid = os.urandom(3)
        body = option6(1, duid_ll(mac))
        if with_ia:
            body += option6(3, struct.pack("!III", 1, 0, 0))
        for code, value in options:
            body += option6(code, value)
        message = bytes([msg_type]) + xid + body
        if self.relay_link:
            peer = socket.inet_pton(socket.AF_INET6, "fe80::5054:ff:fe00:1")
            relay = bytes([RELAY_FORW, 0]) + socket.inet_pton(socket.AF_INET6, self.relay_link) + peer
            relay += option6(18, b"netboot-test") + option6(9, message)
            self.sock.sendto(relay, (self.server, 547))
        else:
            self.sock.sendto(message, ("ff02::1:2", 547, 0, self.scope))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.sock], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            data, _ = self.sock.recvfrom(4096)
            if self.relay_link:
                if not data or data[0] != RELAY_REPL:
                    continue
                inner = [v for c, v in parse_options6(data[34:]) if c == 9]
                if not inner:
                    continue
                data = inner[0]
            if len(data) < 4:
                continue
            reply = Reply6(data)
            if reply.xid == xid and reply.type == expect:
                yield reply

    def solicit(self, mac, options, **kw):
        return self.exchange(SOLICIT, mac, options, ADVERTISE, **kw)

    def information_request(self, mac, options, **kw):
        return self.exchange(INFORMATION_REQUEST, mac, options, REPLY, with_ia=False, **kw)


def kea_command(socket_path, command, arguments=None):
    """One command on Kea's unix control socket; returns the decoded answer."""
    import json
    request = {"command": command}
    if arguments is not None:
        request["arguments"] = arguments
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(socket_path)
        s.sendall(json.dumps(request).encode())
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            try:
                return json.loads(b"".join(chunks))
            except ValueError:
                continue
    return json.loads(b"".join(chunks))


def statistic(socket_path, name):
    """Current value of one Kea statistic, 0 if it does not exist yet."""
    answer = kea_command(socket_path, "statistic-get", {"name": name})
    samples = answer.get("arguments", {}).get(name, [])
    return samples[0][0] if samples else 0


# What real firmware sends (measured with Debian's firmware; docs/firmware.md).
PRL_EDK2 = bytes.fromhex("0102030405060c0d0f111216171c28292a2b3233363a3b3c4243618081828384858687")
PRL_IPXE = bytes.fromhex("010306070c0f111a2b3c4243778081828384858687afcb")


def _vc6(text, enterprise=343):
    return struct.pack("!IH", enterprise, len(text)) + text.encode()


PROFILES = {
    # name: (family, options, description)
    "bios-ipxe-rom": (4, [(93, b"\0\0"), (60, b"PXEClient:Arch:00000:UNDI:002001"), (77, b"iPXE"),
                          (55, PRL_IPXE)], "SeaBIOS with the iPXE NIC ROM"),
    "bios-pxe": (4, [(93, b"\0\0"), (60, b"PXEClient:Arch:00000:UNDI:002001"), (55, PRL_EDK2)],
                 "legacy BIOS PXE ROM"),
    "uefi-x64-pxe": (4, [(93, b"\0\x07"), (94, b"\x01\x03\0"), (60, b"PXEClient:Arch:00007:UNDI:003000"),
                         (55, PRL_EDK2)], "OVMF/edk2 x64 PXE over IPv4"),
    "uefi-x64-http": (4, [(93, b"\0\x10"), (60, b"HTTPClient:Arch:00016:UNDI:003000"), (55, PRL_EDK2)],
                      "OVMF/edk2 x64 HTTP boot over IPv4"),
    "uefi-ia32-pxe": (4, [(93, b"\0\x06"), (60, b"PXEClient:Arch:00006:UNDI:003000"), (55, PRL_EDK2)],
                      "OVMF ia32 PXE over IPv4"),
    "uefi-arm64-pxe": (4, [(93, b"\0\x0b"), (60, b"PXEClient:Arch:00011:UNDI:003000"), (55, PRL_EDK2)],
                       "arm64 UEFI PXE over IPv4"),
    "ipxe-efi": (4, [(93, b"\0\x07"), (60, b"PXEClient:Arch:00007:UNDI:003010"), (77, b"iPXE"),
                     (55, PRL_IPXE)], "iPXE (ipxe.efi) asking for its script"),
    "phone": (4, [(55, bytes.fromhex("0103060f1a1c333a3b2b")), (60, b"android-dhcp-13")],
              "a device that does not netboot"),
    "uefi-x64-pxe6": (6, [(61, b"\0\x07"), (16, _vc6("PXEClient:Arch:00007:UNDI:003000")),
                          (6, bytes.fromhex("003b003c00170010"))], "OVMF/edk2 x64 PXE over IPv6"),
    "uefi-x64-http6": (6, [(61, b"\0\x10"), (16, _vc6("HTTPClient:Arch:00016:UNDI:003000")),
                           (6, bytes.fromhex("003b003c00170010"))], "OVMF/edk2 x64 HTTP boot over IPv6"),
    "ipxe-efi6": (6, [(61, b"\0\x07"), (16, _vc6("PXEClient:Arch:00007:UNDI:003010")), (15, b"\0\x04iPXE"),
                      (6, bytes.fromhex("00170018003b003c"))], "iPXE over IPv6 (stateless)"),
}


def describe4(reply):
    if reply is None:
        return "no answer"
    parts = ["address %s" % reply.yiaddr]
    if reply.file:
        parts.append("boot file '%s'" % reply.file)
    if reply.siaddr != "0.0.0.0":
        parts.append("next-server %s" % reply.siaddr)
    for code, name in ((66, "option 66"), (67, "option 67"), (60, "vendor class")):
        if code in reply.options:
            parts.append("%s '%s'" % (name, reply.options[code].rstrip(b"\0").decode("latin-1")))
    if not reply.file and 67 not in reply.options:
        parts.append("no boot file")
    return ", ".join(parts)


def describe6(reply):
    if reply is None:
        return "no answer"
    parts = []
    if 59 in reply.options:
        parts.append("boot file URL '%s'" % reply.text(59))
    else:
        parts.append("no boot file URL")
    vc = reply.options.get(16)
    if vc is not None and len(vc) > 6:
        parts.append("vendor class '%s' (enterprise %d)" % (vc[6:].decode("latin-1"),
                                                          struct.unpack("!I", vc[:4])[0]))
    return ", ".join(parts)


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(
        prog="netboot-probe",
        description="Ask a DHCP server what a kind of firmware would be told to boot. Sends one "
                    "DHCPDISCOVER (v4) or SOLICIT (v6; INFORMATION-REQUEST for iPXE profiles) shaped "
                    "like that firmware's and prints the boot-related part of the answer. Needs root "
                    "(ports 67/68/546) and an interface on the server's link.")
    parser.add_argument("-i", "--interface", required=False, help="interface to send on")
    parser.add_argument("-p", "--profile", action="append", choices=sorted(PROFILES),
                        help="firmware to imitate (repeatable; default: all of the family)")
    parser.add_argument("-m", "--mac", default="52:54:00:12:34:56", help="client MAC (default %(default)s)")
    parser.add_argument("-s", "--server", default="255.255.255.255",
                        help="v4: server address when relaying (with --relay)")
    parser.add_argument("--relay", help="v4: act as a relay with this giaddr")
    parser.add_argument("-6", dest="v6", action="store_true", help="default profiles: IPv6 ones")
    parser.add_argument("--list", action="store_true", help="list the profiles and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, (family, _, text) in sorted(PROFILES.items()):
            print("%-16s v%d  %s" % (name, family, text))
        return 0
    if not args.interface:
        parser.error("--interface is required")
    names = args.profile or [n for n, p in sorted(PROFILES.items()) if p[0] == (6 if args.v6 else 4)]
    failures = 0
    for name in names:
        family, options, text = PROFILES[name]
        if family == 4:
            client = Client4(args.server, args.interface, relay=args.relay)
            reply = client.discover(args.mac, options)
            line = describe4(reply)
        else:
            client = Client6(args.interface)
            if 15 in dict(options):
                reply = client.information_request(args.mac, options)
            else:
                reply = client.solicit(args.mac, options)
            line = describe6(reply)
        client.close()
        failures += reply is None
        print("%-16s %-40s -> %s" % (name, text, line), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
