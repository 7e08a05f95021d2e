"""The site's shared store: an HA pair of kea-dhcp4 or kea-dhcp6 (NB_FAMILY)
and a kea-dhcp of the other family on server 1, every hook keeping its
run-time assignments in one real PostgreSQL (run_ha.sh N pgsql). A "once"
assignment set through any daemon is used by exactly one boot: across the
peers, across the families, when the peer that was asked first dies, and
when the database goes away and comes back."""

import concurrent.futures
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ha_pair import (FAMILY, PEERS, PID_FILES, ROOT, command, firmware4, ha_state, host, ipxe,  # noqa: E402
                     ipxe4, ipxe6_all, netboot_ctl, retried, wait_for_load_balancing)
from netboot_probe import kea_command  # noqa: E402

SERVER_DIRS = {peer: os.path.dirname(pid_file) for peer, pid_file in PID_FILES.items()}
OTHER_SOCKET = os.path.join(ROOT, "other", "kea.sock")


def other_family(name, arguments=None):
    return kea_command(OTHER_SOCKET, name, arguments)


def scripts(mac):
    """The last path element of every script URL iPXE is answered (DHCPv4:
    one ACK; DHCPv6: every peer's REPLY), asked again for up to 20 s."""
    def ask():
        answers = ipxe6_all(mac) if FAMILY == 6 else [a for a in [ipxe4(mac)] if a]
        return answers or None

    answers = retried(ask, 20)
    return sorted(a.rsplit("/", 1)[1] for a in answers or [])


def kea_pid(peer):
    with open(os.path.join(SERVER_DIRS[peer], "kea.pid")) as f:
        return int(f.read())


def kill_for_good(peer):
    """SIGKILL the peer's Kea and remove the PID file it left. Its parent
    (the start script) is gone, and this machine's init may reap the
    orphan late: a zombie still "exists", and Kea refuses to start over its
    PID file (DHCP4_ALREADY_RUNNING, DHCP6_ALREADY_RUNNING)."""
    pid = kea_pid(peer)
    os.kill(pid, 9)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
        except OSError:
            break
        time.sleep(0.05)
    for name in os.listdir(SERVER_DIRS[peer]):
        if name.startswith("kea.kea-dhcp") and name.endswith(".pid"):
            os.unlink(os.path.join(SERVER_DIRS[peer], name))


def set_once(url, mac, profile="rescue"):
    answer = command(url, "netboot-assignment-set", {"hw-address": mac, "profile": profile, "once": True})
    assert answer["result"] == 0, answer


def postgres(action):
    pid_file = os.path.join(ROOT, "pg", "pid")
    if action == "stop":
        with open(pid_file) as f:
            pid = int(f.read())
        os.kill(pid, 2)  # fast shutdown: what a restart by the operator does
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and os.path.exists("/proc/%d" % pid):
            time.sleep(0.1)
    else:
        subprocess.run([os.path.join(ROOT, "pg", "start")], check=True, timeout=30)


def postgres_processes():
    """The PostgreSQL server of this test: its postmaster and every process
    it started (the backends that hold the daemons' connections)."""
    with open(os.path.join(ROOT, "pg", "pid")) as f:
        postmaster = int(f.read())
    pids = [postmaster]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == postmaster:
                pids.append(int(entry))
    return pids


class SharedStore(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        wait_for_load_balancing()

    def test_a_set_through_one_daemon_is_seen_by_every_daemon(self):
        mac = "52:54:00:cc:00:01"
        set_once(PEERS["192.0.2.1"], mac)
        for url in PEERS.values():
            got = command(url, "netboot-assignment-get", {"hw-address": mac})
            self.assertEqual((got["result"], got["arguments"]["profile"], got["arguments"]["once"]),
                             (0, "rescue", True), url)
        got = other_family("netboot-assignment-get", {"hw-address": mac})
        self.assertEqual(got["result"], 0, got)
        status = command(PEERS["192.0.2.3"], "netboot-status")["arguments"]
        self.assertEqual(status["state"], "ok")
        self.assertIn("postgresql kea@", status["assignment-database"])
        self.assertNotIn("netboot-test-kea", json.dumps(status), "the password must not be shown")
        # Deleted through the other family: gone everywhere.
        self.assertEqual(other_family("netboot-assignment-del", {"hw-address": mac})["result"], 0)
        for url in PEERS.values():
            self.assertEqual(command(url, "netboot-assignment-get", {"hw-address": mac})["result"], 3, url)

    def test_b_concurrent_boots_use_a_once_assignment_once(self):
        """The same machine's iPXE asks over both families at once (and, over
        DHCPv6, both HA peers answer the one INFORMATION-REQUEST): one answer
        carries the rescue script, the others the default."""
        rescue_scripts = 0
        for round_ in range(5):
            mac = "52:54:00:cc:01:%02x" % round_
            set_once(PEERS["192.0.2.1"], mac)
            time.sleep(1.5)  # every daemon's packet path has read it (refreshed every second)
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                v4 = pool.submit(ipxe4, mac)
                v6 = pool.submit(ipxe6_all, mac)
                answers = [v4.result()] + v6.result()
            rescued = [a for a in answers if a and a.endswith("/rescue.ipxe")]
            normal = [a for a in answers if a and a.endswith("/boot/%s.ipxe" % mac)]
            print("round %d: %s" % (round_, answers))
            self.assertEqual(len(rescued), 1, answers)
            self.assertEqual(len(rescued) + len(normal), len(answers), answers)
            self.assertGreaterEqual(len(answers), 3 if FAMILY == 6 else 2, answers)
            rescue_scripts += len(rescued)
            for url in PEERS.values():
                self.assertEqual(command(url, "netboot-assignment-get", {"hw-address": mac})["result"], 3)
        self.assertEqual(rescue_scripts, 5)

    def test_c_a_peer_that_died_mid_boot_does_not_serve_it_again(self):
        mac = "52:54:00:cc:02:01"
        set_once(PEERS["192.0.2.1"], mac)
        time.sleep(1.5)
        if FAMILY == 4:
            offered = retried(lambda: firmware4(mac))
            self.assertIsNotNone(offered)
            self.assertEqual(offered[0], "rescue/ipxe.efi")
            serving = offered[1]
        else:
            serving = "192.0.2.1"
        survivor = [p for p in PEERS if p != serving][0]
        kill_for_good(serving)
        killed = time.monotonic()
        script = retried(lambda: ipxe(mac))
        print("DHCPv%d: %s killed; iPXE answered %.1f s later: %s" % (FAMILY, serving, time.monotonic() - killed,
                                                                    script))
        self.assertEqual(script, "http://%s/rescue.ipxe" % host(survivor))
        # The dead peer comes back: it reads the database, where the
        # assignment is gone, and serves the default.
        subprocess.run([os.path.join(SERVER_DIRS[serving], "start")], check=True, timeout=30)
        deadline = time.monotonic() + 30
        back = None
        while time.monotonic() < deadline:
            try:
                back = command(PEERS[serving], "netboot-assignment-get", {"hw-address": mac})
            except (subprocess.CalledProcessError, ValueError, IndexError):
                back = None
            if back and "unable to forward" not in back.get("text", ""):  # kea-ctrl-agent: not listening yet
                break
            time.sleep(0.5)
        self.assertEqual(back["result"], 3, back)
        self.assertEqual(other_family("netboot-assignment-get", {"hw-address": mac})["result"], 3)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(ha_state(u) == "load-balancing" for u in PEERS.values()):
            time.sleep(0.5)
        answers = ipxe6_all(mac) if FAMILY == 6 else [retried(lambda: ipxe4(mac))]
        self.assertTrue(answers)
        for answer in answers:
            self.assertTrue(answer and answer.endswith("/boot/%s.ipxe" % mac), answers)

    def test_d_a_database_restart_loses_nothing(self):
        persistent = "52:54:00:cc:03:01"
        once = "52:54:00:cc:03:02"
        url = PEERS["192.0.2.1"]
        answer = command(url, "netboot-assignment-set", {"hw-address": persistent, "profile": "rescue"})
        self.assertEqual(answer["result"], 0, answer)
        set_once(url, once)
        time.sleep(1.5)
        postgres("stop")
        try:
            time.sleep(2.5)  # every daemon has tried to read it since
            status = command(url, "netboot-status")["arguments"]
            self.assertIn("postgresql kea@", status["state"])
            refused = command(url, "netboot-assignment-set", {"hw-address": "52:54:00:cc:03:03", "profile": "rescue"})
            self.assertEqual(refused["result"], 1, refused)
            self.assertIn("not saved, nothing changed", refused["text"])
            # DHCP goes on: the machine assigned until cleared keeps its profile,
            # the "once" cannot be taken, so it is not served.
            self.assertEqual(set(scripts(persistent)), {"rescue.ipxe"})
            self.assertEqual(set(scripts(once)), {"%s.ipxe" % once})
        finally:
            postgres("start")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and command(url, "netboot-status")["arguments"]["state"] != "ok":
            time.sleep(0.5)
        self.assertEqual(command(url, "netboot-status")["arguments"]["state"], "ok")
        listed = {a["hw-address"]: a["once"] for a in command(url, "netboot-assignment-list")["arguments"]["assignments"]}
        self.assertEqual(listed, {persistent: False, once: True})
        self.assertEqual(command(url, "netboot-assignment-get", {"hw-address": "52:54:00:cc:03:03"})["result"], 3)
        time.sleep(1.5)
        served = scripts(once)
        self.assertEqual(served.count("rescue.ipxe"), 1, served)
        self.assertEqual(len(served), 2 if FAMILY == 6 else 1, served)
        for mac in (persistent, once):
            command(url, "netboot-assignment-del", {"hw-address": mac})

    def test_f_a_database_that_stops_answering_never_stops_dhcp(self):
        """Every PostgreSQL process stopped (SIGSTOP: what a network partition
        looks like, no error, no answer): the daemons keep answering, the
        "once" is not served and not lost, and it is used once afterwards."""
        url = PEERS["192.0.2.1"]
        once = "52:54:00:cc:05:01"
        set_once(url, once)
        time.sleep(1.5)
        frozen = postgres_processes()
        for pid in frozen:
            os.kill(pid, 19)
        try:
            started = time.monotonic()
            served = scripts(once)
            print("database frozen: iPXE of the machine with a once answered %s after %.1f s"
                  % (served, time.monotonic() - started))
            self.assertEqual(set(served), {"%s.ipxe" % once})
            started = time.monotonic()
            other = scripts("52:54:00:cc:05:02")
            print("database frozen: another machine answered %s after %.1f s" % (other, time.monotonic() - started))
            self.assertEqual(set(other), {"52:54:00:cc:05:02.ipxe"})
            time.sleep(3)  # the refreshers have given up on it
            status = command(url, "netboot-status")["arguments"]
            self.assertIn("postgresql kea@", status["state"])
            refused = command(url, "netboot-assignment-set", {"hw-address": once, "profile": "rescue"})
            self.assertEqual(refused["result"], 1, refused)
        finally:
            for pid in frozen:
                os.kill(pid, 18)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and command(url, "netboot-status")["arguments"]["state"] != "ok":
            time.sleep(0.5)
        got = command(url, "netboot-assignment-get", {"hw-address": once})
        self.assertEqual(got["result"], 0, "the once, never served, was lost: %s" % got)
        self.assertTrue(got["arguments"]["once"], got)
        time.sleep(1.5)
        served = scripts(once)
        self.assertEqual(served.count("rescue.ipxe"), 1, served)

    def test_g_netboot_ctl_changes_a_shared_store_once(self):
        """netboot-ctl with both peers' control files sees that they share a
        database: the assignment is set and cleared through one of them, and
        both answer with it."""
        mac = "52:54:00:cc:06:01"
        ctl = netboot_ctl()
        r = subprocess.run(ctl + ["rescue", mac], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        print(r.stdout.strip())
        self.assertIn("profile rescue once on 2 daemon(s) through 1 store(s)", r.stdout)
        sets = []
        for peer in PEERS:
            with open(os.path.join(SERVER_DIRS[peer], "kea.log")) as f:
                sets += [line for line in f if "NETBOOT_ASSIGNMENT_SET" in line and mac in line]
        self.assertEqual(len(sets), 1, sets)
        for url in PEERS.values():
            self.assertEqual(command(url, "netboot-assignment-get", {"hw-address": mac})["result"], 0, url)
        r = subprocess.run(ctl + ["clear", mac], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("cleared on 2 daemon(s) through 1 store(s)", r.stdout)
        for url in PEERS.values():
            self.assertEqual(command(url, "netboot-assignment-get", {"hw-address": mac})["result"], 3, url)

    def test_e_netboot_admin_checks_the_schema(self):
        admin = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "hooks", "sql",
                             "netboot-admin")
        where = ["-h", os.path.join(ROOT, "pg", "sock"), "-u", "kea", "-n", "netboot"]
        env = dict(os.environ, PGPASSWORD="netboot-test-kea")
        version = subprocess.run([admin, "db-version"] + where, env=env, capture_output=True, text=True)
        self.assertEqual((version.returncode, version.stdout), (0, "1\n"), version.stderr)
        again = subprocess.run([admin, "db-init"] + where, env=env, capture_output=True, text=True)
        self.assertEqual(again.returncode, 1)
        self.assertIn("has kea-netboot's schema already (version 1)", again.stderr)
        secret = subprocess.run([admin, "db-init", "-p", "x"] + where, env=env, capture_output=True, text=True)
        self.assertEqual(secret.returncode, 2)
        self.assertIn("no password on the command line", secret.stderr)
        wrong = subprocess.run([admin, "db-version"] + where, env=dict(env, PGPASSWORD="wrong"),
                               capture_output=True, text=True)
        self.assertEqual(wrong.returncode, 1)
        self.assertIn("password authentication failed", wrong.stderr)
        self.assertNotIn("no kea-netboot schema", wrong.stderr)


if __name__ == "__main__":
    unittest.main()
