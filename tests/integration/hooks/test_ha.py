"""HA: a pair of kea-dhcp4 servers in Kea's load-balancing mode, each with
the netboot hook. The operator assigns a profile on both peers (each
through its own kea-ctrl-agent); one peer dies in the middle of a boot
chain; the machine still gets its assigned profile from the other."""

import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools"))
from netboot_probe import PROFILES, Client4  # noqa: E402

IFACE = os.environ["NB_IFACE"]
ROOT = os.environ["NB_ROOT"]
PEERS = {"192.0.2.1": "http://192.0.2.1:8000/", "192.0.2.3": "http://192.0.2.3:8000/"}
PID_FILES = {"192.0.2.1": os.path.join(ROOT, "s1", "kea.pid"), "192.0.2.3": os.path.join(ROOT, "s2", "kea.pid")}


def command(url, name, arguments=None):
    body = {"command": name, "service": ["dhcp4"]}
    if arguments is not None:
        body["arguments"] = arguments
    out = subprocess.run(["curl", "-sS", "--max-time", "5", "-X", "POST", "-H", "Content-Type: application/json",
                          "-d", json.dumps(body), url], check=True, capture_output=True, text=True).stdout
    return json.loads(out)[0]


def discover(mac, profile, timeout=2.0):
    client = Client4("192.0.2.1", IFACE)
    try:
        return client.discover(mac, PROFILES[profile][1], timeout=timeout)
    finally:
        client.close()


def ha_state(url):
    try:
        answer = command(url, "ha-heartbeat")
        return answer.get("arguments", {}).get("state")
    except (subprocess.CalledProcessError, ValueError, KeyError, IndexError):
        return None


class Failover(unittest.TestCase):
    def test_assigned_profile_survives_losing_a_peer(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(ha_state(url) == "load-balancing" for url in PEERS.values()):
                break
            time.sleep(0.5)
        else:
            self.fail("HA pair never reached load-balancing: %s" % {u: ha_state(u) for u in PEERS.values()})

        mac = "52:54:00:bb:00:01"
        for url in PEERS.values():
            answer = command(url, "netboot-assignment-set", {"hw-address": mac, "profile": "rescue", "once": True})
            self.assertEqual(answer["result"], 0, answer)

        # Firmware stage: answered by the peer that load-balancing gives this MAC.
        offer = discover(mac, "uefi-x64-pxe")
        self.assertIsNotNone(offer)
        self.assertEqual(offer.file, "rescue/ipxe.efi")
        serving = ".".join(str(b) for b in offer.options[54])
        survivor = [a for a in PEERS if a != serving][0]

        # The serving peer dies before iPXE asks for its script.
        with open(PID_FILES[serving]) as f:
            os.kill(int(f.read()), 9)

        # iPXE retries until the survivor takes over the dead peer's clients.
        deadline = time.monotonic() + 45
        reply = None
        while time.monotonic() < deadline:
            client = Client4("192.0.2.1", IFACE)
            try:
                _, reply = client.dora(mac, PROFILES["ipxe-efi"][1])
            finally:
                client.close()
            if reply is not None:
                break
            time.sleep(1)
        self.assertIsNotNone(reply, "the surviving peer never answered: %s" % ha_state(PEERS[survivor]))
        self.assertEqual(".".join(str(b) for b in reply.options[54]), survivor)
        self.assertEqual(reply.file, "http://%s/rescue.ipxe" % survivor)
        # Used up on the survivor: the next boot is normal again.
        self.assertEqual(command(PEERS[survivor], "netboot-assignment-get", {"hw-address": mac})["result"], 3)
        offer = discover(mac, "uefi-x64-pxe")
        self.assertIsNotNone(offer)
        self.assertEqual(offer.file, "ipxe.efi")


if __name__ == "__main__":
    unittest.main()
