"""kea-dhcp6 with libdhcp_netboot.so, driven by DHCPv6 packets shaped like
what OVMF and iPXE send (docs/firmware.md). Runs in the
client namespace set up by run.sh."""

import os
import select
import socket
import struct
import subprocess
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "kea-config"))
from netboot_site import decisions  # noqa: E402
from netboot_probe import Client6, Reply6, mac_bytes, option6, parse_options6, statistic  # noqa: E402

IFACE = os.environ["NB_IFACE"]
SOCK = os.path.join(os.environ["NB_DIR"], "kea.sock")
LOG = os.path.join(os.environ["NB_DIR"], "kea.log")


def vendor_class(text, enterprise=343):
    data = text.encode()
    return struct.pack("!IH", enterprise, len(data)) + data


ORO_EDK2 = bytes.fromhex("003b003c00170010")
ORO_IPXE = bytes.fromhex("00170018003b003c")
OVMF_PXE = [(61, b"\x00\x07"), (62, b"\x01\x03\x00"), (16, vendor_class("PXEClient:Arch:00007:UNDI:003000")),
            (6, ORO_EDK2)]
OVMF_HTTP = [(61, b"\x00\x10"), (62, b"\x01\x03\x00"), (16, vendor_class("HTTPClient:Arch:00016:UNDI:003000")),
             (6, ORO_EDK2)]
IPXE = [(61, b"\x00\x07"), (62, b"\x01\x03\x0a"), (16, vendor_class("PXEClient:Arch:00007:UNDI:003010")),
        (15, b"\x00\x04iPXE"), (6, ORO_IPXE)]


def eui64_link_local(mac):
    """fe80:: plus the MAC's modified EUI-64 (U/L bit inverted, ff:fe inserted)."""
    b = bytearray(mac_bytes(mac))
    b[0] ^= 0x02
    return "fe80::%02x%02x:%02xff:fe%02x:%02x%02x" % tuple(b)


def duid_uuid(mac):
    """RFC 6355 DUID-UUID (type 4), as iPXE builds it from the SMBIOS UUID;
    derived from the MAC here only so each test machine has its own."""
    return struct.pack("!H", 4) + uuid.uuid5(uuid.NAMESPACE_OID, mac).bytes


class Ipxe6:
    """What real iPXE sends over DHCPv6: a DUID-UUID, never a DUID-LL, from
    the link-local address its NIC's MAC gives (for a VM a locally
    administered 52:54:00:...). Direct, or through a relay on 2001:db8::2
    that puts the client's link-layer address in option 79 (RFC 6939) and
    its link-local address, or `peer`, in the peer-address."""

    def __init__(self, mac, relay79=False, peer=None, duid=None):
        self.mac = mac
        self.duid = duid or duid_uuid(mac)
        self.relayed = relay79 or peer is not None
        self.relay79 = relay79
        self.address = eui64_link_local(mac)
        self.peer = peer or self.address
        self.scope = socket.if_nametoindex(IFACE)
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, IFACE.encode())
        if self.relayed:
            self.sock.bind(("2001:db8::2", 547))
        else:
            # The client namespace is ours: give its link the VM's address.
            subprocess.run(["ip", "-6", "addr", "add", self.address + "/64", "dev", IFACE, "nodad"], check=True)
            self.sock.bind((self.address, 546, 0, self.scope))

    def close(self):
        self.sock.close()
        if not self.relayed:
            subprocess.run(["ip", "-6", "addr", "del", self.address + "/64", "dev", IFACE], check=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def exchange(self, msg_type, expect, options, with_ia=True, timeout=3.0):
        xid = os.urandom(3)
        body = option6(1, self.duid)
        if with_ia:
            body += option6(3, struct.pack("!III", 1, 0, 0))
        for code, value in options:
            body += option6(code, value)
        message = bytes([msg_type]) + xid + body
        if self.relayed:
            relay = bytes([12, 0]) + socket.inet_pton(socket.AF_INET6, "2001:db8:1::1")
            relay += socket.inet_pton(socket.AF_INET6, self.peer) + option6(18, b"netboot-test")
            if self.relay79:
                relay += option6(79, struct.pack("!H", 1) + mac_bytes(self.mac))
            self.sock.sendto(relay + option6(9, message), ("2001:db8::1", 547))
        else:
            self.sock.sendto(message, ("ff02::1:2", 547, 0, self.scope))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.sock], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            data, _ = self.sock.recvfrom(4096)
            if self.relayed:
                if not data or data[0] != 13:
                    continue
                inner = [v for c, v in parse_options6(data[34:]) if c == 9]
                if not inner:
                    continue
                data = inner[0]
            if len(data) >= 4 and data[1:4] == xid and data[0] == expect:
                return Reply6(data)
        return None

    def solicit(self, options):
        return self.exchange(1, 2, options)

    def information_request(self, options):
        return self.exchange(11, 7, options, with_ia=False)


def decisions_where(**fields):
    return [e for e in decisions.read(LOG) if decisions.matches(e, **fields)]


class Direct(unittest.TestCase):
    client = None

    @classmethod
    def setUpClass(cls):
        cls.client = Client6(IFACE)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def advertise(self, mac, options):
        reply = self.client.solicit(mac, options)
        self.assertIsNotNone(reply, "no ADVERTISE for %s" % mac)
        return reply

    def test_ovmf_x64_pxe_gets_tftp_url(self):
        reply = self.advertise("52:54:00:e2:e0:03", OVMF_PXE)
        self.assertEqual(reply.text(59), "tftp://[2001:db8::1]/ipxe.efi")
        self.assertNotIn(60, reply.options)  # edk2 drops an offer carrying bootfile-param
        self.assertFalse(any(b"HTTPClient" in v for v in reply.all(16)))

    def test_bootfile_url_sent_without_oro(self):
        reply = self.advertise("52:54:00:e2:e0:13", [(61, b"\x00\x07"), (6, b"\x00\x17")])
        self.assertEqual(reply.text(59), "tftp://[2001:db8::1]/ipxe.efi")

    def test_ovmf_x64_http_boot(self):
        reply = self.advertise("52:54:00:e2:e0:05", OVMF_HTTP)
        self.assertEqual(reply.text(59), "http://[2001:db8::1]/ipxe.efi")
        self.assertEqual(reply.options.get(16), bytes.fromhex("00000157000a") + b"HTTPClient")
        self.assertNotIn(60, reply.options)

    def test_http_client_enterprise_echoed(self):
        options = [(61, b"\x00\x10"), (16, vendor_class("HTTPClient:Arch:00016:UNDI:003000", 9999)),
                   (6, ORO_EDK2)]
        reply = self.advertise("52:54:00:e2:e0:15", options)
        self.assertEqual(reply.options.get(16), struct.pack("!IH", 9999, 10) + b"HTTPClient")

    def test_arm64_pxe(self):
        reply = self.advertise("52:54:00:e2:e0:16", [(61, b"\x00\x0b"), (6, ORO_EDK2)])
        self.assertEqual(reply.text(59), "tftp://[2001:db8::1]/arm64/ipxe.efi")

    def test_ipxe_stateless_gets_script(self):
        reply = self.client.information_request("52:54:00:e2:e0:03", IPXE)
        self.assertIsNotNone(reply, "no REPLY to INFORMATION-REQUEST")
        self.assertEqual(reply.text(59), "http://[2001:db8::1]/boot/52:54:00:e2:e0:03.ipxe")

    def test_ipxe_solicit_gets_script(self):
        reply = self.advertise("52:54:00:e2:e0:17", IPXE)
        self.assertEqual(reply.text(59), "http://[2001:db8::1]/boot/52:54:00:e2:e0:17.ipxe")

    def test_phone_untouched(self):
        reply = self.advertise("52:54:00:e2:e0:20", [(6, b"\x00\x17\x00\x18")])
        self.assertNotIn(59, reply.options)
        self.assertNotIn(16, reply.options)

    def test_unassigned_arch_untouched(self):
        reply = self.advertise("52:54:00:e2:e0:21", [(61, b"\x00\x30"), (6, ORO_EDK2)])
        self.assertNotIn(59, reply.options)

    def test_reservation_override(self):
        reply = self.advertise("52:54:00:00:00:a1", OVMF_PXE)
        self.assertEqual(reply.text(59), "tftp://[2001:db8::1]/hosts/a1/snponly.efi")

    def test_malformed_options_never_stop_service(self):
        bad = [
            [(61, b"\x00\x07\x00")],
            [(61, b"")],
            [(16, b"\x00\x00")],                        # shorter than the enterprise number
            [(16, b"\x00\x00\x01\x57\x00\xff" + b"HTTPClient")],  # tuple longer than the option
            [(15, b"\x00\x09iPXE")],
            [(15, b"\x00")],
            [(61, b"\x00\x07"), (16, b"\x00\x00\x01\x57\xff")],
        ]
        for i, options in enumerate(bad):
            self.client.solicit("52:54:00:e2:e1:%02x" % i, options, timeout=1.0)
        reply = self.advertise("52:54:00:e2:e0:40", OVMF_PXE)
        self.assertEqual(reply.text(59), "tftp://[2001:db8::1]/ipxe.efi")
        os.kill(int(os.environ["NB_KEA_PID"]), 0)
        self.assertGreater(statistic(SOCK, "netboot.malformed"), 0)


class RealIpxe(unittest.TestCase):
    """iPXE as it really identifies itself over DHCPv6 (issue 16): its MAC is
    only in its link-local address, or in a relay's option 79."""

    def test_locally_administered_link_local_renders_the_mac(self):
        mac = "52:54:00:16:00:01"
        with Ipxe6(mac) as client:
            reply = client.solicit(IPXE)
            self.assertIsNotNone(reply, "no ADVERTISE")
            self.assertEqual(reply.text(59), "http://[2001:db8::1]/boot/%s.ipxe" % mac)
            reply = client.information_request(IPXE)
            self.assertIsNotNone(reply, "no REPLY")
            self.assertEqual(reply.text(59), "http://[2001:db8::1]/boot/%s.ipxe" % mac)
        self.assertTrue(decisions_where(mac=mac, mac_source="link-local"), "the log does not say where the MAC came from")

    def test_universal_link_local_renders_the_mac(self):
        mac = "00:00:5e:00:53:16"
        with Ipxe6(mac) as client:
            reply = client.information_request(IPXE)
        self.assertIsNotNone(reply, "no REPLY")
        self.assertEqual(reply.text(59), "http://[2001:db8::1]/boot/%s.ipxe" % mac)

    def test_relayed_with_option_79(self):
        mac = "52:54:00:16:00:79"
        # A peer-address that is no EUI-64: only option 79 names the MAC.
        with Ipxe6(mac, relay79=True, peer="fe80::1") as client:
            reply = client.solicit(IPXE)
        self.assertIsNotNone(reply, "no relayed ADVERTISE")
        self.assertEqual(reply.text(59), "http://[2001:db8:1::5]/boot/%s.ipxe" % mac)
        self.assertTrue(decisions_where(mac=mac, mac_source="relay-option-79"))

    def test_relayed_locally_administered_peer_address(self):
        mac = "52:54:00:16:00:80"
        with Ipxe6(mac, peer=eui64_link_local(mac)) as client:
            reply = client.solicit(IPXE)
        self.assertIsNotNone(reply, "no relayed ADVERTISE")
        self.assertEqual(reply.text(59), "http://[2001:db8:1::5]/boot/%s.ipxe" % mac)

    def test_no_mac_anywhere_renders_the_duid_not_unknown(self):
        # A stable-privacy link-local (no ff:fe): nothing names a MAC.
        duid = duid_uuid("no-mac-1")
        with Ipxe6("52:54:00:16:00:99", relay79=False, peer="fe80::8c1d:3341:9a02:7e10", duid=duid) as client:
            reply = client.solicit(IPXE)
        self.assertIsNotNone(reply, "no relayed ADVERTISE")
        self.assertEqual(reply.text(59), "http://[2001:db8:1::5]/boot/duid-%s.ipxe" % duid.hex(":"))


class Relayed(unittest.TestCase):
    def test_relayed_client_gets_subnet_override(self):
        client = Client6(IFACE, server="2001:db8::1", relay_link="2001:db8:1::1", relay_source="2001:db8::2")
        try:
            reply = client.solicit("52:54:00:e2:e0:50", OVMF_PXE)
        finally:
            client.close()
        self.assertIsNotNone(reply, "no relayed ADVERTISE")
        self.assertEqual(reply.text(59), "tftp://[2001:db8:1::5]/relay/ipxe.efi")


class Observability(unittest.TestCase):
    def test_statistics_and_log(self):
        client = Client6(IFACE)
        try:
            before = statistic(SOCK, "netboot.efi-x64.http")
            self.assertIsNotNone(client.solicit("52:54:00:e2:e0:60", OVMF_HTTP))
            self.assertEqual(statistic(SOCK, "netboot.efi-x64.http"), before + 1)
        finally:
            client.close()
        self.assertTrue(decisions_where(mac="52:54:00:e2:e0:60", family="dhcp6", transport="http",
                                        boot_file="http://[2001:db8::1]/ipxe.efi"), "no decision logged for the HTTP client")


if __name__ == "__main__":
    unittest.main()
