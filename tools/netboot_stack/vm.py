"""The VM: QEMU under TCG with Debian's firmware (SeaBIOS, OVMF with and
without Secure Boot, 32-bit OVMF), a tap NIC on the stack's bridge and
nothing else."""

import os
import re
import shutil
import struct
import time

from netboot_stack.common import OVMF, Failure, say


class VmSteps:
    """Stack's VM steps (a mixin: Stack provides run, sc, tap, start, procs,
    offsets, partial, seen_serial)."""

    def qemu_command(self):
        sc, mac = self.sc, self.sc["mac"]
        uuid = "6e657462-6f6f-7465-3265-" + mac.replace(":", "")
        serial = os.path.join(self.run, "serial.log")
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-nodefaults", "-display", "none", "-no-user-config",
               "-m", "1024" if self.sc.get("installer") else "512", "-cpu", "qemu64", "-smp", "1", "-uuid", uuid,
               "-serial", "file:" + serial, "-monitor", "none",
               "-netdev", "tap,id=net0,ifname=%s,script=no,downscript=no" % self.tap]
        nic = "virtio-net-pci,netdev=net0,mac=%s,bootindex=1" % mac
        if sc["fw"] == "bios":
            with open(os.path.join(self.run, "sercon"), "wb") as f:
                f.write(b"\xf8\x03")  # LE16 0x3f8: SeaBIOS console on COM1 (docs/firmware.md)
            cmd += ["-machine", "pc", "-boot", "n", "-fw_cfg",
                    "name=etc/sercon-port,file=" + os.path.join(self.run, "sercon"), "-device", nic]
            return cmd
        if sc["fw"] == "x64":
            code, vars_src = OVMF + "/OVMF_CODE_4M.fd", OVMF + "/OVMF_VARS_4M.fd"
            cmd += ["-machine", "q35"]
        elif sc["fw"] == "x64-secboot":
            # Microsoft's keys enrolled and Secure Boot on: only signed images run.
            code, vars_src = OVMF + "/OVMF_CODE_4M.secboot.fd", OVMF + "/OVMF_VARS_4M.ms.fd"
            cmd += ["-machine", "q35,smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on"]
        else:  # ia32: Debian's only build is the Secure Boot one (docs/firmware.md, "32-bit UEFI")
            code, vars_src = OVMF + "/OVMF32_CODE_4M.secboot.fd", OVMF + "/OVMF32_VARS_4M.fd"
            cmd += ["-machine", "q35,smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on"]
        vars_copy = os.path.join(self.run, "OVMF_VARS.fd")
        shutil.copyfile(vars_src, vars_copy)
        cmd += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
                "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy,
                # romfile= keeps QEMU from loading iPXE's ROM, so OVMF's own PXE/HTTP
                # stack does the first stage (docs/firmware.md, "The UEFI NIC ROM").
                "-device", nic + ",romfile=",
                # Since the CVE-2023-45237 fix (edk2-stable202405, Debian 13's OVMF
                # 2025.02) edk2's network stack starts only with an RNG protocol;
                # TCG's qemu64 CPU has no RDRAND, so without a virtio RNG OVMF
                # makes no PXE or HTTP boot option at all and drops to its shell.
                "-device", "virtio-rng-pci"]
        for flag, key in ((sc["pxe4"], "IPv4PXESupport"), (sc["pxe6"], "IPv6PXESupport")):
            if not flag:
                cmd += ["-fw_cfg", "name=opt/org.tianocore/%s,string=n" % key]
        if sc.get("http6_first"):
            # HTTPv6 must not be the very first thing the firmware does (docs/firmware.md).
            cmd += ["-boot", "menu=on,splash-time=3000"]
        return cmd

    def prepare_http6_vars(self, cmd):
        """OVMF tries HTTPv4 before HTTPv6, and on an IPv6-only wire the
        HTTPv4 DHCP timeout costs ~73 s (docs/firmware.md). A first, short boot lets BDS create
        its own boot options in our VARS copy; QEMU is stopped as soon as BDS
        starts the first one, and BootOrder is rewritten in place to start with
        the option BDS made for "UEFI HTTPv6", byte-exact as BDS generated it."""
        say("VM: first short boot so OVMF creates its boot options (HTTPv6 is then put first in BootOrder)")
        serial = os.path.join(self.run, "serial.log")
        prep = self.start("qemu-prepare", cmd, "qemu-prepare.out")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and prep.poll() is None:
            try:
                with open(serial, "rb") as f:
                    if b">>Start " in f.read():  # BDS has written its options and started one
                        break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise Failure("OVMF did not reach its boot manager in the preparation boot")
        prep.terminate()
        prep.wait(10)
        self.procs = [(n, p) for n, p in self.procs if p is not prep]
        os.rename(serial, os.path.join(self.run, "serial-prepare.log"))
        number = put_first_in_boot_order(os.path.join(self.run, "OVMF_VARS.fd"), "UEFI HTTPv6")
        say("OVMF VARS: BootOrder now starts with Boot%04X \"UEFI HTTPv6 ...\"" % number)

    def boot(self):
        cmd = self.qemu_command()
        if self.sc.get("http6_first"):
            self.prepare_http6_vars(cmd)
        say("VM: %s, MAC %s, QEMU under TCG, serial console -> %s/serial.log"
            % (self.sc["title"].split(" -> ")[0], self.sc["mac"], self.run))
        with open(os.path.join(self.run, "qemu.cmd"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        self.qemu = self.start("qemu", cmd, "qemu.out")

    def boot_again(self):
        say("Powering the VM off (QEMU pid %d) and booting it again, same MAC" % self.qemu.pid)
        self.qemu.terminate()
        self.qemu.wait(10)
        self.procs = [(n, p) for n, p in self.procs if p is not self.qemu]
        # QEMU truncates its serial file: keep the first boot's console apart
        os.rename(os.path.join(self.run, "serial.log"), os.path.join(self.run, "serial-1.log"))
        self.offsets["serial"], self.partial["serial"] = 0, ""
        self.seen_serial.clear()
        self.boot()


def put_first_in_boot_order(path, description):
    """Rewrites BootOrder in an OVMF VARS image (authenticated variable store)
    in place so that the boot option whose description starts with
    `description` comes first. Only the order of BootOrder's entries changes:
    same size, so no variable header moves. Returns the option number."""
    data = bytearray(open(path, "rb").read())
    fv_header_len = struct.unpack_from("<H", data, 0x30)[0]
    store = fv_header_len
    store_size = struct.unpack_from("<I", data, store + 16)[0]
    off, end = store + 28, store + store_size
    options, order_at = {}, None
    while off + 60 <= end:
        start_id, state = struct.unpack_from("<HB", data, off)
        if start_id != 0x55AA:
            break
        name_size, data_size = struct.unpack_from("<II", data, off + 36)
        name_at = off + 60
        value_at = name_at + name_size  # x86 edk2: no padding between name and data
        name = data[name_at:name_at + name_size].decode("utf-16-le", "replace").rstrip("\0")
        if state == 0x3F:
            if re.fullmatch(r"Boot[0-9A-F]{4}", name):
                desc = data[value_at + 6:value_at + data_size].decode("utf-16-le", "replace").split("\0")[0]
                options[int(name[4:], 16)] = desc
            elif name == "BootOrder":
                order_at = (value_at, data_size)
        off = value_at + data_size
        off += -off & 3
    wanted = [n for n, d in options.items() if d.startswith(description)]
    if not wanted or not order_at:
        raise Failure("OVMF VARS: no '%s' boot option or no BootOrder (found %s)" % (description, options))
    at, size = order_at
    order = list(struct.unpack_from("<%dH" % (size // 2), data, at))
    if wanted[0] not in order:
        raise Failure("OVMF VARS: Boot%04X is not in BootOrder %s" % (wanted[0], order))
    order.remove(wanted[0])
    struct.pack_into("<%dH" % len(order + [0]), data, at, *([wanted[0]] + order))
    with open(path, "wb") as f:
        f.write(data)
    return wanted[0]

