"""kea-dhcp6 with libdhcp_netboot.so, driven by DHCPv6 packets shaped like
what OVMF and iPXE send (see shared/reference/firmware-notes.md). Runs in the
client namespace set up by run.sh."""

import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools"))
from netboot_probe import Client6, statistic  # noqa: E402

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
        with open(LOG, encoding="utf-8", errors="replace") as log:
            lines = [l for l in log if "NETBOOT_DECISION" in l and "http://[2001:db8::1]/ipxe.efi" in l]
        self.assertTrue(lines, "no NETBOOT_DECISION line for the HTTP client")


if __name__ == "__main__":
    unittest.main()
