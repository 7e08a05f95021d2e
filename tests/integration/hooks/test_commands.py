"""The remote-maintenance story through the real kea-ctrl-agent (curl to its
HTTP port) and the real kea-dhcp4/6: boot profiles assigned per host, once
or until deleted, persisted across restarts. Runs in the client namespace
set up by run.sh, for the family in NB_FAMILY."""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "kea-config"))
from netboot_site import decisions  # noqa: E402
from netboot_probe import PROFILES, Client4, Client6  # noqa: E402

FAMILY = int(os.environ["NB_FAMILY"])
SERVICE = "dhcp%d" % FAMILY
CA = os.environ["NB_CA"]
# Kea 3's own HTTP control socket wants basic authentication (user:password);
# kea-ctrl-agent (Kea 2.x) is reached without.
CA_USER = os.environ.get("NB_CA_USER", "")
DIR = os.environ["NB_DIR"]
IFACE = os.environ["NB_IFACE"]
STATE = os.path.join(DIR, "assignments.json")
LOG = os.path.join(DIR, "kea.log")


def read(path):
    with open(path) as f:
        return f.read()


def command(name, arguments=None):
    """One command through kea-ctrl-agent, as an operator sends it with curl."""
    body = {"command": name, "service": [SERVICE]}
    if arguments is not None:
        body["arguments"] = arguments
    auth = ["-u", CA_USER] if CA_USER else []
    out = subprocess.run(["curl", "-sS", "--max-time", "10", "-X", "POST", "-H", "Content-Type: application/json",
                          "-d", json.dumps(body)] + auth + [CA], check=True, capture_output=True, text=True).stdout
    answer = json.loads(out)
    assert isinstance(answer, list) and len(answer) == 1, out
    return answer[0]


def decisions_for(mac):
    """The hook's decisions for one client, from its log (debug level 15)."""
    return [e for e in decisions.read(LOG) if e.get("mac") == mac]


def firmware(mac, complete=False):
    """The firmware's stage: what a UEFI x64 PXE client is offered (v4
    OFFER, v6 ADVERTISE) or, when complete, acknowledged (ACK, REPLY)."""
    if FAMILY == 4:
        c = Client4("192.0.2.1", IFACE)
        try:
            if complete:
                _, reply = c.dora(mac, PROFILES["uefi-x64-pxe"][1])
            else:
                reply = c.discover(mac, PROFILES["uefi-x64-pxe"][1])
            return reply.file if reply else None
        finally:
            c.close()
    c = Client6(IFACE)
    try:
        if complete:
            reply = c.information_request(mac, PROFILES["uefi-x64-pxe6"][1])
        else:
            reply = c.solicit(mac, PROFILES["uefi-x64-pxe6"][1])
        return reply.text(59) if reply else None
    finally:
        c.close()


def ipxe(mac, complete=True):
    """iPXE's stage: the script URL it is finally acknowledged (v4 ACK, v6
    REPLY), or only offered (v4 OFFER) when complete is False."""
    if FAMILY == 4:
        c = Client4("192.0.2.1", IFACE)
        try:
            if not complete:
                reply = c.discover(mac, PROFILES["ipxe-efi"][1])
                return reply.file if reply else None
            _, ack = c.dora(mac, PROFILES["ipxe-efi"][1])
            return ack.file if ack else None
        finally:
            c.close()
    c = Client6(IFACE)
    try:
        if not complete:
            reply = c.solicit(mac, PROFILES["ipxe-efi6"][1])  # ADVERTISE: not the end of the chain
            return reply.text(59) if reply else None
        reply = c.information_request(mac, PROFILES["ipxe-efi6"][1])
        return reply.text(59) if reply else None
    finally:
        c.close()


SERVER = "192.0.2.1" if FAMILY == 4 else "[2001:db8::1]"
DEFAULT_SCRIPT = "http://%s/boot/%%s.ipxe" % SERVER
RESCUE_SCRIPT = "http://%s/rescue.ipxe" % SERVER
RESCUE_LOADER = "rescue/ipxe.efi" if FAMILY == 4 else "tftp://[2001:db8::1]/rescue/ipxe.efi"
DEFAULT_LOADER = "ipxe.efi" if FAMILY == 4 else "tftp://[2001:db8::1]/ipxe.efi"


class RemoteMaintenance(unittest.TestCase):
    def test_once_lasts_exactly_one_boot_chain(self):
        mac = "52:54:00:aa:00:01"
        answer = command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue", "once": True})
        self.assertEqual(answer["result"], 0, answer)
        # The firmware's exchanges and retries do not use it up...
        self.assertEqual(firmware(mac), RESCUE_LOADER)
        self.assertEqual(firmware(mac), RESCUE_LOADER)
        # ... nor an offer to iPXE ...
        self.assertEqual(ipxe(mac, complete=False), RESCUE_SCRIPT)
        self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 0)
        # ... the acknowledged script at the end of the chain does.
        self.assertEqual(ipxe(mac), RESCUE_SCRIPT)
        self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 3)
        # The log says which profile each answer came from.
        last = decisions_for(mac)[-1]
        self.assertEqual((last["profile"], last.get("assignment")), ("rescue", "once"), last)
        # The next boot is back to normal.
        self.assertEqual(firmware(mac), DEFAULT_LOADER)
        self.assertEqual(ipxe(mac), DEFAULT_SCRIPT % mac)
        last = decisions_for(mac)[-1]
        self.assertEqual((last["profile"], last.get("assignment")), ("default", None), last)

    def test_control_path_authentication(self):
        """Kea 3's HTTP socket refuses a command without the right password;
        the test's kea-ctrl-agent (Kea 2.x) is configured without any."""
        body = json.dumps({"command": "netboot-status", "service": [SERVICE]})
        def ask(*auth):
            return json.loads(subprocess.run(["curl", "-sS", "--max-time", "10", "-X", "POST", "-H",
                                              "Content-Type: application/json", "-d", body] + list(auth) + [CA],
                                             check=True, capture_output=True, text=True).stdout)
        if CA_USER:
            for auth in ([], ["-u", CA_USER.split(":")[0] + ":wrong"]):
                answer = ask(*auth)
                self.assertEqual(answer.get("result"), 401, answer)
        self.assertEqual(command("netboot-status")["result"], 0)

    def test_until_deleted_and_listing(self):
        mac = "52:54:00:aa:00:02"
        self.assertEqual(command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue"})["result"], 0)
        for _ in range(2):
            self.assertEqual(ipxe(mac), RESCUE_SCRIPT)
        listed = command("netboot-assignment-list")
        self.assertIn(mac, [a.get("hw-address") for a in listed["arguments"]["assignments"]])
        self.assertEqual(command("netboot-assignment-del", {"hw-address": mac})["result"], 0)
        self.assertEqual(command("netboot-assignment-del", {"hw-address": mac})["result"], 3)
        self.assertEqual(ipxe(mac), DEFAULT_SCRIPT % mac)

    def test_expiry(self):
        mac = "52:54:00:aa:00:03"
        answer = command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue", "expires-in": 1})
        self.assertEqual(answer["result"], 0, answer)
        self.assertEqual(firmware(mac), RESCUE_LOADER)  # lasts at least its second, even across a tick
        time.sleep(2.1)
        self.assertEqual(firmware(mac), DEFAULT_LOADER)
        self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 3)

    def test_bad_arguments_name_the_field(self):
        cases = [
            ({"hw-address": "52:54:00:aa:00:04", "profile": "nope"}, "profile"),
            ({"hw-address": "52:54:zz", "profile": "rescue"}, "hw-address"),
            ({"hw-address": "52:54:00:aa:00:04", "duid": "00:01:02", "profile": "rescue"}, "duid"),
            ({"hw-address": "52:54:00:aa:00:04", "profile": "rescue", "expires-in": -5}, "expires-in"),
            ({"hw-address": "52:54:00:aa:00:04", "profile": "rescue", "once": "yes"}, "once"),
            ({"profile": "rescue"}, "hw-address"),
            ({"hw-address": "52:54:00:aa:00:04"}, "profile"),
        ]
        for arguments, field in cases:
            answer = command("netboot-assignment-set", arguments)
            self.assertEqual(answer["result"], 1, (arguments, answer))
            self.assertIn(field, answer["text"], (arguments, answer))
        self.assertEqual(command("netboot-assignment-get", {"hw-address": "52:54:00:aa:00:04"})["result"], 3)

    def test_status(self):
        firmware("52:54:00:aa:00:05")
        status = command("netboot-status")
        self.assertEqual(status["result"], 0, status)
        args = status["arguments"]
        self.assertEqual(args["state"], "ok")
        self.assertIn("rescue", args["profiles"])
        self.assertGreater(sum(args["counters"].values()), 0)
        recent = args["recent"][0]
        self.assertEqual(recent["client"], "52:54:00:aa:00:05")
        self.assertEqual(recent["arch"], "efi-x64")
        self.assertEqual(recent["answer"], "tftp")

    def test_status_keeps_the_last_32_decisions_newest_first(self):
        macs = ["52:54:00:ab:00:%02x" % i for i in range(40)]
        for mac in macs:
            firmware(mac)
        recent = command("netboot-status")["arguments"]["recent"]
        self.assertEqual([r["client"] for r in recent], macs[::-1][:32])

    def test_commands_during_dhcp_traffic(self):
        stop = threading.Event()
        errors = []

        def traffic():
            while not stop.is_set():
                try:
                    if firmware("52:54:00:aa:01:%02x" % (int(time.time() * 10) % 200)) is None:
                        errors.append("unanswered")
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(repr(e))

        thread = threading.Thread(target=traffic)
        thread.start()
        try:
            for i in range(30):
                mac = "52:54:00:aa:02:%02x" % i
                self.assertEqual(command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue"})["result"], 0)
                self.assertEqual(command("netboot-assignment-del", {"hw-address": mac})["result"], 0)
        finally:
            stop.set()
            thread.join(timeout=30)
        self.assertEqual(errors, [])


def log_has(message, text=""):
    with open(LOG, encoding="utf-8", errors="replace") as log:
        return any(message in line and text in line for line in log)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


CTL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "kea-config", "netboot-ctl")


class NetbootCtl(unittest.TestCase):
    """The operator's command against the real daemon: assignments by host
    name or MAC through the control path netboot-render's
    netboot-control.json describes, JSON output, and exit codes a script can
    use. The daemon's state is read back with the raw commands."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        path = {"url": CA, "service": SERVICE}
        if CA_USER:
            user, _, secret = CA_USER.partition(":")
            self.write("api-password", secret)
            path.update(user=user, **{"password-file": os.path.join(self.tmp.name, "api-password")})
        self.control = self.write("netboot-control.json", json.dumps({"kea-version": "x", SERVICE: path}))
        self.bmc_secret = "s3cret-not-for-logs"
        self.write("bmc-web-02", self.bmc_secret)
        self.site = self.write("netboot-site.json", json.dumps({"hosts": [
            {"name": "web-01", "macs": ["52:54:00:ac:00:01"], "bmc": None},
            {"name": "web-02", "macs": ["52:54:00:ac:00:02"],
             # nothing answers IPMI there: the BMC is unreachable
             "bmc": {"address": "192.0.2.77", "port": 623, "user": "admin",
                     "password-file": os.path.join(self.tmp.name, "bmc-web-02")}},
            {"name": "sb-01", "macs": ["52:54:00:ac:00:05"], "network": "lab"}],
            "networks": [{"name": "lab", "secure-boot": True}]}))

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def ctl(self, *args, control=None):
        return subprocess.run([sys.executable, CTL, "--control", control or self.control, "--site", self.site]
                              + list(args), capture_output=True, text=True, timeout=120)

    def test_rescue_by_host_name_once_then_normal(self):
        mac = "52:54:00:ac:00:01"
        r = self.ctl("--json", "rescue", "web-01")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual((out["target"], out["macs"]), ("web-01", [mac]))
        got = command("netboot-assignment-get", {"hw-address": mac})
        self.assertEqual(got["result"], 0, got)
        self.assertEqual(ipxe(mac), RESCUE_SCRIPT)
        self.assertEqual(ipxe(mac), DEFAULT_SCRIPT % mac)

    def test_secure_boot_host_rescued_through_its_loader(self):
        """A Secure Boot host runs shim and GRUB, never iPXE: it is handed its
        profile's copy of shim (GRUB reads the profile from that name), and
        "once" is used up when the firmware is acknowledged that loader."""
        mac = "52:54:00:ac:00:05"
        prefix = "" if FAMILY == 4 else "tftp://[2001:db8::1]/"
        r = self.ctl("rescue", "sb-01")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(firmware(mac), prefix + "profile-rescue/shimx64.efi")
        self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 0)  # an offer: kept
        self.assertEqual(firmware(mac, complete=True), prefix + "profile-rescue/shimx64.efi")
        self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 3)  # used up
        self.assertEqual(firmware(mac, complete=True), prefix + "shimx64.efi")
        # A machine without Secure Boot sent the same profile still gets iPXE.
        other = "52:54:00:ac:00:06"
        self.assertEqual(self.ctl("rescue", other).returncode, 0)
        self.assertEqual(firmware(other, complete=True), RESCUE_LOADER)
        self.assertEqual(command("netboot-assignment-get", {"hw-address": other})["result"], 0)
        self.assertEqual(self.ctl("clear", other).returncode, 0)

    def test_boot_until_cleared_list_status_clear(self):
        mac = "52:54:00:ac:00:03"
        r = self.ctl("--until-cleared", "boot", "rescue", mac)
        self.assertEqual(r.returncode, 0, r.stderr)
        for _ in range(2):
            self.assertEqual(ipxe(mac), RESCUE_SCRIPT)
        listed = json.loads(self.ctl("--json", "list").stdout)
        self.assertIn(mac, [a.get("hw-address") for a in listed["daemons"][0]["assignments"]])
        status = json.loads(self.ctl("--json", "status", mac).stdout)
        self.assertEqual(status["daemons"][0]["status"]["state"], "ok")
        self.assertIsNotNone(status["daemons"][0]["assignments"][mac])
        self.assertEqual(self.ctl("clear", mac).returncode, 0)
        self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 3)
        self.assertEqual(self.ctl("clear", mac).returncode, 0, "clearing twice is not an error")
        self.assertEqual(ipxe(mac), DEFAULT_SCRIPT % mac)

    def test_exit_codes_name_what_failed(self):
        r = self.ctl("rescue", "no-such-host")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("neither a MAC nor a host", r.stderr)
        dead = self.write("dead.json", json.dumps({"dhcp4": {"url": "http://192.0.2.1:9/", "service": "dhcp4"}}))
        r = self.ctl("rescue", "52:54:00:ac:00:04", control=dead)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("unreachable", r.stderr)
        r = self.ctl("boot", "nope", "52:54:00:ac:00:04")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("profile", r.stderr)
        r = self.ctl("--power-cycle", "rescue", "web-01")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("no BMC", r.stderr)

    def test_unreachable_bmc_changes_nothing_and_keeps_the_secret(self):
        mac = "52:54:00:ac:00:02"
        r = self.ctl("--json", "--power-cycle", "rescue", "web-02")
        self.assertEqual(r.returncode, 5, r.stdout + r.stderr)
        self.assertIn("BMC of web-02 at 192.0.2.77: asking the power state failed", r.stderr)
        self.assertNotIn(self.bmc_secret, r.stdout + r.stderr)
        self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 3)


@unittest.skipUnless(FAMILY == 6, "DHCPv6 only")
class RealIpxe6(unittest.TestCase):
    """Issue 16: iPXE over DHCPv6 identifies itself with a DUID-UUID from a
    link-local address; a VM's MAC is locally administered."""

    def test_once_by_mac_used_up_by_ipxe_reply(self):
        from test_hook_v6 import IPXE, Ipxe6
        mac = "52:54:00:16:01:01"
        answer = command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue", "once": True})
        self.assertEqual(answer["result"], 0, answer)
        with Ipxe6(mac) as client:
            reply = client.solicit(IPXE)  # ADVERTISE: not the end of the chain
            self.assertEqual(reply.text(59) if reply else None, RESCUE_SCRIPT)
            self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 0)
            reply = client.information_request(IPXE)
            self.assertEqual(reply.text(59) if reply else None, RESCUE_SCRIPT)
            self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 3)
            self.assertTrue(log_has("NETBOOT_ASSIGNMENT_CONSUMED", mac))
            reply = client.information_request(IPXE)
            self.assertEqual(reply.text(59) if reply else None, DEFAULT_SCRIPT % mac)

    def test_once_by_mac_used_up_through_a_relay_with_option_79(self):
        from test_hook_v6 import IPXE, Ipxe6
        mac = "52:54:00:16:01:79"
        answer = command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue", "once": True})
        self.assertEqual(answer["result"], 0, answer)
        with Ipxe6(mac, relay79=True, peer="fe80::1") as client:
            reply = client.information_request(IPXE)
        self.assertEqual(reply.text(59) if reply else None, "http://[2001:db8:1::5]/rescue.ipxe")
        self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 3)


class StateFileWhileRunning(unittest.TestCase):
    """Issue 16: the state file is looked at again at every command."""

    def tearDown(self):
        if os.path.exists(STATE) and "version" not in read(STATE):
            os.unlink(STATE)
        command("netboot-status")  # lets the hook see the repaired file

    def test_edit_on_disk_is_noticed_not_overwritten(self):
        a, b, c = "52:54:00:16:02:0a", "52:54:00:16:02:0b", "52:54:00:16:02:0c"
        self.assertEqual(command("netboot-assignment-set", {"hw-address": a, "profile": "rescue"})["result"], 0)
        # The operator restores another file (a backup, a hand edit) while Kea runs.
        time.sleep(0.01)
        write(STATE + ".new", json.dumps({"version": 1, "assignments": [
            {"hw-address": b, "profile": "rescue", "once": False, "created-at": 1}]}) + "\n")
        os.rename(STATE + ".new", STATE)
        listed = [x.get("hw-address") for x in command("netboot-assignment-list")["arguments"]["assignments"]]
        self.assertIn(b, listed)
        self.assertNotIn(a, listed)
        self.assertTrue(log_has("NETBOOT_STATE_CHANGED", STATE))
        self.assertIn("changed on disk", command("netboot-status")["arguments"].get("state-notice", ""))
        self.assertEqual(command("netboot-assignment-set", {"hw-address": c, "profile": "rescue"})["result"], 0)
        self.assertIn(b, read(STATE))  # kept, not overwritten by what Kea held
        self.assertIn(c, read(STATE))
        self.assertEqual(ipxe(b), RESCUE_SCRIPT)
        for mac in (b, c):
            command("netboot-assignment-del", {"hw-address": mac})

    def test_damaged_while_running_then_repaired(self):
        mac = "52:54:00:16:02:10"
        self.assertEqual(command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue"})["result"], 0)
        time.sleep(0.01)
        write(STATE, '{"version": 1, "assignments": [ {"hw-address": "52:54:00:16:02:11", "profile"')
        damaged = read(STATE)
        answer = command("netboot-assignment-set", {"hw-address": "52:54:00:16:02:12", "profile": "rescue"})
        self.assertEqual(answer["result"], 1, answer)
        self.assertIn("read-only", answer["text"])
        self.assertEqual(read(STATE), damaged)  # never written over
        status = command("netboot-status")["arguments"]
        self.assertIn(STATE, status["state"])
        # As after a restart with this file: the defaults, until it is fixed.
        self.assertEqual(ipxe(mac), DEFAULT_SCRIPT % mac)
        self.assertEqual(read(STATE), damaged)
        # Moved away: read-only ends at the next command, without a restart.
        os.rename(STATE, STATE + ".damaged")
        self.assertEqual(command("netboot-status")["arguments"]["state"], "ok")
        self.assertTrue(log_has("NETBOOT_STATE_USABLE_AGAIN", STATE))
        self.assertEqual(command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue"})["result"], 0)
        self.assertEqual(command("netboot-assignment-del", {"hw-address": mac})["result"], 0)
        os.unlink(STATE + ".damaged")

    def test_unreadable_then_readable_again(self):
        mac = "52:54:00:16:02:20"
        self.assertEqual(command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue"})["result"], 0)
        good = read(STATE)
        write(STATE, "not json")
        self.assertIn("read-only", command("netboot-assignment-del", {"hw-address": mac})["text"])
        write(STATE, good)  # repaired in place
        self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 0)
        self.assertEqual(command("netboot-assignment-del", {"hw-address": mac})["result"], 0)


class UnknownProfile(unittest.TestCase):
    """Issue 16: an assignment whose profile left the configuration is
    reported, kept, and neither used as the default nor used up."""

    def test_kept_reported_and_not_consumed_until_the_profile_returns(self):
        mac = "52:54:00:16:03:01"
        path = os.path.join(DIR, "kea.json")
        original = read(path)
        answer = command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue", "once": True})
        self.assertEqual(answer["result"], 0, answer)
        try:
            write(path, original.replace('"profiles": { "rescue":', '"profiles": { "maintenance":', 1))
            self.assertEqual(command("config-reload")["result"], 0)
            self.assertTrue(log_has("NETBOOT_ASSIGNMENT_PROFILE_UNKNOWN", mac))
            status = command("netboot-status")["arguments"]
            self.assertNotEqual(status["state"], "ok")
            self.assertIn(mac, status["state"])
            self.assertIn(mac, [x.get("hw-address") for x in status["assignments-unknown-profile"]])
            listed = {x.get("hw-address"): x for x in command("netboot-assignment-list")["arguments"]["assignments"]}
            self.assertTrue(listed[mac].get("profile-missing"), listed)
            # The default, said so in the log, and the assignment is not used up.
            self.assertEqual(ipxe(mac), DEFAULT_SCRIPT % mac)
            self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 0)
            last = decisions_for(mac)[-1]
            self.assertEqual(last["profile"], "default", last)
            self.assertIn("unknown profile", last.get("assignment-not-used", ""), last)
        finally:
            write(path, original)
            command("config-reload")
        # The profile is back: the assignment applies again and is used up.
        self.assertEqual(command("netboot-status")["arguments"]["state"], "ok")
        self.assertEqual(ipxe(mac), RESCUE_SCRIPT)
        self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 3)


def kea_pid():
    pid_file = os.path.join(DIR, "kea.restarted.pid")
    return int(read(pid_file)) if os.path.exists(pid_file) else int(os.environ["NB_KEA_PID"])


def in_kea_mounts(*args, **kw):
    """Runs a command in kea-dhcp's mount namespace (ip netns exec gave it its
    own, so a mount made here is seen by Kea and not by this test), and in its
    root directory: entering a mount namespace resets the root to the
    namespace's, which in a chroot (tools/release-root) is not Kea's."""
    return subprocess.run(["nsenter", "-t", str(kea_pid()), "-m", "-r"] + list(args), **kw)


def gone(pid):
    """Whether the process has ended. One this test started is reaped here:
    as a zombie its PID would still exist, and Kea, finding it in the PID
    file a SIGKILL left behind, would refuse to start ("already running")."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return True
    except ChildProcessError:
        pass  # not this test's child: run.sh reaps it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


class Persistence(unittest.TestCase):
    def restart_kea(self, signal_number=15, while_stopped=None):
        pid_file = os.path.join(DIR, "kea.restarted.pid")
        pid = kea_pid()
        os.kill(pid, signal_number)
        for _ in range(100):
            if gone(pid):
                break
            time.sleep(0.1)
        if while_stopped:
            while_stopped()
        with open(os.path.join(DIR, "kea.restarted.out"), "a") as log:
            # Outlives this test on purpose; run.sh stops it by the PID recorded below.
            proc = subprocess.Popen(["ip", "netns", "exec", os.environ["NB_SRV_NS"], os.environ["NB_KEA_ENV"], DIR,
                                     "kea-dhcp%d" % FAMILY, "-c", os.path.join(DIR, "kea.json")],
                                    stdout=log, stderr=log)
        proc.returncode = 0  # not ours to wait for (see above)
        with open(pid_file, "w") as f:
            f.write(str(proc.pid))
        for _ in range(100):
            try:
                if command("netboot-status")["result"] == 0:
                    time.sleep(0.5)
                    return
            except (subprocess.CalledProcessError, ValueError, AssertionError):
                pass
            time.sleep(0.1)
        self.fail("Kea did not come back after the restart")

    def test_assignment_survives_restart_and_corrupt_state_is_kept(self):
        mac = "52:54:00:aa:00:10"
        self.assertEqual(command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue"})["result"], 0)
        self.assertIn(mac, read(STATE))
        self.restart_kea()
        self.assertEqual(command("netboot-assignment-get", {"hw-address": mac})["result"], 0)
        self.assertEqual(ipxe(mac), RESCUE_SCRIPT)

        # A damaged state file is reported and never overwritten.
        with open(STATE, "w") as f:
            f.write('{"version": 1, "assignments": [ {"hw-address": "52:54:00:aa:00:11", "profile"')
        damaged = read(STATE)
        self.restart_kea()
        status = command("netboot-status")["arguments"]
        self.assertNotEqual(status["state"], "ok")
        self.assertIn(STATE, status["state"])
        answer = command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue"})
        self.assertEqual(answer["result"], 1)
        self.assertIn("read-only", answer["text"])
        self.assertEqual(read(STATE), damaged)
        # DHCP goes on meanwhile, with the hook's defaults.
        self.assertEqual(firmware("52:54:00:aa:00:12"), DEFAULT_LOADER)
        # Moved away: read-only ends at the next command, no restart needed.
        os.rename(STATE, STATE + ".damaged")
        self.assertEqual(command("netboot-status")["arguments"]["state"], "ok")
        self.assertEqual(command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue"})["result"], 0)
        self.assertTrue(log_has("NETBOOT_STATE_USABLE_AGAIN", STATE))
        os.unlink(STATE + ".damaged")
        os.unlink(STATE)
        self.restart_kea()
        self.assertEqual(command("netboot-status")["arguments"]["state"], "ok")

    def test_what_was_accepted_survives_kill_9_during_writes(self):
        """Assignments are set one after another while kea-dhcp is killed with
        SIGKILL: every one answered "assignment set" is there after the
        restart, and the file is readable (a write cut short leaves at most
        a temp file, never a partial state file)."""
        if not os.path.exists(os.path.join(DIR, "kea.restarted.pid")):
            self.restart_kea()  # a Kea this test starts, so it can reap it after the SIGKILL
        macs = ["52:54:00:ab:%02x:%02x" % (i // 256, i % 256) for i in range(400)]
        accepted = []
        stop = threading.Event()

        def set_all():
            for mac in macs:
                if stop.is_set():
                    return
                try:
                    if command("netboot-assignment-set", {"hw-address": mac, "profile": "rescue"})["result"] == 0:
                        accepted.append(mac)
                except (subprocess.CalledProcessError, ValueError, AssertionError):
                    return  # the server is gone
        setter = threading.Thread(target=set_all)
        setter.start()
        deadline = time.monotonic() + 60
        while len(accepted) < 25 and setter.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            self.assertGreaterEqual(len(accepted), 25, "the sets before the kill were not answered")
            self.assertTrue(setter.is_alive(), "all sets were done before the kill: it hit no write")
            self.restart_kea(signal_number=9)
        finally:
            stop.set()
            setter.join(timeout=30)
        status = command("netboot-status")["arguments"]
        self.assertEqual(status["state"], "ok")
        listed = {a["hw-address"] for a in command("netboot-assignment-list")["arguments"]["assignments"]}
        self.assertEqual([m for m in accepted if m not in listed], [])
        print("\n  SIGKILL after %d accepted sets; after the restart %d listed (at most one more: the set in flight)"
              % (len(accepted), len(listed)), file=sys.stderr)
        self.assertEqual(firmware(accepted[-1]), RESCUE_LOADER)
        # Back to an empty store for the other tests.
        self.restart_kea(while_stopped=lambda: os.unlink(STATE))
        self.assertEqual(command("netboot-assignment-list")["result"], 3)

    def test_a_full_disk_refuses_the_change_and_loses_nothing(self):
        """The state file on a filesystem that fills up: the set that cannot
        be written is refused naming the reason, what was accepted before is
        still served and still on disk, no temp file is left taking space,
        and DHCP goes on; once there is space again the set works."""
        disk = os.path.join(DIR, "small-disk")
        os.makedirs(disk, exist_ok=True)
        state = os.path.join(disk, "assignments.json")
        path = os.path.join(DIR, "kea.json")
        original = read(path)
        in_kea_mounts("mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "netboot-test", disk, check=True)
        try:
            write(path, original.replace(STATE, state, 1))
            self.assertEqual(command("config-reload")["result"], 0)
            first, second = "52:54:00:ad:00:01", "52:54:00:ad:00:02"
            self.assertEqual(command("netboot-assignment-set", {"hw-address": first, "profile": "rescue"})["result"], 0)
            # Fill the filesystem (dd stops at ENOSPC).
            in_kea_mounts("dd", "if=/dev/zero", "of=" + os.path.join(disk, "filler"), "bs=4k",
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            on_disk = in_kea_mounts("cat", state, capture_output=True, text=True, check=True).stdout
            answer = command("netboot-assignment-set", {"hw-address": second, "profile": "rescue"})
            self.assertEqual(answer["result"], 1, answer)
            self.assertIn("not saved, nothing changed", answer["text"])
            self.assertIn("No space left on device", answer["text"])
            self.assertEqual(command("netboot-assignment-get", {"hw-address": second})["result"], 3)
            self.assertEqual(in_kea_mounts("cat", state, capture_output=True, text=True, check=True).stdout, on_disk)
            self.assertEqual(in_kea_mounts("ls", disk, capture_output=True, text=True, check=True).stdout.split(),
                             ["assignments.json", "filler"])
            self.assertEqual(firmware(first), RESCUE_LOADER)
            self.assertEqual(firmware(second), DEFAULT_LOADER)
            in_kea_mounts("rm", os.path.join(disk, "filler"), check=True)
            self.assertEqual(command("netboot-assignment-set", {"hw-address": second, "profile": "rescue"})["result"], 0)
            self.assertEqual(firmware(second), RESCUE_LOADER)
        finally:
            write(path, original)
            command("config-reload")
            in_kea_mounts("umount", disk)
            os.rmdir(disk)
        self.assertEqual(firmware("52:54:00:ad:00:03"), DEFAULT_LOADER)

    def test_config_reload_applies_new_parameters(self):
        """Kea's own config-reload re-reads the file and reloads the hook with
        its new parameters: no netboot-specific reload command is needed."""
        path = os.path.join(DIR, "kea.json")
        original = read(path)
        try:
            with open(path, "w") as f:
                f.write(original.replace('"efi-x64": "ipxe.efi"', '"efi-x64": "reloaded.efi"', 1))
            self.assertEqual(command("config-reload")["result"], 0)
            expected = "reloaded.efi" if FAMILY == 4 else "tftp://[2001:db8::1]/reloaded.efi"
            self.assertEqual(firmware("52:54:00:aa:00:20"), expected)
        finally:
            with open(path, "w") as f:
                f.write(original)
            command("config-reload")
        self.assertEqual(firmware("52:54:00:aa:00:21"), DEFAULT_LOADER)


if __name__ == "__main__":
    unittest.main()
