"""kea-dhcp4 with libdhcp_netboot.so, driven by DHCPv4 packets shaped like
what real firmware sends (docs/firmware.md). Runs in
the client namespace set up by run.sh."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "kea-config"))
from netboot_site import decisions  # noqa: E402
from netboot_probe import Client4, statistic  # noqa: E402

IFACE = os.environ["NB_IFACE"]
SOCK = os.path.join(os.environ["NB_DIR"], "kea.sock")
LOG = os.path.join(os.environ["NB_DIR"], "kea.log")
SERVER = "192.0.2.1"

PRL_EDK2 = bytes.fromhex("0102030405060c0d0f111216171c28292a2b3233363a3b3c4243618081828384858687")
PRL_IPXE = bytes.fromhex("010306070c0f111a2b3c4243778081828384858687afcb")
PRL_PHONE = bytes.fromhex("0103060f1a1c333a3b2b")


def vc(text):
    return text.encode()


SEABIOS_IPXE = [(93, b"\x00\x00"), (94, b"\x01\x02\x01"), (60, vc("PXEClient:Arch:00000:UNDI:002001")),
                (77, b"iPXE"), (55, PRL_IPXE)]
OVMF_X64_PXE = [(93, b"\x00\x07"), (94, b"\x01\x03\x00"), (60, vc("PXEClient:Arch:00007:UNDI:003000")),
                (55, PRL_EDK2)]
OVMF_X64_HTTP = [(93, b"\x00\x10"), (94, b"\x01\x03\x00"), (60, vc("HTTPClient:Arch:00016:UNDI:003000")),
                 (55, PRL_EDK2[:24] + b"\xeb\x43\x61")]
OVMF_IA32_PXE = [(93, b"\x00\x06"), (60, vc("PXEClient:Arch:00006:UNDI:003000")), (55, PRL_EDK2)]
OVMF_IA32_HTTP = [(93, b"\x00\x0f"), (60, vc("HTTPClient:Arch:00015:UNDI:003000")),
                  (55, PRL_EDK2[:24] + b"\x00\x43\x61")]
IPXE_EFI = [(93, b"\x00\x07"), (94, b"\x01\x03\x0a"), (60, vc("PXEClient:Arch:00007:UNDI:003010")),
            (77, b"iPXE"), (55, PRL_IPXE)]
ARM64_PXE = [(93, b"\x00\x0b"), (60, vc("PXEClient:Arch:00011:UNDI:003000")), (55, PRL_EDK2)]
ARM64_HTTP = [(93, b"\x00\x13"), (60, vc("HTTPClient:Arch:00019:UNDI:003000")), (55, PRL_EDK2)]
PHONE = [(55, PRL_PHONE), (12, b"android-phone"), (60, vc("android-dhcp-13"))]


class Direct(unittest.TestCase):
    client = None

    @classmethod
    def setUpClass(cls):
        cls.client = Client4(SERVER, IFACE)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def offer(self, mac, options):
        reply = self.client.discover(mac, options)
        self.assertIsNotNone(reply, "no DHCPOFFER for %s" % mac)
        return reply

    def assert_tftp(self, reply, file):
        self.assertEqual(reply.file, file)
        self.assertEqual(reply.siaddr, SERVER)
        self.assertEqual(reply.options.get(66), SERVER.encode())
        # NUL-terminated for old Intel UNDI ROMs.
        self.assertEqual(reply.options.get(67), file.encode() + b"\0")
        self.assertNotIn(60, reply.options)

    def test_seabios_ipxe_rom_gets_script(self):
        reply = self.offer("52:54:00:e2:e0:01", SEABIOS_IPXE)
        url = "http://192.0.2.1/boot/52:54:00:e2:e0:01.ipxe"
        self.assertEqual(reply.file, url)
        self.assertEqual(reply.options.get(67), url.encode() + b"\0")

    def test_legacy_bios_pxe_gets_undionly(self):
        reply = self.offer("52:54:00:e2:e0:10", [(93, b"\x00\x00"), (60, vc("PXEClient:Arch:00000:UNDI:002001")),
                                                  (55, PRL_EDK2)])
        self.assert_tftp(reply, "undionly.kpxe")

    def test_ovmf_x64_pxe(self):
        self.assert_tftp(self.offer("52:54:00:e2:e0:02", OVMF_X64_PXE), "ipxe.efi")

    def test_arch_0x09_is_x64(self):
        self.assert_tftp(self.offer("52:54:00:e2:e0:09", [(93, b"\x00\x09"), (55, PRL_EDK2)]), "ipxe.efi")

    def test_arch_list_first_recognised_wins(self):
        reply = self.offer("52:54:00:e2:e0:0a", [(93, b"\x00\x30\x00\x07\x00\x00"), (55, PRL_EDK2)])
        self.assert_tftp(reply, "ipxe.efi")

    def test_boot_options_sent_without_prl(self):
        reply = self.offer("52:54:00:e2:e0:0b", [(93, b"\x00\x07"), (55, bytes([1, 3, 6]))])
        self.assert_tftp(reply, "ipxe.efi")

    def test_arch_from_vendor_class_when_option_93_missing(self):
        reply = self.offer("52:54:00:e2:e0:0c", [(60, vc("PXEClient:Arch:00006:UNDI:003000")), (55, PRL_EDK2)])
        self.assert_tftp(reply, "grubnetia32.efi")

    def test_ovmf_x64_http_boot(self):
        reply = self.offer("52:54:00:e2:e0:04", OVMF_X64_HTTP)
        self.assertEqual(reply.file, "http://192.0.2.1/ipxe.efi")
        self.assertEqual(reply.options.get(67), b"http://192.0.2.1/ipxe.efi\0")
        self.assertEqual(reply.options.get(60), b"HTTPClient")

    def test_ovmf_ia32_pxe_and_http(self):
        self.assert_tftp(self.offer("52:54:00:e2:e0:05", OVMF_IA32_PXE), "grubnetia32.efi")
        reply = self.offer("52:54:00:e2:e0:06", OVMF_IA32_HTTP)
        self.assertEqual(reply.file, "http://192.0.2.1:8080/grubnetia32.efi")
        self.assertEqual(reply.options.get(60), b"HTTPClient")

    def test_arm64_pxe_and_http(self):
        self.assert_tftp(self.offer("52:54:00:e2:e0:07", ARM64_PXE), "arm64/ipxe.efi")
        reply = self.offer("52:54:00:e2:e0:08", ARM64_HTTP)
        self.assertEqual(reply.file, "http://192.0.2.1/arm64/efi-arm64.efi")
        self.assertEqual(reply.options.get(60), b"HTTPClient")

    def test_ipxe_second_stage_never_gets_binary_again(self):
        reply = self.offer("52:54:00:e2:e0:02", IPXE_EFI)
        self.assertEqual(reply.file, "http://192.0.2.1/boot/52:54:00:e2:e0:02.ipxe")
        self.assertNotIn(b"ipxe.efi", reply.options.get(67, b""))

    def test_rfc3004_user_class_and_option_175_mean_ipxe(self):
        for mac, extra in (("52:54:00:e2:e0:11", [(77, b"\x04iPXE")]),
                           ("52:54:00:e2:e0:12", [(77, b"\x03foo\x04iPXE")]),
                           ("52:54:00:e2:e0:13", [(175, b"\xb1\x01\x01")])):
            reply = self.offer(mac, [(93, b"\x00\x07"), (55, PRL_IPXE)] + extra)
            self.assertEqual(reply.file, "http://192.0.2.1/boot/%s.ipxe" % mac, extra)

    def test_phone_untouched(self):
        reply = self.offer("52:54:00:e2:e0:20", PHONE)
        self.assertEqual(reply.file, "")
        self.assertEqual(reply.siaddr, "0.0.0.0")
        for code in (66, 67):
            self.assertNotIn(code, reply.options)
        self.assertNotIn(60, reply.options)

    def test_unassigned_arch_untouched(self):
        reply = self.offer("52:54:00:e2:e0:21", [(93, b"\x00\x30"), (60, vc("PXEClient:Arch:00048:UNDI:003000")),
                                                  (55, PRL_EDK2)])
        self.assertEqual(reply.file, "")
        self.assertNotIn(67, reply.options)

    def test_uefi_without_loader_never_gets_bios_loader(self):
        reply = self.offer("52:54:00:e2:e0:22", [(93, b"\x00\x1b"), (55, PRL_EDK2)])  # RISC-V 64 UEFI
        self.assertEqual(reply.file, "")
        self.assertNotIn(67, reply.options)

    def test_ack_carries_the_same_answer(self):
        offer, ack = self.client.dora("52:54:00:e2:e0:30", OVMF_X64_PXE)
        self.assertIsNotNone(ack, "no DHCPACK")
        self.assert_tftp(ack, "ipxe.efi")

    def test_reservation_override_wins(self):
        self.assert_tftp(self.offer("52:54:00:00:00:a1", OVMF_X64_PXE), "hosts/a1/snponly.efi")
        reply = self.offer("52:54:00:00:00:a1", IPXE_EFI)
        self.assertEqual(reply.file, "http://192.0.2.1/rescue.ipxe")

    def test_kea_reservation_boot_file_kept_for_pxe(self):
        reply = self.offer("52:54:00:00:00:a2", OVMF_X64_PXE)
        self.assertEqual(reply.file, "custom-tftp.efi")
        self.assertEqual(reply.siaddr, "192.0.2.50")

    def test_kea_reservation_boot_file_does_not_break_http_boot(self):
        reply = self.offer("52:54:00:00:00:a2", OVMF_X64_HTTP)
        self.assertEqual(reply.file, "http://192.0.2.1/ipxe.efi")
        self.assertEqual(reply.options.get(60), b"HTTPClient")

    def test_reservation_can_disable_netboot(self):
        reply = self.offer("52:54:00:00:00:a3", OVMF_X64_PXE)
        self.assertEqual(reply.file, "")
        self.assertNotIn(67, reply.options)

    def test_malformed_options_never_stop_service(self):
        bad = [
            [(93, b"\x00\x07\x00")],                 # odd length
            [(93, b"")],                             # empty
            [(93, b"\xff" * 255)],                   # oversized, all unassigned
            [(60, b"\xff\xfe\x00PXEClient")],        # not UTF-8
            [(77, b"\x09iPXE")],                     # RFC 3004 length past the end
            [(77, b"")],
            [(175, b"")],
            [(60, b"HTTPClient:Arch:\xff\xff")],      # vendor class with a broken arch
        ]
        # Kea itself drops packets whose option 93 it cannot parse; the rest
        # reach the hook, which counts what it could not read.
        for i, options in enumerate(bad):
            self.client.discover("52:54:00:e2:e1:%02x" % i, options + [(55, PRL_EDK2)], timeout=1.0)
        self.assert_tftp(self.offer("52:54:00:e2:e0:40", OVMF_X64_PXE), "ipxe.efi")
        os.kill(int(os.environ["NB_KEA_PID"]), 0)
        self.assertGreater(statistic(SOCK, "netboot.malformed"), 0)


class Concurrency(unittest.TestCase):
    def test_burst_of_mixed_clients_all_answered_right(self):
        kinds = [(OVMF_X64_PXE, "ipxe.efi"), (OVMF_X64_HTTP, "http://192.0.2.1/ipxe.efi"),
                 (OVMF_IA32_PXE, "grubnetia32.efi"), (PHONE, "")]
        clients, expected = [], {}
        for i in range(96):
            mac = "52:54:00:e3:%02x:%02x" % (i // 256, i % 256)
            options, file = kinds[i % len(kinds)]
            clients.append((mac, options))
            expected[mac] = file
        client = Client4(SERVER, IFACE)
        try:
            answers = {}
            # Kea may drop some of a burst (its queue is short in the
            # multi-threaded run); resend to the unanswered, a bounded number of times.
            for _ in range(20):
                pending = [c for c in clients if c[0] not in answers]
                if not pending:
                    break
                answers.update(client.burst(pending[:16], timeout=1.5))
        finally:
            client.close()
        self.assertEqual(len(answers), len(clients), "unanswered: %d" % (len(clients) - len(answers)))
        for mac, reply in answers.items():
            self.assertEqual(reply.file, expected[mac], mac)


class Relayed(unittest.TestCase):
    def test_relayed_client_gets_subnet_override(self):
        client = Client4(SERVER, IFACE, relay="198.51.100.1")
        try:
            reply = client.discover("52:54:00:e2:e0:50", OVMF_X64_PXE)
        finally:
            client.close()
        self.assertIsNotNone(reply)
        self.assertTrue(reply.yiaddr.startswith("198.51.100."), reply.yiaddr)
        self.assertEqual(reply.file, "relay/ipxe.efi")
        self.assertEqual(reply.siaddr, "198.51.100.5")
        self.assertEqual(reply.options.get(66), b"198.51.100.5")


class Observability(unittest.TestCase):
    def test_statistics_per_family_and_transport(self):
        client = Client4(SERVER, IFACE)
        try:
            before = statistic(SOCK, "netboot.efi-x64.tftp")
            self.assertIsNotNone(client.discover("52:54:00:e2:e0:60", OVMF_X64_PXE))
            self.assertEqual(statistic(SOCK, "netboot.efi-x64.tftp"), before + 1)
            self.assertIsNotNone(client.discover("52:54:00:e2:e0:61", OVMF_X64_HTTP))
            self.assertGreaterEqual(statistic(SOCK, "netboot.efi-x64.http"), 1)
        finally:
            client.close()

    def test_decision_logged_per_client(self):
        client = Client4(SERVER, IFACE)
        try:
            self.assertIsNotNone(client.discover("52:54:00:e2:e0:62", OVMF_IA32_PXE))
        finally:
            client.close()
        mine = [e for e in decisions.read(LOG) if e.get("mac") == "52:54:00:e2:e0:62"]
        self.assertTrue(mine, "no decision logged for the client")
        self.assertTrue(decisions.matches(mine[-1], family="dhcp4", mac_source="chaddr", arch="efi-ia32",
                                          transport="tftp", ipxe=False, boot_file="grubnetia32.efi"), mine[-1])


if __name__ == "__main__":
    unittest.main()
