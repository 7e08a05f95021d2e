"""HA: a pair of kea-dhcp4 or kea-dhcp6 servers (NB_FAMILY) in Kea's
load-balancing mode, each with the netboot hook. The operator assigns a
profile on both peers (each through its own kea-ctrl-agent); one peer dies
in the middle of a boot chain; the machine still gets its assigned profile
from the other."""

import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools"))
from netboot_probe import PROFILES, Client4, Client6  # noqa: E402

FAMILY = int(os.environ.get("NB_FAMILY", "4"))
SERVICE = "dhcp%d" % FAMILY
IFACE = os.environ["NB_IFACE"]
ROOT = os.environ["NB_ROOT"]
PEERS = {"192.0.2.1": "http://192.0.2.1:8000/", "192.0.2.3": "http://192.0.2.3:8000/"}
PID_FILES = {"192.0.2.1": os.path.join(ROOT, "s1", "kea.pid"), "192.0.2.3": os.path.join(ROOT, "s2", "kea.pid")}


def command(url, name, arguments=None):
    body = {"command": name, "service": [SERVICE]}
    if arguments is not None:
        body["arguments"] = arguments
    out = subprocess.run(["curl", "-sS", "--max-time", "5", "-X", "POST", "-H", "Content-Type: application/json",
                          "-d", json.dumps(body), url], check=True, capture_output=True, text=True).stdout
    return json.loads(out)[0]


# The peers by their address on the boot link: it is the {server} of every
# URL they answer (DHCPv4: also the server identifier).
SERVED_BY = {"192.0.2.1": ("192.0.2.1", "2001:db8::1"), "192.0.2.3": ("192.0.2.3", "2001:db8::3")}


def firmware(mac):
    """The firmware's stage (v4 OFFER, v6 ADVERTISE): (boot file, peer) or None."""
    if FAMILY == 4:
        client = Client4("192.0.2.1", IFACE)
        try:
            offer = client.discover(mac, PROFILES["uefi-x64-pxe"][1], timeout=2.0)
        finally:
            client.close()
        return (offer.file, ".".join(str(b) for b in offer.options[54])) if offer else None
    client = Client6(IFACE)
    try:
        advertise = client.solicit(mac, PROFILES["uefi-x64-pxe6"][1], timeout=2.0)
    finally:
        client.close()
    if not advertise:
        return None
    url = advertise.text(59)
    return url, next(peer for peer, (_, v6) in SERVED_BY.items() if "[%s]" % v6 in url)


def ipxe(mac):
    """iPXE's stage, acknowledged (v4 ACK, v6 REPLY): the script URL or None."""
    if FAMILY == 4:
        client = Client4("192.0.2.1", IFACE)
        try:
            _, ack = client.dora(mac, PROFILES["ipxe-efi"][1])
        finally:
            client.close()
        return ack.file if ack else None
    client = Client6(IFACE)
    try:
        reply = client.information_request(mac, PROFILES["ipxe-efi6"][1], timeout=2.0)
    finally:
        client.close()
    return reply.text(59) if reply else None


def host(peer):
    """How a URL names the peer: its address on the link, bracketed for IPv6."""
    v4, v6 = SERVED_BY[peer]
    return v4 if FAMILY == 4 else "[%s]" % v6


def retried(ask, seconds=45):
    """What `ask` answers first, asking again each second (a client's
    retransmissions) for at most `seconds`; None if it never answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = ask()
        if answer is not None:
            return answer
        time.sleep(1)
    return None


def ha_state(url):
    try:
        answer = command(url, "ha-heartbeat")
        return answer.get("arguments", {}).get("state")
    except (subprocess.CalledProcessError, ValueError, KeyError, IndexError):
        return None


CTL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "kea-config", "netboot-ctl")


class Failover(unittest.TestCase):
    def wait_for_load_balancing(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(ha_state(url) == "load-balancing" for url in PEERS.values()):
                return
            time.sleep(0.5)
        self.fail("HA pair never reached load-balancing: %s" % {u: ha_state(u) for u in PEERS.values()})

    # Runs first (by name): both peers are alive.
    def test_a_used_once_is_withdrawn_from_the_other_peer(self):
        """netboot-ctl sets "once" on both peers and watches the boot; when
        the peer that answered iPXE has used its copy up, the other peer's
        copy is withdrawn, so it cannot serve the rescue a second time."""
        self.wait_for_load_balancing()
        mac = "52:54:00:bb:00:02"
        controls = []
        for i, url in enumerate(PEERS.values()):
            path = os.path.join(ROOT, "control-%d.json" % i)
            with open(path, "w") as f:
                json.dump({"via": "kea-ctrl-agent", SERVICE: {"url": url, "service": SERVICE}}, f)
            controls += ["--control", path]
        ctl = [sys.executable, CTL, "--site", os.path.join(ROOT, "no-site.json")] + controls
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
        self.wait_for_load_balancing()

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
