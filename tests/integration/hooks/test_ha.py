"""HA: a pair of kea-dhcp4 or kea-dhcp6 servers (NB_FAMILY) in Kea's
load-balancing mode, each with the netboot hook. The operator assigns a
profile on both peers (each through its own kea-ctrl-agent); one peer dies
in the middle of a boot chain; the machine still gets its assigned profile
from the other."""

import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ha_pair import (FAMILY, PEERS, PID_FILES, command, firmware, ha_state, host, ipxe,  # noqa: E402
                     netboot_ctl, retried, wait_for_load_balancing)


class Failover(unittest.TestCase):
    # Runs first (by name): both peers are alive.
    def test_a_used_once_is_withdrawn_from_the_other_peer(self):
        """netboot-ctl sets "once" on both peers and watches the boot; when
        the peer that answered iPXE has used its copy up, the other peer's
        copy is withdrawn, so it cannot serve the rescue a second time."""
        wait_for_load_balancing()
        mac = "52:54:00:bb:00:02"
        ctl = netboot_ctl()
        r = subprocess.run(ctl + ["rescue", mac], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        watch = subprocess.Popen(ctl + ["--timeout", "60", "watch", mac], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        try:
            time.sleep(1.5)  # watch has read where each peer's decisions stand
            offered = retried(lambda: firmware(mac))
            self.assertIsNotNone(offered)
            serving = offered[1]
            # DHCPv6: both peers answer iPXE's INFORMATION-REQUEST, in either order.
            answered = [serving] if FAMILY == 4 else list(PEERS)
            self.assertIn(retried(lambda: ipxe(mac)), ["http://%s/rescue.ipxe" % host(p) for p in answered])
            out, _ = watch.communicate(timeout=90)
        finally:
            if watch.poll() is None:
                watch.kill()
                watch.wait()
        print(out)
        self.assertEqual(watch.returncode, 0, out)
        for url in PEERS.values():
            self.assertEqual(command(url, "netboot-assignment-get", {"hw-address": mac})["result"], 3, url)
        if FAMILY == 4:
            # DHCPv4: only the serving peer saw iPXE, so the other's copy was withdrawn.
            # (DHCPv6: both peers answer an INFORMATION-REQUEST, each using its own copy.)
            other = [url for peer, url in PEERS.items() if peer != serving][0]
            self.assertIn("withdrawn from %s dhcp4" % other, out)

    def test_assigned_profile_survives_losing_a_peer(self):
        wait_for_load_balancing()

        mac = "52:54:00:bb:00:01"
        for url in PEERS.values():
            answer = command(url, "netboot-assignment-set", {"hw-address": mac, "profile": "rescue", "once": True})
            self.assertEqual(answer["result"], 0, answer)

        # Firmware stage: answered by the peer that load-balancing gives this MAC.
        offered = firmware(mac)
        self.assertIsNotNone(offered)
        loader, serving = offered
        self.assertEqual(loader, "rescue/ipxe.efi" if FAMILY == 4 else "tftp://%s/rescue/ipxe.efi" % host(serving))
        survivor = [a for a in PEERS if a != serving][0]

        # The serving peer dies before iPXE asks for its script.
        with open(PID_FILES[serving]) as f:
            os.kill(int(f.read()), 9)
        killed = time.monotonic()

        # iPXE retries until the survivor takes over the dead peer's clients
        # (DHCPv6 INFORMATION-REQUESTs are answered by both peers at once).
        script = retried(lambda: ipxe(mac))
        self.assertIsNotNone(script, "the surviving peer never answered: %s" % ha_state(PEERS[survivor]))
        print("DHCPv%d: %s killed; iPXE answered by %s %.1f s later" % (FAMILY, serving, survivor,
                                                                       time.monotonic() - killed))
        self.assertEqual(script, "http://%s/rescue.ipxe" % host(survivor))
        # Used up on the survivor: the next boot is normal again.
        self.assertEqual(command(PEERS[survivor], "netboot-assignment-get", {"hw-address": mac})["result"], 3)
        offered = retried(lambda: firmware(mac))
        self.assertIsNotNone(offered, "the surviving peer never took over: %s" % ha_state(PEERS[survivor]))
        print("DHCPv%d: the firmware's next exchange answered by %s %.1f s after the kill (%s)"
              % (FAMILY, survivor, time.monotonic() - killed, ha_state(PEERS[survivor])))
        self.assertEqual(offered, ("ipxe.efi" if FAMILY == 4 else "tftp://%s/ipxe.efi" % host(survivor), survivor))


if __name__ == "__main__":
    unittest.main()
