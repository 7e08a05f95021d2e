#!/usr/bin/env python3
"""Unit tests of netboot_site.decisions, the reader every tool and test uses
for the hook's decision events (docs/decision-events.md). The hook's side is
asserted by the integration tests, which read real Kea logs through it."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

TOP = os.environ.get("NETBOOT_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
sys.path.insert(0, os.path.join(TOP, "kea-config"))

from netboot_site import decisions  # noqa: E402

# As kea-dhcp4 2.2 wrote it in an integration run.
LINE = ('2026-12-04 09:34:23.646 DEBUG [kea-dhcp4.netboot-hooks/9538.140294123323904] NETBOOT_DECISION '
        '{ "answer": "ipxe-script", "arch": "bios", "assignment": "once", '
        '"boot-file": "http://192.0.2.1/profile-rescue.ipxe", "client": "52:54:00:aa:01:24", "family": "dhcp4", '
        '"ipxe": true, "mac": "52:54:00:aa:01:24", "mac-source": "chaddr", '
        '"packet": "[hwtype=1 52:54:00:aa:01:24], cid=[no info], tid=0x85d8530a", "profile": "rescue", '
        '"transport": "tftp", "v": 1, "vendor-class": "PXEClient:Arch:00000:UNDI:002001", '
        '"why": "iPXE: the script" }')


class Decisions(unittest.TestCase):
    def test_parses_the_event_and_nothing_else(self):
        event = decisions.parse(LINE)
        self.assertEqual(event["boot-file"], "http://192.0.2.1/profile-rescue.ipxe")
        self.assertIs(event["ipxe"], True)
        self.assertIsNone(decisions.parse("2026-12-04 09:34:23.646 INFO [kea-dhcp4.netboot-hooks/1.1] "
                                          "NETBOOT_ASSIGNMENT_CONSUMED x"))
        self.assertIsNone(decisions.parse("a line that mentions NETBOOT_DECISION in prose"))

    def test_another_version_is_an_error_not_a_skipped_line(self):
        with self.assertRaisesRegex(ValueError, "version 2"):
            decisions.parse(LINE.replace('"v": 1', '"v": 2'))

    def test_matches_names_keys_with_underscores_and_none_for_absent(self):
        event = decisions.parse(LINE)
        self.assertTrue(decisions.matches(event, arch="bios", ipxe=True, mac_source="chaddr", assignment="once"))
        self.assertFalse(decisions.matches(event, ipxe=False))
        self.assertFalse(decisions.matches(event, boot_file="http://192.0.2.1/profile-rescue"))  # exact, not a search
        self.assertTrue(decisions.matches(event, assignment_not_used=None))
        self.assertFalse(decisions.matches(event, assignment=None))

    def test_summary_and_command_line(self):
        self.assertEqual(decisions.summary(decisions.parse(LINE)),
                         "dhcp4 52:54:00:aa:01:24: bios tftp iPXE -> ipxe-script "
                         "'http://192.0.2.1/profile-rescue.ipxe' (iPXE: the script), profile rescue (assigned once)")
        with tempfile.NamedTemporaryFile("w", suffix=".log") as log:
            log.write("unrelated line\n" + LINE + "\n")
            log.flush()
            out = subprocess.run([sys.executable, "-m", "netboot_site.decisions", log.name], capture_output=True,
                                 text=True, env=dict(os.environ, PYTHONPATH=os.path.join(TOP, "kea-config")))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.count("\n"), 1, out.stdout)
        self.assertIn("profile rescue (assigned once)", out.stdout)
        self.assertEqual(json.loads(LINE.partition("NETBOOT_DECISION ")[2])["v"], decisions.VERSION)


if __name__ == "__main__":
    unittest.main()
