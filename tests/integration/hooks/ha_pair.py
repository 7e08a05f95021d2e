"""The HA pair run_ha.sh starts (NB_FAMILY, NB_IFACE, NB_ROOT): its peers,
their control path and a client of both stages of a boot chain, shared by
test_ha.py and test_shared_store.py."""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools"))
from netboot_probe import INFORMATION_REQUEST, PROFILES, REPLY, Client4, Client6  # noqa: E402

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


def firmware4(mac):
    """The firmware's DHCPv4 OFFER: (boot file, peer) or None."""
    client = Client4("192.0.2.1", IFACE)
    try:
        offer = client.discover(mac, PROFILES["uefi-x64-pxe"][1], timeout=2.0)
    finally:
        client.close()
    return (offer.file, ".".join(str(b) for b in offer.options[54])) if offer else None


def ask6(exchange, mac, profile):
    """One DHCPv6 exchange of a client like PROFILES[profile]: the first answer or None."""
    client = Client6(IFACE)
    try:
        return exchange(client, mac, PROFILES[profile][1], timeout=2.0)
    finally:
        client.close()


def firmware(mac):
    """The firmware's stage (v4 OFFER, v6 ADVERTISE): (boot file, peer) or None."""
    if FAMILY == 4:
        return firmware4(mac)
    advertise = ask6(Client6.solicit, mac, "uefi-x64-pxe6")
    if not advertise:
        return None
    url = advertise.text(59)
    return url, next(peer for peer, (_, v6) in SERVED_BY.items() if "[%s]" % v6 in url)


def ipxe4(mac):
    """iPXE's DORA over DHCPv4: the script URL it is acknowledged, or None."""
    client = Client4("192.0.2.1", IFACE)
    try:
        _, ack = client.dora(mac, PROFILES["ipxe-efi"][1])
    finally:
        client.close()
    return ack.file if ack else None


def ipxe(mac):
    """iPXE's stage, acknowledged (v4 ACK, v6 REPLY): the script URL or None."""
    if FAMILY == 4:
        return ipxe4(mac)
    reply = ask6(Client6.information_request, mac, "ipxe-efi6")
    return reply.text(59) if reply else None


def ipxe6_all(mac, timeout=2.0):
    """iPXE's INFORMATION-REQUEST: the script URL of every REPLY (every
    DHCPv6 server on the link answers one)."""
    client = Client6(IFACE)
    try:
        replies = client.exchange_all(INFORMATION_REQUEST, mac, PROFILES["ipxe-efi6"][1], REPLY, with_ia=False,
                                      timeout=timeout)
    finally:
        client.close()
    return [r.text(59) for r in replies]


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




def wait_for_load_balancing():
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if all(ha_state(url) == "load-balancing" for url in PEERS.values()):
            return
        time.sleep(0.5)
    raise AssertionError("HA pair never reached load-balancing: %s" % {u: ha_state(u) for u in PEERS.values()})


def netboot_ctl():
    """netboot-ctl's command line for both peers (a control file each)."""
    controls = []
    for i, url in enumerate(PEERS.values()):
        path = os.path.join(ROOT, "control-%d.json" % i)
        with open(path, "w") as f:
            json.dump({"via": "kea-ctrl-agent", SERVICE: {"url": url, "service": SERVICE}}, f)
        controls += ["--control", path]
    return [sys.executable, CTL, "--site", os.path.join(ROOT, "no-site.json")] + controls
