#!/usr/bin/env python3
"""The hook's log messages (hooks/kea/netboot_messages.mes): every message
has a description, every one is logged somewhere, and the generator refuses
a message without a description or defined twice."""
import glob
import os
import re
import subprocess
import sys
import tempfile
import unittest

TOP = os.environ.get("NETBOOT_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
MES = os.path.join(TOP, "hooks", "kea", "netboot_messages.mes")
GEN = os.path.join(TOP, "hooks", "kea", "gen_messages.py")


def generate(mes_text):
    with tempfile.TemporaryDirectory() as out:
        mes = os.path.join(out, "t.mes")
        with open(mes, "w") as f:
            f.write(mes_text)
        r = subprocess.run([sys.executable, GEN, mes, out], capture_output=True, text=True)
        header = open(os.path.join(out, "messages.h")).read() if r.returncode == 0 else ""
        return r, header


class Messages(unittest.TestCase):
    def test_every_message_is_logged_by_the_hook(self):
        with open(MES) as f:
            ids = re.findall(r"^% (\w+) ", f.read(), re.M)
        self.assertGreaterEqual(len(ids), 10)
        code = "".join(open(p).read() for p in glob.glob(os.path.join(TOP, "hooks", "kea", "*.cc")))
        unused = [i for i in ids if not re.search(r"\b%s\b" % i, code)]
        self.assertEqual(unused, [], "messages no code logs")

    def test_generates_ids_and_table(self):
        r, header = generate("$NAMESPACE demo\n% DEMO_ONE one %1\nWhen one happens.\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("namespace demo", header)
        self.assertIn("extern const isc::log::MessageID DEMO_ONE;", header)

    def test_refuses_a_message_without_description(self):
        r, _ = generate("$NAMESPACE demo\n% DEMO_ONE one\nDescribed.\n\n% DEMO_TWO two\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("t.mes:5: DEMO_TWO has no description", r.stderr)

    def test_refuses_a_message_defined_twice(self):
        r, _ = generate("$NAMESPACE demo\n% DEMO_ONE one\nA.\n% DEMO_ONE again\nB.\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("DEMO_ONE defined twice", r.stderr)


if __name__ == "__main__":
    unittest.main()
