"""The machine's BMC: OpenIPMI's ipmi_sim on the boot network driving the
VM's QEMU process, and the operator's netboot-ctl that uses it."""

import json
import os
import subprocess
import sys
import time

from netboot_stack.common import BMC_ADDRESS, NO_BMC_ADDRESS, TOP, Failure, say


class BmcSteps:
    """Stack's BMC steps (a mixin: Stack provides run, netns, br, etc, sc, args,
    start, watch, kea_command, qemu_command)."""

    def site_with_bmc_hosts(self, flags_cmd):
        """The flags' site as a site file, with the VM as a host behind the
        BMC and two hosts whose BMC cannot be used (wrong password, no BMC
        at the address); returns the command that renders it."""
        r = subprocess.run(flags_cmd + ["--print-site"], capture_output=True, text=True)
        if r.returncode:
            raise Failure("netboot-render --print-site: " + r.stderr.strip())
        site = json.loads(r.stdout)
        secrets = {}
        for name, secret in (("bmc-password", "Vm-BMC-s3cret"), ("bmc-wrong-password", "not-the-password")):
            secrets[name] = os.path.join(self.run, name)
            with open(secrets[name], "w") as f:
                f.write(secret + "\n")
            os.chmod(secrets[name], 0o600)
        self.bmc_secret = "Vm-BMC-s3cret"
        site["hosts"] = [
            {"name": "vm1", "macs": [self.sc["mac"]], "bmc": {"address": BMC_ADDRESS, "user": "admin",
                                                              "password-file": secrets["bmc-password"]}},
            {"name": "wrong-password", "macs": ["52:54:00:e2:e0:21"],
             "bmc": {"address": BMC_ADDRESS, "user": "admin", "password-file": secrets["bmc-wrong-password"]}},
            {"name": "bmc-unreachable", "macs": ["52:54:00:e2:e0:22"],
             "bmc": {"address": NO_BMC_ADDRESS, "user": "admin", "password-file": secrets["bmc-password"]}},
        ]
        path = os.path.join(self.run, "site.json")
        with open(path, "w") as f:
            json.dump(site, f, indent=2)
        say("Site file %s: the flags' site plus hosts vm1 (the VM, BMC %s), wrong-password, bmc-unreachable"
            % (path, BMC_ADDRESS))
        return [sys.executable, os.path.join(TOP, "kea-config", "netboot-render"), path, "-o", self.etc]

    def start_bmc(self):
        """OpenIPMI's ipmi_sim as the VM's BMC on the boot network, with
        tools/bmc-chassis-qemu as its chassis (power and boot device act on
        the QEMU process); the VM is switched on booting its disk."""
        state = os.path.join(self.run, "bmc")
        os.makedirs(os.path.join(state, "persist"))
        self.netns.addresses(self.br, BMC_ADDRESS + "/24")
        cmd = self.qemu_command()
        cmd = [a.replace("bootindex=1", "@NIC_BOOT@") for a in cmd]
        with open(os.path.join(state, "qemu.json"), "w") as f:
            json.dump(cmd, f)
        with open(os.path.join(self.run, "qemu.cmd"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        with open(os.path.join(state, "lan.conf"), "w") as f:
            f.write('name "netboot-stack-bmc"\n'
                    "set_working_mc 0x20\n"
                    "  startlan 1\n"
                    "    addr %s 623\n"
                    "    priv_limit admin\n"
                    "    allowed_auths_callback none md5\n    allowed_auths_user md5\n"
                    "    allowed_auths_operator md5\n    allowed_auths_admin md5\n"
                    "    guid 6e6574626f6f74652d626d6300000001\n"
                    "  endlan\n"
                    '  chassis_control "%s %s"\n'
                    '  user 2 true "admin" "%s" admin 10 md5\n'
                    % (BMC_ADDRESS, os.path.join(TOP, "tools", "bmc-chassis-qemu"), state, self.bmc_secret))
        with open(os.path.join(state, "bmc.emu"), "w") as f:
            f.write("mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\nmc_enable 0x20\n")
        self.bmc_state = state
        p = self.start("ipmi_sim", ["ipmi_sim", "-n", "-c", os.path.join(state, "lan.conf"),
                                    "-f", os.path.join(state, "bmc.emu"), "-s", os.path.join(state, "persist")],
                       "ipmi_sim.log")
        time.sleep(0.5)
        if p.poll() is not None:
            raise Failure("ipmi_sim exited at start (status %s); see %s/ipmi_sim.log" % (p.returncode, self.run))
        say("BMC: OpenIPMI ipmi_sim on %s:623 (IPMI v2 / RMCP+, user admin), chassis: tools/bmc-chassis-qemu "
            "(pid %d)" % (BMC_ADDRESS, p.pid))
        self.netns.run(os.path.join(TOP, "tools", "bmc-chassis-qemu"), state, "set", "power", "1")
        self.qemu = p  # the VM lives as long as its BMC
        say("VM: switched on booting its (empty) disk, as a server in service would; serial console -> %s/serial.log"
            % self.run)

    def netboot_ctl(self, *args):
        cmd = self.netns.command(sys.executable, os.path.join(TOP, "kea-config", "netboot-ctl"),
                                 "--control", os.path.join(self.etc, "netboot-control.json"),
                                 "--site", os.path.join(self.etc, "netboot-site.json"), *args)
        say("netboot-ctl " + " ".join(args), "$ ")
        return cmd

    def bmc_refusals(self):
        """A wrong BMC password and a BMC that does not answer: netboot-ctl
        exits 5 naming the step, and no daemon holds an assignment."""
        for host, says in (("wrong-password", "asking the power state failed"),
                           ("bmc-unreachable", "asking the power state failed")):
            r = subprocess.run(self.netboot_ctl("rescue", host, "--power-cycle", "--timeout", "5"),
                               capture_output=True, text=True, timeout=120)
            out = (r.stdout + r.stderr).strip()
            for line in out.splitlines():
                say(line[:200], "<-")
            if r.returncode != 5 or says not in out:
                raise Failure("netboot-ctl rescue %s: exit %d (5 expected, naming '%s')" % (host, r.returncode, says))
            for secret in (self.bmc_secret, "not-the-password"):
                if secret in out:
                    raise Failure("netboot-ctl printed a BMC password")
            mac = "52:54:00:e2:e0:21" if host == "wrong-password" else "52:54:00:e2:e0:22"
            answer = self.kea_command("netboot-assignment-get", {"hw-address": mac}, show=False)
            if answer.get("result") != 3:
                raise Failure("after the BMC failed, %s still has an assignment: %s" % (host, answer))
            say("netboot-ctl rescue %s: exit 5, the BMC step named, no assignment left behind" % host, "OK")

    def bmc_rescue(self):
        """The operator's one command: rescue vm1 through its BMC."""
        self.bmc_refusals()
        log = os.path.join(self.run, "netboot-ctl.out")
        with open(log, "w") as out:
            ctl = subprocess.Popen(self.netboot_ctl("rescue", "vm1", "--power-cycle", "--timeout",
                                                    str(int(self.args.timeout))),
                                   stdout=out, stderr=subprocess.STDOUT)
        try:
            self.watch(self.sc["evidence"], self.sc.get("forbidden", ()))
            ctl.wait(60)
        finally:
            if ctl.poll() is None:
                ctl.kill()
                ctl.wait()
            with open(log) as f:
                out = f.read()
            for line in out.strip().splitlines():
                say(line[:200], "<-")
        if ctl.returncode != 0 or "asked for its boot with profile rescue" not in out:
            raise Failure("netboot-ctl rescue vm1 --power-cycle: exit %d, not 'asked for its boot with profile "
                          "rescue'" % ctl.returncode)
        with open(os.path.join(self.bmc_state, "chassis.log")) as f:
            chassis = f.read()
        if "set boot pxe" not in chassis or "power on (boot device pxe)" not in chassis:
            raise Failure("the BMC's chassis did not see 'boot pxe' then a power-on from the network:\n" + chassis)
        say("netboot-ctl: exit 0; the BMC set the boot device to pxe and powered the VM back on from the network",
            "OK")
        # Each family's daemon held a copy: whichever the VM's boot did not use
        # up itself (iPXE asks over both families), netboot-ctl withdrew.
        if "used once on " not in out:
            raise Failure("netboot-ctl did not report the 'once' used up and the other copies withdrawn:\n" + out)
        for family in ("dhcp4", "dhcp6"):
            answer = self.kea_command("netboot-assignment-get", {"hw-address": self.sc["mac"]}, family=family,
                                      show=False)
            if answer.get("result") != 3:
                raise Failure("after the rescue boot, %s still holds the assignment: %s" % (family, answer))
        say("the 'once' rescue is gone from kea-dhcp4 and kea-dhcp6 (used up, or withdrawn by netboot-ctl)", "OK")
