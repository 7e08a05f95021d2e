#!/usr/bin/env python3
"""Unit tests of the site model (kea-config/netboot_site) and of
netboot-render reading a site file: the flags and the site file they stand
for render the same bytes, the example site renders what it says, and every
refusal names file, line and field. Pure checks (no root, no network); the
real programs check the example site's output in check-real.sh."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

TOP = os.environ.get("NETBOOT_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
RENDER = os.path.join(TOP, "kea-config", "netboot-render")
EXAMPLE = os.path.join(TOP, "kea-config", "examples", "site.json")
sys.path.insert(0, os.path.join(TOP, "kea-config"))

from netboot_site import Refused, load_site  # noqa: E402
from netboot_site.jsonc import JsonError, parse  # noqa: E402


def kea_json(path):
    with open(path) as f:
        return json.loads(re.sub(r"^\s*//.*$", "", f.read(), flags=re.M))


def read_tree(top):
    files = {}
    for d, _, names in os.walk(top):
        for n in names:
            path = os.path.join(d, n)
            with open(path, "rb") as f:
                files[os.path.relpath(path, top)] = f.read()
    return files


class SiteBase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.tmp.name, "root")
        os.makedirs(self.root)
        for f in ("ipxe.efi", "undionly.kpxe", "grubnetia32.efi", "snponly.efi"):
            with open(os.path.join(self.root, f), "w") as fh:
                fh.write("x")

    def tearDown(self):
        self.tmp.cleanup()

    def render(self, *args):
        return subprocess.run([sys.executable, RENDER] + list(args), capture_output=True, text=True)

    def write_site(self, text, name="site.json"):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def example(self):
        """The README's example site, with this test's boot root."""
        with open(EXAMPLE) as f:
            text = f.read()
        text = text.replace('"root": "/srv/netboot"', '"root": "%s"' % self.root)
        text = text.replace('"install-loaders": true', '"install-loaders": false')
        return self.write_site(text)

    def refused(self, text, *says):
        path = self.write_site(text)
        r = self.render(path, "--kea-version", "2.6", "-o", os.path.join(self.tmp.name, "out"))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        for words in says:
            self.assertIn(words, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "out")), "refused input must write nothing")
        return r.stderr

    def read_root(self, name):
        with open(os.path.join(self.root, name)) as f:
            return f.read()


class SiteFile(SiteBase):
    def test_flags_and_the_site_file_they_stand_for_render_the_same_bytes(self):
        flags = ["-i", "eth1", "--subnet4", "198.51.100.0/24", "--server4", "198.51.100.1",
                 "--prefix6", "2001:db8:5::/64", "--profile", "rescue", "--profile", "install",
                 "--arch", "bios,efi-x64", "--http-boot", "efi-x64", "--loader", "efi-x64=snponly.efi",
                 "--http-port", "8080", "--menu-timeout", "3", "--root", self.root, "--kea-version", "2.6"]
        site = self.write_site("""// the same site as the flags
{ "kea-version": "2.6", "http-port": 8080,
  "networks": [ { "interfaces": [ "eth1" ], "subnet4": "198.51.100.0/24", "server4": "198.51.100.1",
                  "prefix6": "2001:db8:5::/64" } ],
  "boot": { "root": "%s", "families": [ "bios", "efi-x64" ], "http-boot": [ "efi-x64" ],
            "loaders": { "efi-x64": "snponly.efi" }, "menu-timeout": 3 },
  "profiles": [ "rescue", "install" ] }
""" % self.root)
        out = os.path.join(self.tmp.name, "out")
        r = self.render(*flags, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        from_flags, root_from_flags = read_tree(out), read_tree(self.root)
        shutil.rmtree(out)
        r = self.render(site, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(from_flags, read_tree(out))
        self.assertEqual(root_from_flags, read_tree(self.root))
        self.assertIn("kea-dhcp4.conf", from_flags)

    def test_print_site_of_the_flags_is_a_site_file_that_renders_the_same(self):
        flags = ["-i", "eth1", "--no-ipv6", "--root", self.root, "--kea-version", "2.2"]
        r = self.render(*flags, "--print-site")
        self.assertEqual(r.returncode, 0, r.stderr)
        printed = self.write_site(r.stdout, "printed.json")
        out = os.path.join(self.tmp.name, "out")
        self.assertEqual(self.render(*flags, "-o", out).returncode, 0)
        from_flags = read_tree(out)
        shutil.rmtree(out)
        self.assertEqual(self.render(printed, "-o", out).returncode, 0)
        self.assertEqual(from_flags, read_tree(out))

    def test_print_site_fills_in_every_default(self):
        path = self.write_site('{ "networks": [ { "interfaces": [ "eth1" ] } ], "kea-version": "2.2" }')
        r = self.render(path, "--print-site")
        self.assertEqual(r.returncode, 0, r.stderr)
        site = json.loads(r.stdout)
        n = site["networks"][0]
        self.assertEqual((n["name"], n["subnet4"], n["server4"], n["pool4"]),
                         ("boot", "192.0.2.0/24", "192.0.2.1", "192.0.2.100-192.0.2.199"))
        self.assertEqual((n["prefix6"], n["server6"]), ("2001:db8::/64", "2001:db8::1"))
        self.assertEqual(site["boot"]["loaders"], {"bios": "undionly.kpxe", "efi-x64": "ipxe.efi",
                                                   "efi-ia32": "grubnetia32.efi"})
        self.assertEqual(site["profiles"], ["rescue", "install"])
        self.assertEqual(site["hosts"], [])

    def test_example_site_renders_two_networks_and_the_hosts(self):
        out = os.path.join(self.tmp.name, "out")
        r = self.render(self.example(), "--kea-version", "2.6", "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        d4 = kea_json(os.path.join(out, "kea-dhcp4.conf"))["Dhcp4"]
        d6 = kea_json(os.path.join(out, "kea-dhcp6.conf"))["Dhcp6"]
        rack_a, rack_b = d4["subnet4"]
        self.assertEqual((rack_a["subnet"], rack_a["interface"]), ("192.0.2.0/25", "eth1"))
        self.assertEqual(rack_b["relay"], {"ip-addresses": ["198.51.100.1"]})
        self.assertNotIn("interface", rack_b)
        self.assertEqual(rack_b["option-data"], [{"name": "routers", "data": "198.51.100.1"}])
        self.assertEqual(d6["subnet6"][1]["relay"], {"ip-addresses": ["2001:db8:b::1"]})
        self.assertEqual(d4["interfaces-config"]["interfaces"], ["eth1"])
        # 12 hosts, db-01 with two NICs: 13 reservations per family.
        self.assertEqual(len(rack_a["reservations"]) + len(rack_b["reservations"]), 13)
        self.assertEqual(sum(len(s.get("reservations", [])) for s in d6["subnet6"]), 13)
        db01 = [r for r in rack_a["reservations"] if r["hostname"] == "db-01"]
        self.assertEqual([r["hw-address"] for r in db01], ["52:54:00:0a:00:01", "52:54:00:0a:01:01"])
        self.assertEqual(db01[0]["ip-address"], "192.0.2.11")
        build01 = next(r for r in rack_a["reservations"] if r["hostname"] == "build-01")
        self.assertEqual(build01["user-context"]["netboot"]["ipxe-script-url"], "http://{server}/profile-install.ipxe")
        radvd = kea_json(os.path.join(out, "radvd-lite.conf"))["RadvdLite"]["interfaces"]
        self.assertEqual([(i["name"], i["prefixes"][0]["prefix"]) for i in radvd], [("eth1", "2001:db8:a::/64")])
        tftpd = kea_json(os.path.join(out, "netboot-tftpd.conf"))["netboot-tftpd"]
        self.assertEqual(tftpd["listen"], ["192.0.2.1:69", "[2001:db8:a::1]:69"])
        with open(os.path.join(out, "netboot-site.json")) as f:
            site = json.load(f)
        self.assertEqual([h["name"] for h in site["hosts"] if h["bmc"]], ["db-01", "db-02"])

    def test_one_assignment_database_for_both_families(self):
        """A site with an assignment-database renders it into the hook of
        kea-dhcp4 and of kea-dhcp6 (no state file), without the password."""
        with open(self.example()) as f:
            text = f.read()
        text = text.replace('"profiles": [ "rescue", "install" ],',
                            '"profiles": [ "rescue", "install" ],\n  "assignment-database": { "name": "kea", '
                            '"host": "192.0.2.9", "user": "kea", "password-file": "/etc/kea/netboot-db-password" },')
        out = os.path.join(self.tmp.name, "out")
        r = self.render(self.write_site(text, "db-site.json"), "--kea-version", "2.6", "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        for family in (4, 6):
            conf = kea_json(os.path.join(out, "kea-dhcp%d.conf" % family))["Dhcp%d" % family]
            hook = next(h for h in conf["hooks-libraries"] if h["library"].endswith("libdhcp_netboot.so"))
            self.assertEqual(hook["parameters"]["assignment-database"],
                             {"type": "postgresql", "name": "kea", "host": "192.0.2.9", "user": "kea",
                              "password-file": "/etc/kea/netboot-db-password"})
            self.assertNotIn("state-file", hook["parameters"])
        with open(os.path.join(out, "netboot-site.json")) as f:
            self.assertEqual(json.load(f)["assignment-database"]["host"], "192.0.2.9")

    def test_load_site_gives_tools_the_hosts(self):
        site = load_site(self.example(), kea_version="2.6.3")
        db02 = next(h for h in site.hosts if h.name == "db-02")
        self.assertEqual((db02.macs, db02.network, db02.bmc.address, db02.bmc.port, db02.bmc.password_file),
                         (["52:54:00:0a:00:02"], "rack-a", "192.0.2.202", 623, "/etc/kea-netboot/bmc/db-02"))
        self.assertEqual(site.kea_version, "2.6")
        self.assertEqual([n.name for n in site.networks], ["rack-a", "rack-b"])

    def test_unknown_field_names_file_line_and_path(self):
        err = self.refused('{\n  "networks": [ {\n    "interfaces": [ "eth1" ],\n    "subnet": "192.0.2.0/24"\n  } ]\n}\n',
                           "site.json:4: networks[0].subnet: unknown field", "subnet4")
        self.assertIn("nothing was written", err)

    def test_refusals_name_the_field(self):
        net = '"networks": [ { "name": "a", "interfaces": [ "eth1" ], "subnet4": "192.0.2.0/24" } ]'
        cases = [
            ('{ %s, "hosts": [ { "name": "h1", "macs": [ "52:54:00:zz:00:01" ] } ] }' % net,
             "hosts[0].macs[0]: '52:54:00:zz:00:01' is not a MAC"),
            ('{ %s, "hosts": [ { "name": "h1", "macs": [ "52:54:00:00:00:01" ], "network": "b" } ] }' % net,
             "hosts[0].network: no network is named 'b'"),
            ('{ %s, "hosts": [ { "name": "h1", "macs": [ "52:54:00:00:00:01" ] },\n'
             '  { "name": "h2", "macs": [ "52:54:00:00:00:01" ] } ] }' % net,
             "site.json:2: hosts[1].macs[0]: 52:54:00:00:00:01 is host 'h1''s MAC too"),
            ('{ %s, "hosts": [ { "name": "h1", "macs": [ "52:54:00:00:00:01" ], "profile": "nope" } ] }' % net,
             "hosts[0].profile: no profile 'nope'"),
            ('{ %s, "hosts": [ { "name": "h1", "macs": [ "52:54:00:00:00:01" ],\n'
             '  "bmc": { "address": "192.0.2.9", "password": "hunter2" } } ] }' % net,
             "site.json:2: hosts[0].bmc.password: unknown field"),
            ('{ %s, "hosts": [ { "name": "h1", "macs": [ "52:54:00:00:00:01" ], "address4": "192.0.2.150" } ] }' % net,
             "hosts[0].address4: 192.0.2.150 is inside the pool"),
            ('{ "networks": [ { "name": "a", "interfaces": [ "eth1" ], "subnet4": "192.0.2.0/24" },\n'
             '  { "name": "b", "relay": [ "198.51.100.1" ], "subnet4": "198.51.100.0/24" } ] }',
             "networks[1].server4: a relayed network needs this server's address"),
            ('{ "networks": [ { "name": "a", "interfaces": [ "eth1" ], "subnet4": "192.0.2.0/24" },\n'
             '  { "name": "b", "interfaces": [ "eth2" ], "subnet4": "192.0.2.128/25" } ] }',
             "site.json:2: networks[1].subnet4: 192.0.2.128/25 overlaps network 'a'"),
            ('{ "networks": [ { "name": "a", "relay": [ "198.51.100.1" ], "subnet4": "198.51.100.0/24",'
             ' "server4": "192.0.2.1" } ] }',
             "give at least one network interfaces"),
            ('{ "networks": [ { "interfaces": [ "eth1" ], "subnet4": "192.0.2.0/24" } ],\n'
             '  "boot": { "families": [ "bios", "efi-x65" ] } }',
             "site.json:2: boot.families: unknown firmware family 'efi-x65'"),
            ('{ "networks": [ { "interfaces": [ "eth1" ] } ], "ha": { "this": "s1=http://192.0.2.1:8000/" } }',
             "site.json:1: ha.this needs"),
            ('{ "networks": [ { "interfaces": [ "eth1" ] } ]\n  "hosts": [] }',
             "site.json:2: expected ',' or '}'"),
            ('{ %s,\n  "assignment-database": { "host": "192.0.2.9" } }' % net,
             "site.json: assignment-database.name: the database's name is required"),
            ('{ %s,\n  "assignment-database": { "name": "kea", "password": "hunter2" } }' % net,
             "site.json:2: assignment-database.password: unknown field"),
            ('{ %s,\n  "assignment-database": { "name": "kea", "password-file": "db-password" } }' % net,
             "assignment-database.password-file: 'db-password' must be an absolute path"),
            ('{ %s,\n  "assignment-database": { "name": "kea", "port": 70000 } }' % net,
             "assignment-database.port: 70000 is not a port"),
        ]
        for text, says in cases:
            with self.subTest(says=says):
                self.refused(text, says)

    def test_every_family_of_the_registry_is_known(self):
        """The renderer's families are the hook's: both come from
        architectures.json (the renderer's own list once lacked five)."""
        with open(os.path.join(TOP, "kea-config", "netboot_site", "architectures.json")) as f:
            families = {a["family"] for a in json.load(f)["architectures"]}
        self.assertLessEqual({"alpha", "arc-x86", "efi-xscale", "lean-client", "pc98"}, families)
        with open(os.path.join(self.root, "pc98.0"), "w") as f:
            f.write("x")
        path = self.write_site(json.dumps({
            "kea-version": "2.6", "networks": [{"name": "lab", "interfaces": ["eth1"]}],
            "boot": {"root": self.root, "families": ["bios", "pc98"], "http-boot": [], "loaders": {"pc98": "pc98.0"}}}))
        out = os.path.join(self.tmp.name, "out")
        r = self.render(path, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "kea-dhcp4.conf")) as f:
            self.assertIn('"pc98": "pc98.0"', f.read())

    def test_a_site_file_and_one_network_flags_do_not_mix(self):
        path = self.write_site('{ "networks": [ { "interfaces": [ "eth1" ] } ] }')
        r = self.render(path, "--subnet4", "192.0.2.0/24", "--kea-version", "2.6", "-o", self.tmp.name + "/out")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--subnet4: the site file describes the site; set it there", r.stderr)


class BootEntries(SiteBase):
    """One entry definition becomes an iPXE and a GRUB menu item; a profile
    named like an entry boots it."""

    def entries_site(self, entries):
        for name in ("live/vmlinuz", "live/initrd.img"):
            os.makedirs(os.path.join(self.root, os.path.dirname(name)), exist_ok=True)
            with open(os.path.join(self.root, name), "w") as f:
                f.write("x")
        return self.write_site(json.dumps({
            "kea-version": "2.6", "networks": [{"interfaces": ["eth1"]}], "profiles": ["rescue", "live"],
            "boot": {"root": self.root, "console": "ttyS0,115200", "entries": entries}}))

    def test_one_definition_two_menus(self):
        site = self.entries_site([
            {"name": "live", "label": "Live system", "kernel": "live/vmlinuz", "initrd": "live/initrd.img",
             "cmdline": "boot=live quiet"},
            {"name": "rescue", "label": "Rescue", "kernel": "live/vmlinuz", "initrd": "live/initrd.img",
             "cmdline": "single", "platforms": ["bios"]}])
        r = self.render(site, "-o", os.path.join(self.tmp.name, "out"))
        self.assertEqual(r.returncode, 0, r.stderr)
        menu = self.read_root("boot.ipxe")
        uefi, legacy = menu.split(":menu_legacy")[0], menu.split(":menu_legacy")[1].split(":entry-")[0]
        self.assertIn("item entry-live               Live system", uefi)
        self.assertNotIn("entry-rescue", uefi)
        self.assertIn("item entry-rescue             Rescue", legacy)
        self.assertIn(":entry-live\n", menu)
        self.assertIn("kernel live/vmlinuz initrd=initrd.img boot=live quiet console=ttyS0,115200 || goto failed\n"
                      "initrd live/initrd.img || goto failed\nboot || goto failed", menu)
        grub = self.read_root("grub/grub.cfg")
        self.assertIn('if [ "$grub_cpu" = x86_64 ]; then\n'
                      '  menuentry "Live system" --id live {\n    linux /live/vmlinuz boot=live quiet console=ttyS0,115200'
                      '\n    initrd /live/initrd.img\n  }\nfi', grub,
                      "x86-64 kernels are for the 64-bit GRUB only, not the 32-bit UEFI machines sharing the menu")
        self.assertNotIn("Rescue", grub, "a BIOS-only entry has no place in the UEFI GRUB menu")
        # GRUB's own parser (grub-common, which grub-efi-ia32-bin of the
        # kea-config package list brings): a missing checker fails the test.
        check = subprocess.run(["grub-script-check", os.path.join(self.root, "grub/grub.cfg")],
                               capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        rescue = self.read_root("profile-rescue.ipxe")
        self.assertIn("goto entry-rescue\n\n:menu\n", rescue)
        self.assertIn("kernel live/vmlinuz initrd=initrd.img single console=ttyS0,115200", rescue)
        self.assertIn("goto entry-live", self.read_root("profile-live.ipxe"))

    def test_entries_refused_naming_the_field(self):
        site = self.entries_site([{"name": "live", "kernel": "live/missing", "initrd": "live/initrd.img"}])
        r = self.render(site, "-o", os.path.join(self.tmp.name, "out"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("boot.entries[0].kernel: live/missing is not in the boot root", r.stderr)
        for entry, says in (({"name": "x", "kernel": "live/vmlinuz", "cmdline": "a\"b"}, "entries[0].cmdline"),
                            ({"name": "x", "kernel": "../etc/passwd"}, "entries[0].kernel"),
                            ({"name": "x", "kernel": "live/vmlinuz", "platforms": ["arm"]}, "entries[0].platforms"),
                            ({"name": "X!", "kernel": "live/vmlinuz"}, "entries[0].name"),
                            ({"name": "x", "kernel": "live/vmlinuz", "initrdd": "y"}, "entries[0].initrdd: unknown")):
            with self.subTest(says=says):
                r = self.render(self.entries_site([entry]), "-o", os.path.join(self.tmp.name, "out"))
                self.assertEqual(r.returncode, 1)
                self.assertIn(says, r.stderr)

    def test_default_entries_only_where_their_files_are(self):
        out = os.path.join(self.tmp.name, "out")
        r = self.render("-i", "eth1", "--root", self.root, "--kea-version", "2.6", "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("entry-", self.read_root("boot.ipxe"))
        os.makedirs(os.path.join(self.root, "debian-installer/amd64"))
        for name in ("debian-installer/amd64/linux", "debian-installer/amd64/initrd.gz"):
            with open(os.path.join(self.root, name), "w") as f:
                f.write("x")
        r = self.render("-i", "eth1", "--root", self.root, "--kea-version", "2.6", "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        menu = self.read_root("boot.ipxe")
        for name in ("install", "interactive", "expert", "rescue"):
            self.assertIn("item entry-%s" % name, menu)
        self.assertNotIn("entry-memtest", menu)
        self.assertIn("kernel debian-installer/amd64/linux initrd=initrd.gz rescue/enable=true || goto failed", menu)
        self.assertIn("goto entry-rescue", self.read_root("profile-rescue.ipxe"))


class SecureBoot(SiteBase):
    """Where the site, a network or a host says secure-boot, x64 UEFI gets
    signed shim (and through it signed GRUB) instead of iPXE, over TFTP
    and HTTP; nowhere else."""

    def setUp(self):
        super().setUp()
        for f in ("shimx64.efi", "grubx64.efi"):
            with open(os.path.join(self.root, f), "w") as fh:
                fh.write("x")

    def site(self, boot=None, network=None, hosts=()):
        n = dict({"name": "lab", "interfaces": ["eth1"]}, **(network or {}))
        return self.write_site(json.dumps({
            "kea-version": "2.6", "networks": [n], "hosts": list(hosts),
            "boot": dict({"root": self.root}, **(boot or {}))}))

    def rendered(self, site):
        out = os.path.join(self.tmp.name, "out")
        r = self.render(site, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        return {f: kea_json(os.path.join(out, "kea-dhcp%d.conf" % f))["Dhcp%d" % f] for f in (4, 6)}

    @staticmethod
    def hook(conf):
        return next(h["parameters"] for h in conf["hooks-libraries"] if "parameters" in h)

    def test_site_wide(self):
        for family, conf in self.rendered(self.site({"secure-boot": True})).items():
            params = self.hook(conf)
            self.assertIs(params["secure-boot"], True)
            self.assertEqual(params["secure-boot-files"], {"efi-x64": "shimx64.efi"})
            # the loader Secure Boot replaces, and only for efi-x64
            self.assertEqual(params["tftp-boot-files"]["efi-x64"], "ipxe.efi")
            self.assertEqual(params["tftp-boot-files"].get("efi-ia32"), "grubnetia32.efi")
            # each profile has its own copy of shim: GRUB learns the profile from its path
            for name in ("rescue", "install"):
                self.assertEqual(params["profiles"][name]["secure-boot-files"],
                                 {"efi-x64": "profile-%s/shimx64.efi" % name})
        for name in ("rescue", "install"):
            self.assertEqual(self.read_root("profile-%s/shimx64.efi" % name), "x")  # made from the root's shim
            # no installer in this root: the profile says so and leaves GRUB's menu as it is
            profile = self.read_root("grub/profile-%s.cfg" % name)
            self.assertIn("kea-netboot: profile %s reached" % name, profile)
            self.assertNotIn("set default", profile)
        grub = self.read_root("grub/grub.cfg")
        self.assertIn("kea-netboot: menu reached", grub)
        self.assertIn('source "$prefix/profile-$netboot_profile.cfg"', grub)
        for name in ("grub/grub.cfg", "grub/profile-rescue.cfg"):
            check = subprocess.run(["grub-script-check", os.path.join(self.root, name)], capture_output=True, text=True)
            self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def test_grub_finds_the_profile_in_the_boot_file(self):
        """GRUB's regexp, as grub.cfg writes it, run by GRUB itself
        (grub-emu is not at hand; the expression is POSIX ERE, which grep -E
        implements the same way for these inputs)."""
        self.rendered(self.site({"secure-boot": True}))
        grub = self.read_root("grub/grub.cfg")
        expr = re.search(r"regexp --set=2:netboot_profile '([^']+)' \"([^\"]+)\"", grub)
        self.assertIsNotNone(expr, "no profile regexp in grub.cfg")
        pattern, subject = expr.groups()
        self.assertIn("$net_efinet0_boot_file|$net_efinet15_boot_file", subject.replace(
            "|".join("$net_efinet%d_boot_file" % i for i in range(1, 15)) + "|", ""))
        found = lambda text: (re.search(pattern, text) or [None, None, None])[2]
        self.assertEqual(found("profile-rescue/shimx64.efi||"), "rescue")            # DHCPv4 file
        self.assertEqual(found("||/profile-install/shimx64.efi|"), "install")        # DHCPv6 URL path, 3rd card
        self.assertIsNone(found("shimx64.efi|||"))
        self.assertIsNone(found("|||"))

    def test_network_and_host_levels(self):
        hosts = [{"name": "sb", "macs": ["52:54:00:00:00:01"], "secure-boot": True},
                 {"name": "plain", "macs": ["52:54:00:00:00:02"], "profile": "rescue"}]
        for family, conf in self.rendered(self.site(hosts=hosts)).items():
            params = self.hook(conf)
            self.assertEqual(params["tftp-boot-files"]["efi-x64"], "ipxe.efi")
            self.assertIs(params["secure-boot"], False)
            self.assertEqual(params["secure-boot-files"], {"efi-x64": "shimx64.efi"})
            subnet = conf["subnet%d" % family][0]
            self.assertNotIn("user-context", subnet)
            sb, plain = subnet["reservations"]
            self.assertEqual(sb["user-context"]["netboot"], {"secure-boot": True})
            self.assertNotIn("secure-boot", plain["user-context"]["netboot"])
            # a permanent profile brings its Secure Boot loader along
            self.assertEqual(plain["user-context"]["netboot"]["secure-boot-files"],
                             {"efi-x64": "profile-rescue/shimx64.efi"})
        # the network on, one host off: the host gets iPXE back
        hosts = [{"name": "old", "macs": ["52:54:00:00:00:03"], "secure-boot": False}]
        for family, conf in self.rendered(self.site(network={"secure-boot": True}, hosts=hosts)).items():
            subnet = conf["subnet%d" % family][0]
            self.assertEqual(subnet["user-context"]["netboot"], {"secure-boot": True})
            self.assertEqual(subnet["reservations"][0]["user-context"]["netboot"], {"secure-boot": False})

    def test_without_secure_boot_nothing_of_it(self):
        for family, conf in self.rendered(self.site()).items():
            self.assertNotIn("secure-boot", json.dumps(conf))
        self.assertFalse(os.path.exists(os.path.join(self.root, "profile-rescue")))

    def test_refused_without_x64_or_its_files(self):
        self.refused(json.dumps({"networks": [{"interfaces": ["eth1"]}],
                                 "boot": {"root": self.root, "families": ["bios"], "http-boot": [],
                                          "secure-boot": True}}),
                     "boot.secure-boot: Secure Boot hands shim to x64 UEFI machines, but efi-x64 is not in")
        os.unlink(os.path.join(self.root, "grubx64.efi"))
        self.refused(json.dumps({"networks": [{"interfaces": ["eth1"], "secure-boot": True}],
                                 "boot": {"root": self.root}}),
                     "grubx64.efi does not exist", "grubnetx64.efi.signed")
        self.refused(json.dumps({"networks": [{"interfaces": ["eth1"], "secure-boot": "yes"}],
                                 "boot": {"root": self.root}}), "networks[0].secure-boot: must be true or false")

    def test_grub_hides_unsigned_efi_entries_under_lockdown(self):
        for f in ("memtest86+x64.efi",):
            with open(os.path.join(self.root, f), "w") as fh:
                fh.write("x")
        self.rendered(self.site({"secure-boot": True}))
        with open(os.path.join(self.root, "grub/grub.cfg")) as f:
            grub = f.read()
        self.assertIn('if [ "$grub_cpu" = x86_64 -a "$lockdown" != y ]; then\n'
                      '  menuentry "Memory test (memtest86+)" --id memtest-efi', grub)
        check = subprocess.run(["grub-script-check", os.path.join(self.root, "grub/grub.cfg")],
                               capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)


class AutomatedInstall(SiteBase):
    """The installer's automated install: the entry's {preseed} becomes the
    machine's preseed URL in both menus; preseed/default.cfg comes from the
    site's install settings; nginx serves a machine's own file first."""

    def site(self, install):
        os.makedirs(os.path.join(self.root, "debian-installer/amd64"))
        for name in ("debian-installer/amd64/linux", "debian-installer/amd64/initrd.gz"):
            with open(os.path.join(self.root, name), "w") as f:
                f.write("x")
        return self.write_site(json.dumps({
            "kea-version": "2.6", "install": install,
            "networks": [{"interfaces": ["eth1"], "subnet4": "198.51.100.0/24", "dns": ["198.51.100.53"]}],
            "boot": {"root": self.root}}))

    def read(self, *names):
        with open(os.path.join(*names)) as f:
            return f.read()

    def test_preseed_from_the_site(self):
        key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBx operator@example"
        out = os.path.join(self.tmp.name, "out")
        r = self.render(self.site({"mirror": "http://mirror.example/debian", "timezone": "Europe/Berlin",
                                   "ssh-key": key, "partitioning": "home"}), "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        url = "url=http://198.51.100.1/preseed/%s.cfg"
        self.assertIn("auto=true priority=critical " + url % "${mac}", self.read(self.root, "boot.ipxe"))
        self.assertIn("auto=true priority=critical " + url % "${net_default_mac}",
                      self.read(self.root, "grub/grub.cfg"))
        preseed = self.read(self.root, "preseed/default.cfg")
        for line in ("d-i mirror/http/hostname string mirror.example", "d-i mirror/http/directory string /debian",
                     "d-i time/zone string Europe/Berlin", "d-i partman-auto/choose_recipe select home",
                     "d-i passwd/root-password-crypted password !", "echo '%s' > /target/root/.ssh" % key,
                     "wget -q -O /dev/null http://198.51.100.1/netboot-report/installed/"):
            self.assertIn(line, preseed)
        nginx = self.read(out, "nginx-site.conf")
        self.assertIn("location /preseed/ {\n        try_files $uri /preseed/default.cfg;", nginx)
        dhcp4 = kea_json(os.path.join(out, "kea-dhcp4.conf"))["Dhcp4"]
        self.assertIn({"name": "domain-name-servers", "data": "198.51.100.53"}, dhcp4["subnet4"][0]["option-data"])

    def test_install_settings_refused_naming_the_field(self):
        for install, says in (({"mirror": "ftp://x/debian"}, "install.mirror: 'ftp://x/debian' is not"),
                              ({"root-password-hash": "hunter2"}, "install.root-password-hash: must be a crypt"),
                              ({"ssh-key": "not a key"}, "install.ssh-key: must be one public key line"),
                              ({"partitioning": "lvm"}, "install.partitioning: 'lvm' is not one of"),
                              ({"packages": ["a b"]}, "install.packages[0]"),
                              ({"mirrors": "x"}, "install.mirrors: unknown field")):
            with self.subTest(says=says):
                shutil.rmtree(self.root)
                os.makedirs(self.root)
                r = self.render(self.site(install), "-o", os.path.join(self.tmp.name, "out"))
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(says, r.stderr)


class JsonWithComments(unittest.TestCase):
    def test_comments_and_lines(self):
        tree = parse('# top\n{ // a\n  "a": [ 1, /* b */ 2 ],\n  "b": { "c": "x#y//z" } }\n')
        self.assertEqual(tree.plain(), {"a": [1, 2], "b": {"c": "x#y//z"}})
        self.assertEqual(tree.value["b"].value["c"].line, 4)
        self.assertEqual(tree.value["a"].value[1].line, 3)

    def test_errors_carry_the_line(self):
        for text, line, words in (('{\n "a": 1,\n "a": 2 }', 3, "given twice"),
                                  ('{\n "a": /* open', 2, "never closed"),
                                  ('{ "a": 1 } x', 1, "after the end"),
                                  ('{\n\n "a": tru }', 3, "expected a value")):
            with self.subTest(text=text):
                with self.assertRaises(JsonError) as e:
                    parse(text)
                self.assertEqual(e.exception.line, line)
                self.assertIn(words, e.exception.message)

    def test_refused_is_the_models_error(self):
        with tempfile.TemporaryDirectory() as tmp:  # removed after the test
            path = os.path.join(tmp, "s.json")
            with open(path, "w") as f:
                f.write("[]")
            with self.assertRaises(Refused):
                load_site(path, kea_version="2.6")


if __name__ == "__main__":
    unittest.main()
