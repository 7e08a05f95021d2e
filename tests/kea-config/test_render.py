#!/usr/bin/env python3
"""Unit tests of kea-config/netboot-render: rendered content and refusals.
Pure checks (no root, no network); the real programs' -t checks are in
check-real.sh."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

TOP = os.environ.get("NETBOOT_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
RENDER = os.path.join(TOP, "kea-config", "netboot-render")


def kea_json(path):
    with open(path) as f:
        text = f.read()
    return json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))


class Render(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.tmp.name, "root")
        self.out = os.path.join(self.tmp.name, "out")
        os.makedirs(self.root)
        for f in ("ipxe.efi", "undionly.kpxe", "grubnetia32.efi"):
            with open(os.path.join(self.root, f), "w") as fh:
                fh.write("x")

    def tearDown(self):
        self.tmp.cleanup()

    def run_render(self, *extra):
        # Kea 2.x's control path unless a test names another Kea: the
        # rendering must not depend on which Kea this machine has.
        version = [] if "--kea-version" in extra else ["--kea-version", "2.6"]
        args = [sys.executable, RENDER, "-i", "eth1", "--root", self.root, "-o", self.out,
                "--run-dir", self.tmp.name] + version + list(extra)
        return subprocess.run(args, capture_output=True, text=True)

    def refused(self, *extra, says):
        r = self.run_render(*extra)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("refused", r.stderr)
        for words in says:
            self.assertIn(words, r.stderr)
        self.assertFalse(os.path.exists(self.out), "refused input must write nothing")
        return r.stderr

    def test_kea3_control_through_the_daemons_http_sockets(self):
        r = self.run_render("--kea-version", "3.0", "--subnet4", "192.0.2.0/24", "--server4", "192.0.2.1",
                            "--prefix6", "2001:db8::/64", "--server6", "2001:db8::1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.out, "kea-ctrl-agent.conf")))
        control = json.load(open(os.path.join(self.out, "netboot-control.json")))
        self.assertEqual(control["via"], "kea-http-socket")
        api = os.path.join(self.tmp.name, "kea", "kea-api-password")
        self.assertEqual(control["dhcp4"], {"url": "http://192.0.2.1:8000/", "service": "dhcp4",
                                            "user": "netboot", "password-file": api})
        self.assertEqual(control["dhcp6"]["url"], "http://192.0.2.1:8001/")
        password = open(os.path.join(self.out, "kea-api-password")).read()
        self.assertRegex(password, r"^[0-9a-f]{32}$")
        self.assertEqual(open(api).read(), password)
        self.assertEqual(os.stat(os.path.join(self.out, "kea-api-password")).st_mode & 0o777, 0o600)
        for n, family in ((4, "dhcp4"), (6, "dhcp6")):
            d = kea_json(os.path.join(self.out, "kea-dhcp%d.conf" % n))["Dhcp%d" % n]
            self.assertNotIn("control-socket", d)
            unix, http = d["control-sockets"]
            self.assertEqual(unix["socket-type"], "unix")
            self.assertEqual((http["socket-type"], http["socket-address"], http["socket-port"]),
                             ("http", "192.0.2.1", 8000 if n == 4 else 8001))
            self.assertEqual(http["authentication"]["clients"], [{"user": "netboot", "password-file": "kea-api-password"}])
            self.assertEqual(http["authentication"]["directory"], os.path.join(self.tmp.name, "kea"))
        # A second run keeps the operator's password.
        r = self.run_render("--kea-version", "3.0", "--subnet4", "192.0.2.0/24", "--server4", "192.0.2.1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(open(os.path.join(self.out, "kea-api-password")).read(), password)

    def test_kea_version_refused(self):
        self.refused("--kea-version", "2.4", "--subnet4", "192.0.2.0/24", "--server4", "192.0.2.1",
                     says=["--kea-version: Kea 2.4 is not supported"])

    def test_defaults_render_every_file(self):
        r = self.run_render()
        self.assertEqual(r.returncode, 0, r.stderr)
        for f in ("kea-dhcp4.conf", "kea-dhcp6.conf", "kea-ctrl-agent.conf", "netboot-tftpd.conf",
                  "radvd-lite.conf", "nginx.conf", "nginx-site.conf"):
            self.assertTrue(os.path.getsize(os.path.join(self.out, f)) > 0, f)
        d4 = kea_json(os.path.join(self.out, "kea-dhcp4.conf"))["Dhcp4"]
        self.assertEqual(d4["interfaces-config"]["dhcp-socket-type"], "raw")
        params = d4["hooks-libraries"][0]["parameters"]
        self.assertEqual(params["tftp-boot-files"],
                         {"bios": "undionly.kpxe", "efi-x64": "ipxe.efi", "efi-ia32": "grubnetia32.efi"})
        self.assertEqual(params["http-boot-files"], {"efi-x64": "ipxe.efi", "efi-ia32": "grubnetia32.efi"})
        self.assertEqual(params["ipxe-script-url"], "http://{server}/boot.ipxe")
        self.assertEqual(d4["subnet4"][0]["subnet"], "192.0.2.0/24")
        self.assertEqual(d4["subnet4"][0]["pools"][0]["pool"], "192.0.2.100 - 192.0.2.199")
        d6 = kea_json(os.path.join(self.out, "kea-dhcp6.conf"))["Dhcp6"]
        self.assertNotIn("bios", d6["hooks-libraries"][0]["parameters"]["tftp-boot-files"])
        self.assertEqual(d6["server-id"], {"type": "LLT", "persist": False})
        self.assertEqual(d6["data-directory"], os.path.join(self.tmp.name, "kea"))
        tftp = kea_json(os.path.join(self.out, "netboot-tftpd.conf"))["netboot-tftpd"]
        self.assertEqual(tftp["root"], self.root)
        self.assertEqual(tftp["listen"], ["192.0.2.1:69", "[2001:db8::1]:69"])
        site = open(os.path.join(self.out, "nginx-site.conf")).read()
        self.assertIn("root %s;" % self.root, site)
        self.assertIn("listen [2001:db8::1]:80 backlog=4096;", site)
        self.assertIn("application/efi efi;", site)
        menu = open(os.path.join(self.root, "boot.ipxe")).read()
        self.assertTrue(menu.startswith("#!ipxe"))
        self.assertNotIn("@", menu.replace("${", ""), "unfilled template placeholder")
        self.assertIn("chain --autofree script.ipxe-${mac:hexhyp}", menu)
        self.assertIn("iseq ${platform} efi", menu)
        self.assertIn("choose --timeout 10000 --default local", menu)
        self.assertIn("echo kea-netboot: menu reached", menu)
        self.assertIn(":failed", menu)
        grub = open(os.path.join(self.root, "grub", "grub.cfg")).read()
        self.assertIn("set timeout=10", grub)
        self.assertIn("kea-netboot: menu reached", grub)

    def test_nginx_holds_a_boot_storm(self):
        """bench/storm lost 121 of 1000 machines to nginx's 256 connections:
        the stand-alone main config must hold a rack booting at once, and
        the file descriptors for those connections."""
        r = self.run_render()
        self.assertEqual(r.returncode, 0, r.stderr)
        main = open(os.path.join(self.out, "nginx.conf")).read()
        connections = int(re.search(r"worker_connections (\d+);", main).group(1))
        self.assertGreaterEqual(connections, 2000)
        self.assertGreaterEqual(int(re.search(r"worker_rlimit_nofile (\d+);", main).group(1)), connections)
        self.assertIn("sendfile on;", main)

    def test_site_addresses(self):
        r = self.run_render("--subnet4", "198.51.100.0/25", "--server4", "198.51.100.10",
                            "--prefix6", "2001:db8:5::/64", "--server6", "2001:db8:5::53",
                            "--pool4", "198.51.100.20-198.51.100.60")
        self.assertEqual(r.returncode, 0, r.stderr)
        d4 = kea_json(os.path.join(self.out, "kea-dhcp4.conf"))["Dhcp4"]
        self.assertEqual(d4["subnet4"][0]["pools"][0]["pool"], "198.51.100.20 - 198.51.100.60")
        radvd = kea_json(os.path.join(self.out, "radvd-lite.conf"))["RadvdLite"]
        self.assertEqual(radvd["interfaces"][0]["prefixes"][0]["prefix"], "2001:db8:5::/64")
        agent = kea_json(os.path.join(self.out, "kea-ctrl-agent.conf"))["Control-agent"]
        self.assertEqual(agent["http-host"], "198.51.100.10")

    def test_ipv4_only_and_loader_choice(self):
        r = self.run_render("--no-ipv6", "--arch", "bios,efi-x64", "--http-boot", "efi-x64",
                            "--loader", "efi-x64=undionly.kpxe")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.out, "kea-dhcp6.conf")))
        self.assertFalse(os.path.exists(os.path.join(self.out, "radvd-lite.conf")))
        p = kea_json(os.path.join(self.out, "kea-dhcp4.conf"))["Dhcp4"]["hooks-libraries"][0]["parameters"]
        self.assertEqual(p["tftp-boot-files"], {"bios": "undionly.kpxe", "efi-x64": "undionly.kpxe"})

    def test_profiles_default_rescue_and_install(self):
        r = self.run_render()
        self.assertEqual(r.returncode, 0, r.stderr)
        for conf, family, n in (("kea-dhcp4.conf", "Dhcp4", 4), ("kea-dhcp6.conf", "Dhcp6", 6)):
            p = kea_json(os.path.join(self.out, conf))[family]["hooks-libraries"][0]["parameters"]
            self.assertEqual(p["profiles"], {"rescue": {"ipxe-script-url": "http://{server}/profile-rescue.ipxe"},
                                             "install": {"ipxe-script-url": "http://{server}/profile-install.ipxe"}})
            # assignments stay in the sandbox, never in the host's /var/lib/kea
            self.assertEqual(p["state-file"],
                             os.path.join(self.tmp.name, "kea", "kea-leases%d.csv.netboot-assignments.json" % n))
        script = open(os.path.join(self.root, "profile-rescue.ipxe")).read()
        self.assertTrue(script.startswith("#!ipxe"))
        self.assertNotIn("@", script.replace("${", ""), "unfilled template placeholder")
        self.assertIn("echo kea-netboot: profile rescue reached (${platform} ${buildarch}, ${mac})", script)
        self.assertIn("chain --autofree rescue/boot.ipxe", script)
        self.assertIn("choose --timeout 10000 --default shell target", script)
        self.assertIn("chain --autofree boot.ipxe", script)  # back to the normal menu

    def test_installed_state_file_is_the_hooks_default(self):
        # Without --run-dir the bundle names the hook's own default (the one
        # tests/apparmor checks against Kea's AppArmor profile), taken from
        # the built netboot-check-config when there is one.
        args = [sys.executable, RENDER, "-i", "eth1", "--root", self.root, "-o", self.out]
        r = subprocess.run(args, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        checker = os.path.join(os.environ.get("NETBOOT_BUILD_DIR", ""), "hooks", "netboot-check-config")
        defaults = None
        if os.environ.get("NETBOOT_BUILD_DIR") and os.access(checker, os.X_OK):
            defaults = json.loads(subprocess.run([checker, "--print-defaults"], check=True, capture_output=True,
                                                 text=True).stdout)
        for conf, family, service, n in (("kea-dhcp4.conf", "Dhcp4", "dhcp4", 4),
                                         ("kea-dhcp6.conf", "Dhcp6", "dhcp6", 6)):
            p = kea_json(os.path.join(self.out, conf))[family]["hooks-libraries"][0]["parameters"]
            self.assertEqual(p["state-file"], "/var/lib/kea/kea-leases%d.csv.netboot-assignments.json" % n)
            if defaults:
                self.assertEqual(p["state-file"], defaults[service]["state-file"])

    def test_profiles_chosen_with_port(self):
        r = self.run_render("--profile", "install-debian", "--profile", "rescue", "--profile", "memtest.86",
                            "--http-port", "8080", "--menu-timeout", "4")
        self.assertEqual(r.returncode, 0, r.stderr)
        p = kea_json(os.path.join(self.out, "kea-dhcp6.conf"))["Dhcp6"]["hooks-libraries"][0]["parameters"]
        self.assertEqual(sorted(p["profiles"]), ["install-debian", "memtest.86", "rescue"])
        self.assertEqual(p["profiles"]["install-debian"]["ipxe-script-url"],
                         "http://{server}:8080/profile-install-debian.ipxe")
        generic = open(os.path.join(self.root, "profile-install-debian.ipxe")).read()
        self.assertIn("echo kea-netboot: profile install-debian reached", generic)
        self.assertIn("chain --autofree install-debian/boot.ipxe", generic)
        self.assertIn("choose --timeout 4000 --default main target", generic)
        self.assertNotIn("@", generic.replace("${", ""), "unfilled template placeholder")
        self.assertIn("RESCUE", open(os.path.join(self.root, "profile-rescue.ipxe")).read())
        self.assertTrue(os.path.exists(os.path.join(self.root, "profile-memtest.86.ipxe")))

    def test_no_profiles(self):
        r = self.run_render("--no-profiles")
        self.assertEqual(r.returncode, 0, r.stderr)
        p = kea_json(os.path.join(self.out, "kea-dhcp4.conf"))["Dhcp4"]["hooks-libraries"][0]["parameters"]
        self.assertNotIn("profiles", p)
        self.assertFalse([f for f in os.listdir(self.root) if f.startswith("profile-")])

    def test_refuses_bad_profiles(self):
        self.refused("--profile", "Rescue", says=["--profile: 'Rescue' is not a profile name", "a-z"])
        self.refused("--profile", "../etc", says=["--profile: '../etc' is not a profile name"])
        self.refused("--profile", ".hidden", says=["starting with a letter or digit"])
        self.refused("--profile", "default", says=["--profile: 'default' is the hook's own settings"])
        self.refused("--profile", "rescue", "--profile", "rescue", says=["--profile: 'rescue' is given twice"])
        self.refused("--profile", "rescue", "--no-profiles", says=["--profile and --no-profiles"])

    def ha_hooks(self):
        hooks = os.path.join(self.tmp.name, "kea-hooks")
        os.makedirs(hooks, exist_ok=True)
        for lib in ("libdhcp_ha.so", "libdhcp_lease_cmds.so"):
            open(os.path.join(hooks, lib), "w").close()
        return hooks

    def test_ha_pair(self):
        hooks = self.ha_hooks()
        confs = {}
        for this, peer, addr in (("server1=http://192.0.2.1:8000/", "server2=http://192.0.2.3:8000", "192.0.2.1"),
                                 ("server2=http://192.0.2.3:8000", "server1=http://192.0.2.1:8000/", "192.0.2.3")):
            out = os.path.join(self.tmp.name, this[:7])
            r = subprocess.run([sys.executable, RENDER, "-i", "eth1", "--root", self.root, "-o", out,
                                "--run-dir", self.tmp.name, "--kea-version", "2.6", "--no-ipv6", "--server4", addr, "--ha-this", this,
                                "--ha-peer", peer, "--kea-hooks-dir", hooks, "--profile", "rescue",
                                "--profile", "install-debian"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            confs[this[:7]] = kea_json(os.path.join(out, "kea-dhcp4.conf"))["Dhcp4"]
            agent = kea_json(os.path.join(out, "kea-ctrl-agent.conf"))["Control-agent"]
            self.assertEqual((agent["http-host"], agent["http-port"]), (addr, 8000))
        libs = confs["server1"]["hooks-libraries"]
        self.assertEqual([os.path.basename(l["library"]) for l in libs],
                         ["libdhcp_lease_cmds.so", "libdhcp_netboot.so", "libdhcp_ha.so"])
        self.assertEqual(libs[0]["library"], os.path.join(hooks, "libdhcp_lease_cmds.so"))
        self.assertEqual(sorted(libs[1]["parameters"]["profiles"]), ["install-debian", "rescue"])
        ha = [l["parameters"]["high-availability"][0] for l in
              (confs["server1"]["hooks-libraries"][2], confs["server2"]["hooks-libraries"][2])]
        self.assertEqual([h["this-server-name"] for h in ha], ["server1", "server2"])
        self.assertEqual(ha[0]["mode"], "load-balancing")
        # both servers agree on roles, URLs and the pool split
        self.assertEqual(ha[0]["peers"], ha[1]["peers"])
        self.assertEqual([(p["name"], p["url"], p["role"]) for p in ha[0]["peers"]],
                         [("server1", "http://192.0.2.1:8000/", "primary"),
                          ("server2", "http://192.0.2.3:8000/", "secondary")])
        self.assertEqual(confs["server1"]["subnet4"][0]["pools"], confs["server2"]["subnet4"][0]["pools"])
        self.assertEqual(confs["server1"]["subnet4"][0]["pools"],
                         [{"pool": "192.0.2.100 - 192.0.2.149", "client-class": "HA_server1"},
                          {"pool": "192.0.2.150 - 192.0.2.199", "client-class": "HA_server2"}])

    def test_ha_pair_serves_dhcpv6_too(self):
        """Both families: kea-dhcp6 gets the same three libraries, the same
        peers through the same control agents, and its pool split too."""
        hooks = self.ha_hooks()
        confs = {}
        for this, peer, addr in (("server1=http://192.0.2.1:8000/", "server2=http://192.0.2.3:8000/", "192.0.2.1"),
                                 ("server2=http://192.0.2.3:8000/", "server1=http://192.0.2.1:8000/", "192.0.2.3")):
            out = os.path.join(self.tmp.name, this[:7] + "-6")
            r = subprocess.run([sys.executable, RENDER, "-i", "eth1", "--root", self.root, "-o", out,
                                "--run-dir", self.tmp.name, "--kea-version", "2.6", "--server4", addr,
                                "--server6", "2001:db8::" + addr.rsplit(".", 1)[1], "--ha-this", this,
                                "--ha-peer", peer, "--kea-hooks-dir", hooks], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            confs[this[:7]] = kea_json(os.path.join(out, "kea-dhcp6.conf"))["Dhcp6"]
        for name, conf in confs.items():
            libs = conf["hooks-libraries"]
            self.assertEqual([os.path.basename(l["library"]) for l in libs],
                             ["libdhcp_lease_cmds.so", "libdhcp_netboot.so", "libdhcp_ha.so"])
            ha = libs[2]["parameters"]["high-availability"][0]
            self.assertEqual(ha["this-server-name"], name)
            self.assertEqual([(p["name"], p["role"]) for p in ha["peers"]],
                             [("server1", "primary"), ("server2", "secondary")])
            self.assertEqual(conf["subnet6"][0]["pools"],
                             [{"pool": "2001:db8::100 - 2001:db8::17f", "client-class": "HA_server1"},
                              {"pool": "2001:db8::180 - 2001:db8::1ff", "client-class": "HA_server2"}])

    def test_refuses_ha_for_kea3(self):
        self.refused("--kea-version", "3.0", "--no-ipv6", "--subnet4", "192.0.2.0/24", "--server4", "192.0.2.1",
                     "--ha-this", "s1=http://192.0.2.1:8000/", "--ha-peer", "s2=http://192.0.2.3:8000/",
                     "--kea-hooks-dir", self.ha_hooks(), says=["HA pairs are rendered for Kea 2.x"])

    def test_refuses_bad_ha(self):
        hooks = self.ha_hooks()
        pair = ["--no-ipv6", "--kea-hooks-dir", hooks]
        self.refused("--ha-this", "s1=http://192.0.2.1:8000/", *pair, says=["--ha-this needs --ha-peer"])
        self.refused("--ha-this", "s1", "--ha-peer", "s2=http://192.0.2.3:8000/", *pair,
                     says=["--ha-this: 's1' is not NAME=URL"])
        self.refused("--ha-this", "s1=https://192.0.2.1:8000/", "--ha-peer", "s2=http://192.0.2.3:8000/", *pair,
                     says=["must be an http:// URL"])
        self.refused("--ha-this", "s1=http://kea1.example:8000/", "--ha-peer", "s2=http://192.0.2.3:8000/", *pair,
                     says=["by IP address and port"])
        self.refused("--ha-this", "s1=http://192.0.2.1:8000/", "--ha-peer", "s1=http://192.0.2.3:8000/", *pair,
                     says=["--ha-peer: 's1' is this server's name too"])
        self.refused("--ha-this", "s1=http://192.0.2.1/", "--ha-peer", "s2=http://192.0.2.3:8000/", *pair,
                     says=["nginx's address and port"])
        self.refused("--ha-this", "s1=http://192.0.2.1:8000/", "--ha-peer", "s2=http://192.0.2.3:8000/",
                     "--ctrl-agent-port", "8001", *pair, says=["--ctrl-agent-port: 8001 differs"])
        self.refused("--ha-this", "s1=http://192.0.2.1:8000/", "--ha-peer", "s2=http://192.0.2.3:8000/",
                     "--no-ipv6", "--kea-hooks-dir", self.tmp.name,
                     says=["libdhcp_lease_cmds.so does not exist", "kea-dhcp4-server"])

    def test_refuses_server4_outside_subnet(self):
        self.refused("--server4", "198.51.100.1",
                     says=["--server4", "198.51.100.1 is outside the subnet 192.0.2.0/24"])

    def test_refuses_broadcast_server4(self):
        self.refused("--server4", "192.0.2.255", says=["broadcast", "use a host address"])

    def test_refuses_pool_outside_subnet(self):
        self.refused("--pool4", "192.0.2.10-192.0.3.20", says=["--pool4", "outside the subnet"])

    def test_refuses_pool_with_server(self):
        self.refused("--server4", "192.0.2.150", says=["contains the server address 192.0.2.150"])

    def test_refuses_prefix_not_64(self):
        self.refused("--prefix6", "2001:db8::/48", says=["--prefix6", "/48", "needs a /64", "2001:db8::/64"])
        self.refused("--prefix6", "2001:db8::/80", says=["needs a /64"])

    def test_refuses_server6_outside_prefix(self):
        self.refused("--server6", "2001:db8:1::1", says=["--server6", "outside the prefix 2001:db8::/64"])

    def test_refuses_missing_boot_file(self):
        os.unlink(os.path.join(self.root, "ipxe.efi"))
        err = self.refused(says=["boot file for efi-x64 missing", os.path.join(self.root, "ipxe.efi"),
                                 "--install-loaders"])
        self.assertIn("cp /usr/lib/ipxe/ipxe.efi", err)

    def test_refused_install_loaders_copies_nothing(self):
        # --install-loaders used to copy before the last checks refused.
        os.unlink(os.path.join(self.root, "undionly.kpxe"))
        self.refused("--install-loaders", "--loader", "efi-x64=my-ipxe.efi", says=["my-ipxe.efi does not exist"])
        self.assertFalse(os.path.exists(os.path.join(self.root, "undionly.kpxe")), "a refused run copied a loader")

    def test_refuses_missing_custom_loader(self):
        self.refused("--loader", "efi-x64=my-ipxe.efi", says=["my-ipxe.efi does not exist", "--loader efi-x64"])

    def test_refuses_missing_root(self):
        self.refused("--root", os.path.join(self.tmp.name, "nope"), says=["is not a directory", "mkdir -p"])

    def test_refuses_unknown_family(self):
        self.refused("--arch", "bios,efi-x65", says=["unknown firmware family 'efi-x65'"])

    def test_refuses_http_boot_for_bios(self):
        self.refused("--http-boot", "bios", says=["only UEFI firmware does HTTP boot"])

    def test_refuses_bad_interface(self):
        r = subprocess.run([sys.executable, RENDER, "-i", "much-too-long-interface", "--root", self.root,
                            "-o", self.out], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not an interface name", r.stderr)

    def test_help_is_a_manual(self):
        r = subprocess.run([sys.executable, RENDER, "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        for words in ("kea-dhcp4 -t", "nginx -t", "--install-loaders", "self-built iPXE", "/64",
                      "exit status", "grubnetia32.efi", "--profile NAME", "profile-NAME.ipxe",
                      "netboot-assignment-set", "--ha-this NAME=URL", "libdhcp_ha.so"):
            self.assertIn(words, r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
