"""The stack: a namespace with a bridge, the rendered configuration, the
daemons, the logs followed as the VM boots, and Kea's control path as the
operator uses it."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from netboot_site import decisions
from netboot_stack.bmc import BmcSteps
from netboot_stack.common import (KEA_ENV, PREFIX6, SERVER4, SERVER6, SUBNET4, TOP, Failure, say)
from netboot_stack.evidence import found
from netboot_stack.netns import Namespace
from netboot_stack.vm import VmSteps


class Stack(VmSteps, BmcSteps):
    def __init__(self, args, sc):
        self.args, self.sc = args, sc
        self.tag = "nbs%d" % os.getpid()
        self.ns = self.tag
        self.br, self.tap = self.tag + "br", self.tag + "t"
        self.veth_a, self.veth_b = self.tag + "a", self.tag + "b"
        self.netns = None        # the Namespace, once network() made it
        self.procs = []          # (name, Popen)
        self.qemu = None
        self.logs = {"dhcp4": "kea/kea-dhcp4.log", "dhcp6": "kea/kea-dhcp6.log", "tftp": "tftp.log",
                     "http": "netboot-access.log", "serial": "serial.log"}
        self.offsets = {k: 0 for k in self.logs}   # what watch() has read so far
        self.partial = {k: "" for k in self.logs}
        self.seen_serial = set()
        self.run = tempfile.mkdtemp(prefix=self.tag + ".")
        os.chmod(self.run, 0o755)  # nginx workers read the boot root below it
        self.root = os.path.join(self.run, "root")
        self.etc = os.path.join(self.run, "etc")
        # netboot-render --run-dir puts Kea's sockets, leases and logs here, and
        # every Kea daemon runs through tools/kea-env with it (Kea >= 2.6.3).
        self.kea_run = os.path.join(self.run, "kea")
        os.makedirs(self.root)
        os.chmod(self.root, 0o755)
        self.ok = False

    # -- network
    def network(self):
        say("Network: namespace %s, bridge %s (%s/24, %s/64), tap %s for the VM"
            % (self.ns, self.br, SERVER4, SERVER6, self.tap))
        self.netns = ns = Namespace(self.ns)
        ns.ip("link", "add", self.br, "type", "bridge", "stp_state", "0", "forward_delay", "0", "mcast_snooping", "0")
        ns.sysctl("net.ipv6.conf.%s.accept_dad" % self.br, 0)
        # A port with carrier before the VM exists (docs/firmware.md, "Bridge carrier"): a
        # veth pair whose far end is muted (no ARP, no IPv6) so it never answers
        # for the server's addresses.
        ns.ip("link", "add", self.veth_a, "type", "veth", "peer", "name", self.veth_b)
        ns.sysctl("net.ipv6.conf.%s.disable_ipv6" % self.veth_a, 1)
        ns.sysctl("net.ipv6.conf.%s.disable_ipv6" % self.veth_b, 1)
        ns.ip("link", "set", self.veth_b, "arp", "off", "up")
        ns.ip("link", "set", self.veth_a, "master", self.br, "up")
        ns.ip("tuntap", "add", "dev", self.tap, "mode", "tap")
        ns.sysctl("net.ipv6.conf.%s.disable_ipv6" % self.tap, 1)
        ns.ip("link", "set", self.tap, "master", self.br, "up")
        ns.addresses(self.br, SERVER4 + "/24", SERVER6 + "/64")
        ns.ip("link", "set", self.br, "up")
        for _ in range(50):
            out = ns.ip("-6", "addr", "show", "dev", self.br, "scope", "link", capture_output=True, text=True).stdout
            if "fe80" in out and "tentative" not in out:
                break
            time.sleep(0.1)

    # -- configuration
    def render(self, bins):
        say("Rendering the kea-config bundle (netboot-render) into %s, loaders from Debian's packages into %s"
            % (self.etc, self.root))
        cmd = [sys.executable, os.path.join(TOP, "kea-config", "netboot-render"), "-i", self.br,
               "--subnet4", SUBNET4, "--server4", SERVER4, "--prefix6", PREFIX6, "--server6", SERVER6,
               "--root", self.root, "--install-loaders", "--run-dir", self.run,
               "--hook", os.path.join(self.kea_run, "hooks", "libdhcp_netboot.so"),
               "-o", self.etc, "--menu-timeout", "30", "--console", "ttyS0,115200"] + \
            self.sc.get("render", []) + self.args.render_arg
        if self.sc.get("bmc"):
            cmd = self.site_with_bmc_hosts(cmd)
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            raise Failure("netboot-render: " + r.stderr.strip())
        # How the operator's commands reach each daemon on this Kea (2.x:
        # kea-ctrl-agent; 3.x: the daemons' own HTTP sockets with a password).
        with open(os.path.join(self.etc, "netboot-control.json")) as f:
            self.control = json.load(f)
        self.agent = self.control["via"] == "kea-ctrl-agent"
        if self.sc.get("host_script"):
            name = "script.ipxe-" + self.sc["mac"].replace(":", "-")
            with open(os.path.join(self.root, name), "w") as f:
                f.write("#!ipxe\necho kea-netboot: per-machine script for ${mac} (%s)\n" % name)
            os.chmod(os.path.join(self.root, name), 0o644)
            say("Per-machine script %s put into the boot root" % name)
        if self.sc.get("grub_host_default"):
            # The per-machine GRUB file the menu sources: this machine's
            # default entry, started at once.
            name = "grub/grub.cfg-" + self.sc["mac"]
            with open(os.path.join(self.root, name), "w") as f:
                f.write("set default=%s\nset timeout=1\n" % self.sc["grub_host_default"])
            os.chmod(os.path.join(self.root, name), 0o644)
            say("Per-machine GRUB file %s put into the boot root (default entry %s)"
                % (name, self.sc["grub_host_default"]))
        os.environ["NETBOOT_HOOK"] = bins["hook"]
        checks = [
            ("netboot-check-config", [bins["checker"], self.etc + "/kea-dhcp4.conf"]),
            ("netboot-check-config", [bins["checker"], self.etc + "/kea-dhcp6.conf"]),
            ("kea-dhcp4 -t", [KEA_ENV, self.kea_run, "kea-dhcp4", "-t", self.etc + "/kea-dhcp4.conf"]),
            ("kea-dhcp6 -t", [KEA_ENV, self.kea_run, "kea-dhcp6", "-t", self.etc + "/kea-dhcp6.conf"]),
        ] + ([("kea-ctrl-agent -t", [KEA_ENV, self.kea_run, "kea-ctrl-agent", "-t", self.etc + "/kea-ctrl-agent.conf"])]
             if self.agent else []) + [
            ("netboot-tftpd -t", [bins["tftpd"], "-t", "-c", self.etc + "/netboot-tftpd.conf"]),
            ("radvd-lite -t", [bins["radvd"], "-t", "-c", self.etc + "/radvd-lite.conf",
                               "--kea-config", self.etc + "/kea-dhcp6.conf"]),
            ("nginx -t", ["nginx", "-t", "-c", self.etc + "/nginx.conf"]),
        ]
        for name, cmd in checks:
            r = self.netns.run(*cmd, check=False, capture_output=True, text=True)
            if r.returncode:
                raise Failure("%s refused the rendered config:\n%s%s" % (name, r.stdout, r.stderr))
        say("Configs checked: " + ", ".join(sorted(set(n for n, _ in checks))))

    # -- daemons
    def start(self, name, cmd, log):
        out = open(os.path.join(self.run, log), "ab")
        p = subprocess.Popen(self.netns.command(*cmd), stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        self.procs.append((name, p))
        return p

    def wait_for(self, name, proc, check, seconds=15):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check():
                return
            if proc.poll() is not None:
                raise Failure("%s exited (status %s) at start; see %s" % (name, proc.returncode, self.run))
            time.sleep(0.1)
        raise Failure("%s did not become ready in %d s; see %s" % (name, seconds, self.run))

    def grep(self, log, text):
        try:
            with open(os.path.join(self.run, log), errors="replace") as f:
                return text in f.read()
        except OSError:
            return False

    def port_open(self, addr, port):
        r = self.netns.run(sys.executable, "-c",
                           "import socket,sys; s=socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)",
                           addr, port, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return r.returncode == 0

    def daemons(self, bins):
        sc = self.sc
        if sc["v4"]:
            p = self.start("kea-dhcp4", [KEA_ENV, self.kea_run, "kea-dhcp4", "-c", self.etc + "/kea-dhcp4.conf"], "kea-dhcp4.out")
            self.wait_for("kea-dhcp4", p, lambda: self.grep(self.logs["dhcp4"], "DHCP4_STARTED"))
            say("kea-dhcp4 with libdhcp_netboot.so: serving %s on %s (pid %d)" % (SUBNET4, self.br, p.pid))
        else:
            say("kea-dhcp4: not started (this scenario is IPv6-only)")
        p = self.start("kea-dhcp6", [KEA_ENV, self.kea_run, "kea-dhcp6", "-c", self.etc + "/kea-dhcp6.conf"], "kea-dhcp6.out")
        self.wait_for("kea-dhcp6", p, lambda: self.grep(self.logs["dhcp6"], "DHCP6_STARTED"))
        say("kea-dhcp6 with libdhcp_netboot.so: serving %s on %s (pid %d)" % (PREFIX6, self.br, p.pid))
        if self.agent:
            p = self.start("kea-ctrl-agent", [KEA_ENV, self.kea_run, "kea-ctrl-agent", "-c",
                                              self.etc + "/kea-ctrl-agent.conf"], "kea-ctrl-agent.out")
            self.wait_for("kea-ctrl-agent", p, lambda: self.port_open(SERVER4, 8000))
            say("kea-ctrl-agent: %s (pid %d)" % (self.control["dhcp4"]["url"], p.pid))
        else:
            say("Kea %s: commands go to each daemon's own HTTP control socket (%s), with a password"
                % (self.control["kea-version"],
                   ", ".join("%s %s" % (f, self.control[f]["url"]) for f in ("dhcp4", "dhcp6") if f in self.control)))
        p = self.start("netboot-tftpd", [bins["tftpd"], "-c", self.etc + "/netboot-tftpd.conf"], "tftp.log")
        self.wait_for("netboot-tftpd", p, lambda: self.grep("tftp.log", "listening on [" + SERVER6))
        say("netboot-tftpd: %s:69 and [%s]:69, root %s (pid %d)" % (SERVER4, SERVER6, self.root, p.pid))
        p = self.start("radvd-lite", [bins["radvd"], "-d", "-c", self.etc + "/radvd-lite.conf"], "radvd-lite.log")
        self.wait_for("radvd-lite", p, lambda: self.grep("radvd-lite.log", "LINK_UP"))
        say("radvd-lite: advertising %s (M=1, O=1) on %s (pid %d)" % (PREFIX6, self.br, p.pid))
        p = self.start("nginx", ["nginx", "-c", self.etc + "/nginx.conf", "-g", "daemon off;"], "nginx.out")
        self.wait_for("nginx", p, lambda: self.port_open(SERVER4, 80) and self.port_open(SERVER6, 80))
        say("nginx: http://%s/ and http://[%s]/ serving %s (pid %d)" % (SERVER4, SERVER6, self.root, p.pid))

    def watch(self, evidence, forbidden=()):
        """Reads the logs on from where the last call stopped until every
        piece of evidence was seen; a forbidden line fails at once."""
        args = self.args
        logs, offsets, partial, seen_serial = self.logs, self.offsets, self.partial, self.seen_serial
        pending = list(evidence)
        deadline = time.monotonic() + args.timeout
        ansi = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|[\x00-\x08\x0b-\x1f\x7f]")
        serial_interesting = re.compile(
            r"Start PXE|Start HTTP|Downloading NBP|NBP file|iPXE initialising|iPXE 1\.|Configuring|"
            r"http://|tftp://|kea-netboot|Booting from|Error|error|failed|grub>|Welcome to GRUB|URI:|"
            r"Secure Boot|Access Denied|Security Violation|Command line:")
        while pending:
            if time.monotonic() > deadline:
                raise Failure("timed out after %d s; still waiting for: %s"
                              % (args.timeout, "; ".join(w for w, _, _ in pending)))
            if self.qemu.poll() is not None:
                raise Failure("the VM's process exited (status %s) early; see %s/qemu.out"
                              % (self.qemu.returncode, self.run))
            for name, dead in [(n, p) for n, p in self.procs if n != "qemu" and p.poll() is not None]:
                raise Failure("%s died (status %s); see %s" % (name, dead.returncode, self.run))
            for key, log in logs.items():
                path = os.path.join(self.run, log)
                try:
                    if os.path.getsize(path) < offsets[key]:  # QEMU started again: a new console
                        offsets[key], partial[key] = 0, ""
                    with open(path, "rb") as f:
                        f.seek(offsets[key])
                        data = f.read()
                except OSError:
                    continue
                if not data:
                    continue
                offsets[key] += len(data)
                text = partial[key] + data.decode("utf-8", "replace")
                lines = re.split(r"\r?\n|\r", text)
                partial[key] = lines.pop()
                tail = ansi.sub("", partial[key])
                for item in list(pending):  # a prompt ("grub> ") ends without a newline
                    if key == "serial" and item[1] == key and found(item[2], tail):
                        pending.remove(item)
                        say("%s" % item[0], "OK")
                for line in lines:
                    line = ansi.sub("", line).strip()
                    if not line:
                        continue
                    self.show(key, line, serial_interesting, seen_serial)
                    for what, log, regex in forbidden:
                        if log == key and found(regex, line):
                            raise Failure("%s: %s" % (what, line[:200]))
                    for item in list(pending):
                        if item[1] == key and found(item[2], line):
                            pending.remove(item)
                            say("%s" % item[0], "OK")
            time.sleep(0.2)

    def show(self, key, line, serial_interesting, seen_serial):
        if key in ("dhcp4", "dhcp6"):
            event = decisions.parse(line)
            if event:
                say("DHCPv%s answer: %s" % (key[-1], decisions.summary(event)[:220]), "->")
        elif key == "tftp":
            if " transfer " in line or " refused " in line:
                say("TFTP: " + re.sub(r"^.*? (DEBUG|INFO|WARN|ERROR) ", "", line)[:220], "->")
        elif key == "http":
            m = re.match(r'(\S+) \S+ \S+ \[[^]]*\] "([^"]*)" (\d+) (\d+) "[^"]*" "([^"]*)"', line)
            if m:
                say("HTTP: %s %s -> %s, %s bytes (%s)" % (m.group(1), m.group(2), m.group(3), m.group(4),
                                                          m.group(5)[:40]), "->")
        elif key == "serial":
            if self.args.console:
                say(line[:200], "VM|")
            elif serial_interesting.search(line) and line not in seen_serial:
                seen_serial.add(line)
                say(line[:200], "VM|")

    # -- remote maintenance through Kea's control path, as the operator does it
    def kea_command(self, command, arguments=None, family="dhcp4", show=True):
        """One command to a daemon with curl, through kea-ctrl-agent (Kea 2.x)
        or the daemon's own HTTP socket (Kea 3), printed as an operator would
        type it, with the answer."""
        path = self.control[family]
        body = {"command": command, "service": [path["service"]]}
        if arguments is not None:
            body["arguments"] = arguments
        data = json.dumps(body)
        auth, typed = [], ""
        if path.get("user"):
            with open(path["password-file"]) as f:
                auth = ["-u", "%s:%s" % (path["user"], f.read().strip())]
            typed = "-u %s:$(cat %s) " % (path["user"], path["password-file"])
        if show:
            say("curl -s %s-H 'Content-Type: application/json' %s -d '%s'" % (typed, path["url"], data), "$ ")
        r = self.netns.run(*(["curl", "-sS", "--max-time", "10", "-H", "Content-Type: application/json", "-d", data] +
                             auth + [path["url"]]), check=False, capture_output=True, text=True)
        if r.returncode:
            raise Failure("curl to %s failed (%d): %s" % (path["url"], r.returncode, r.stderr.strip()))
        if show:
            say(r.stdout.strip()[:300], "<-")
        try:
            return json.loads(r.stdout)[0]
        except (ValueError, IndexError, KeyError, TypeError):
            raise Failure("the answer to %s is not Kea's [ {result, ...} ]: %s" % (command, r.stdout))

    def assign(self):
        arguments = dict(self.sc["assign"], **{"hw-address": self.sc["mac"]})
        say("Operator: boot %s with profile %s %s" % (self.sc["mac"], arguments["profile"],
                                                       "once" if arguments.get("once") else "from now on"))
        answer = self.kea_command("netboot-assignment-set", arguments)
        if answer.get("result") != 0:
            raise Failure("netboot-assignment-set was refused: %s" % answer.get("text"))
        say("kea-dhcp4: netboot-assignment-set answered 0 (assignment set)", "OK")

    def decision_profile(self):
        """netboot-status: the hook's last decision at the end of the VM's
        chain (iPXE's; with Secure Boot, the firmware's) must name the
        assigned profile."""
        answer = self.kea_command("netboot-status")
        mac, profile = self.sc["mac"], self.sc["assign"]["profile"]
        recent = [d for d in (answer.get("arguments") or {}).get("recent", [])
                  if mac in str(d.get("client")) and (d.get("ipxe") or self.sc["fw"] == "x64-secboot")]
        if not recent or recent[0].get("profile") != profile:
            raise Failure("netboot-status: the hook's last decision for %s does not name profile %s: %s"
                          % (mac, profile, recent[:1]))
        say("netboot-status: the hook's last decision for %s: profile %s, %s '%s'"
            % (mac, profile, recent[0].get("answer"), recent[0].get("boot-file")), "OK")

    def consumed(self):
        answer = self.kea_command("netboot-assignment-list")
        left = [a for a in (answer.get("arguments") or {}).get("assignments", [])
                if a.get("hw-address") == self.sc["mac"]]
        if answer.get("result") not in (0, 3) or left:
            raise Failure("netboot-assignment-list: the one-time assignment is still there: %s" % answer)
        say("netboot-assignment-list: no assignment left for %s (used up by the rescue boot)" % self.sc["mac"], "OK")

    def router_advertisements(self):
        """IPv6 scenarios: radvd-lite must have answered the VM's router
        solicitations (its counters, logged on SIGUSR1)."""
        proc = dict(self.procs).get("radvd-lite")
        log = os.path.join(self.run, "radvd-lite.log")
        before = open(log, errors="replace").read().count("COUNTERS")
        proc.send_signal(signal.SIGUSR1)
        for _ in range(30):
            text = open(log, errors="replace").read()
            if text.count("COUNTERS") > before:
                break
            time.sleep(0.1)
        line = [l for l in text.splitlines() if " COUNTERS " in l]
        if not line:
            raise Failure("radvd-lite logged no counters on SIGUSR1")
        counters = json.loads(line[-1].split(" COUNTERS ", 1)[1])
        rs = counters.get("rs-received", 0)
        answered = counters.get("ra-sent-solicited-unicast", 0) + counters.get("ra-sent-solicited-multicast", 0)
        say("radvd-lite: %d router solicitation(s) received, %d answered, %d unsolicited RA(s)"
            % (rs, answered, counters.get("ra-sent-unsolicited", 0)), "->")
        if rs < 1 or answered < 1:
            raise Failure("radvd-lite answered no router solicitation (counters %s)" % counters)
        say("RA: radvd-lite answered the VM's router solicitations", "OK")

    def statistics(self):
        """The hook's counters, asked through Kea's control path."""
        for family in (["dhcp4"] if self.sc["v4"] else []) + ["dhcp6"]:
            try:
                answer = self.kea_command("statistic-get-all", family=family, show=False)
            except Failure as e:
                say("no answer to statistic-get-all (%s): %s" % (family, e), "!!")
                continue
            stats = answer.get("arguments", {})
            shown = ", ".join("%s=%s" % (k, v[0][0]) for k, v in sorted(stats.items())
                              if k.startswith("netboot.") and v and v[0][0])
            say("statistic-get-all (%s): %s" % (family, shown or "no netboot.* counter"))

    def stop_all(self):
        if self.qemu and self.qemu.poll() is None:
            self.qemu.send_signal(signal.SIGTERM)
        for name, p in reversed(self.procs):
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        time.sleep(0.3)
        for name, p in self.procs:  # radvd-lite: a second signal skips the remaining final RAs
            if name == "radvd-lite" and p.poll() is None:
                try:
                    p.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 5
        for name, p in self.procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def cleanup(self, failed):
        self.stop_all()
        if getattr(self, "bmc_state", None):  # the VM its BMC started
            try:
                with open(os.path.join(self.bmc_state, "qemu.pid")) as f:
                    os.kill(int(f.read()), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        if self.netns:
            self.netns.delete()
        if failed:
            for log in ("kea/kea-dhcp4.log", "kea/kea-dhcp6.log", "tftp.log", "netboot-access.log", "radvd-lite.log",
                        "qemu.out", "serial-1.log", "serial.log"):
                path = os.path.join(self.run, log)
                if os.path.exists(path):
                    with open(path, "rb") as f:
                        lines = f.read().decode("utf-8", "replace").splitlines()
                    lines = [l for l in lines if "DHCPSRV_MEMFILE" not in l and "DHCPSRV_CFGMGR" not in l]
                    print("--- last lines of %s ---" % log)
                    for l in lines[-15:]:
                        print("  " + re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", l)[:240])
        if self.args.keep or failed:
            say("Removed namespace %s; logs and configs kept in %s" % (self.ns, self.run))
        else:
            shutil.rmtree(self.run, ignore_errors=True)
            say("Removed namespace %s (bridge, tap, veth) and %s" % (self.ns, self.run))

