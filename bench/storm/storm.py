#!/usr/bin/env python3
"""Boot storm: N simulated machines power on at once and run the whole
network-boot chain against kea-netboot and, in the same run, against the
reference stack made of Debian's parts. Run as root:

    bench/storm/storm.py                 N = 100, 500, 1000, 2000
    bench/storm/storm.py --n 100 --n 500 --timeout 300

Each machine plays a real firmware's sequence with that firmware's packet
shapes (tools/netboot_probe.py PROFILES) and timers:
  bios        legacy PXE ROM: DHCPv4 (arch 0) -> undionly.kpxe over TFTP
              (tsize probe, then blksize 1456) -> iPXE's DHCPv4 -> script
  uefi-pxe4   edk2 PXE: DHCPv4 (arch 7) -> ipxe.efi over TFTP (tsize probe,
              then blksize 1468, windowsize 4) -> iPXE's DHCPv4 -> script
  uefi-http4  edk2 HTTP boot: DHCPv4 (arch 16, HTTPClient) -> HEAD and GET
              of ipxe.efi -> iPXE's DHCPv4 -> script
  uefi-pxe6   edk2 PXE over IPv6: SOLICIT/REQUEST (arch 7) -> TFTP over IPv6
              -> iPXE's DHCPv6 -> script over HTTP on IPv6
then, as the script says, GETs a kernel and an initrd sized like Debian's
installer (8 + 41 MB; --kernel-mb/--initrd-mb). Timers: edk2's DHCPv4
retransmits after 4, 8, 16, 32 s and gives up; its DHCPv6 after 1, 2, 4,
8, 16 s; its TFTP after 4 s, 6 times; iPXE's DHCP after 1, 2, 4, 8 s.
A machine that gives up, or is not done when --timeout ends the run, is lost.

The two stacks, each on one server namespace, the machines on another
(a veth between them):
  kea-netboot  kea-dhcp4/6 with libdhcp_netboot.so, netboot-tftpd, nginx
  reference    kea-dhcp4/6 with the client-class recipe, tftpd-hpa
               (in.tftpd, one per address family), nginx with Debian's
               defaults
  classes      (--stacks only) kea-netboot with Kea's class recipe instead
               of the hook: tells the DHCP side's share apart
Both Keas single-threaded with memfile leases (bench/hooks/dhcp_bench.py's
configurations), nginx with the same configuration (sendfile). No RA is
sent: DHCPv6 needs none on one link.

Limits of the simulation, on purpose: the test network rules allow IPv4
only in 192.0.2.0/24, so at most 240 machines boot over IPv4 (a quarter of
them legacy BIOS, a quarter UEFI HTTP boot); the rest boot over IPv6. The
machines have their own MACs, DUIDs, leases, transaction IDs and ports, but
send TFTP and HTTP from the client namespace's one address per family.
All machines run in one asyncio process pinned to --client-cpu; the
servers share the other CPU.

Per run: time until the last machine has its script and until it has its
kernel and initrd, machines per second, p50/p99 per machine, lost machines,
retransmissions, CPU seconds and peak RSS of each server; then the ratios
reference / kea-netboot.
"""

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tools"))
sys.path.insert(0, os.path.join(TOP, "bench", "hooks"))
from netboot_probe import (ACK, ADVERTISE, DISCOVER, OFFER, PROFILES, REPLY, REQUEST, REQUEST6, SOLICIT,  # noqa: E402
                           Reply4, Reply6, build4, duid_ll, option6)
import dhcp_bench  # noqa: E402
from netboot_stack.netns import Namespace, veth  # noqa: E402

SERVER4, CLIENT4 = "192.0.2.1", "192.0.2.2"
SERVER6, CLIENT6 = "2001:db8::1", "2001:db8::2"
V4_MACHINES_MAX = 240  # the v4 pool holds 245 leases (192.0.2.10 - 254)

DHCP4_TIMEOUTS = (4, 8, 16, 32)
DHCP6_TIMEOUTS = (1, 2, 4, 8, 16)
IPXE_DHCP_TIMEOUTS = (1, 2, 4, 8)
TFTP_TIMEOUT, TFTP_RETRIES = 4.0, 6
CPUACCT = "/sys/fs/cgroup/cpuacct"


class Lost(Exception):
    pass


class Machine:
    def __init__(self, index, kind):
        self.index = index
        self.kind = kind
        self.mac = "52:54:%02x:%02x:%02x:%02x" % (0x10 + (index >> 24 & 0xff), index >> 16 & 0xff,
                                                 index >> 8 & 0xff, index & 0xff)
        self.times = {}
        self.retries = {}  # stage -> retransmissions
        self.error = None
        self.powered = None

    def retried(self, stage):
        self.retries[stage] = self.retries.get(stage, 0) + 1


# --- DHCP: one socket per family, replies handed to the waiting machine by xid

class Dhcp(asyncio.DatagramProtocol):
    """What both families share: send, wait with the firmware's timers,
    retransmit, give up."""
    stage = None

    def __init__(self):
        self.waiting = {}

    def hand(self, xid, reply):
        future = self.waiting.get(xid)
        if future and not future.done():
            future.set_result(reply)

    async def exchange(self, transport, machine, xid, packet, destination, expect, timeouts):
        for timeout in timeouts:
            future = asyncio.get_running_loop().create_future()
            self.waiting[xid] = future
            transport.sendto(packet, destination)
            try:
                reply = await asyncio.wait_for(future, timeout)
                if reply.type == expect:
                    return reply
            except asyncio.TimeoutError:
                machine.retried(self.stage)
            finally:
                self.waiting.pop(xid, None)
        kind = packet[0] if self.stage == "dhcp6" else packet[242]  # v4: option 53 follows the cookie
        raise Lost("no %s answer to message %d after %d tries" % (self.stage, kind, len(timeouts)))


class Dhcp4(Dhcp):
    stage = "dhcp4"

    def datagram_received(self, data, addr):
        try:
            reply = Reply4(data)
        except (ValueError, struct.error, IndexError):
            return
        if reply.op == 2:
            self.hand(reply.xid, reply)

    async def dora(self, transport, machine, options, timeouts):
        def send(msg_type, opts, expect):
            xid = random.getrandbits(32)
            return self.exchange(transport, machine, xid, build4(msg_type, machine.mac, opts, xid),
                                 ("255.255.255.255", 67), expect, timeouts)
        offer = await send(DISCOVER, options, OFFER)
        return await send(REQUEST, options + [(50, socket.inet_aton(offer.yiaddr)),
                                              (54, offer.options.get(54, b""))], ACK)


class Dhcp6(Dhcp):
    stage = "dhcp6"

    def __init__(self, scope):
        super().__init__()
        self.scope = scope

    def datagram_received(self, data, addr):
        if len(data) < 4:
            return
        try:
            self.hand(data[1:4], Reply6(data))
        except (ValueError, struct.error, IndexError):
            pass

    async def send(self, transport, machine, msg_type, body, expect, timeouts):
        xid = os.urandom(3)
        return await self.exchange(transport, machine, xid, bytes([msg_type]) + xid + body,
                                   ("ff02::1:2", 547, 0, self.scope), expect, timeouts)

    async def sarr(self, transport, machine, options, timeouts):
        base = option6(1, duid_ll(machine.mac)) + b"".join(option6(c, v) for c, v in options)
        advertise = await self.send(transport, machine, SOLICIT,
                                    base + option6(3, struct.pack("!III", 1, 0, 0)), ADVERTISE, timeouts)
        ia = [v for c, v in advertise.option_list if c == 3]
        body = base + option6(2, advertise.options.get(2, b"")) + (option6(3, ia[0]) if ia else b"")
        return await self.send(transport, machine, REQUEST6, body, REPLY, timeouts)


# --- TFTP: a client transfer as edk2 and PXE ROMs do it

class TftpTransfer(asyncio.DatagramProtocol):
    def __init__(self, request, blksize, windowsize, probe):
        self.request = request
        self.blksize = blksize
        self.windowsize = windowsize
        self.probe = probe
        self.done = asyncio.get_running_loop().create_future()
        self.expected = 1
        self.received = 0
        self.peer = None
        self.last_sent = None
        self.activity = 0
        self.timeouts = 0
        self.in_window = 0

    def connection_made(self, transport):
        self.transport = transport

    def send(self, data, addr):
        self.last_sent = (data, addr)
        self.transport.sendto(data, addr)

    def datagram_received(self, data, addr):
        if self.done.done() or len(data) < 4:
            return
        self.activity += 1
        opcode = struct.unpack("!H", data[:2])[0]
        if self.peer is None:
            self.peer = addr
        elif addr != self.peer:
            return
        if opcode == 6:  # OACK: what the server took of the options asked for
            fields = data[2:].split(b"\0")
            agreed = dict(zip(fields[0::2], fields[1::2]))
            self.blksize = int(agreed.get(b"blksize", 512))
            self.windowsize = int(agreed.get(b"windowsize", 1))
            if self.probe:
                self.transport.sendto(struct.pack("!HH", 5, 8) + b"probe done\0", addr)
                self.done.set_result(0)
                return
            self.send(struct.pack("!HH", 4, 0), addr)
        elif opcode == 3:
            block = struct.unpack("!H", data[2:4])[0]
            if block == self.expected & 0xffff:
                self.received += len(data) - 4
                self.expected += 1
                self.in_window += 1
                last = len(data) - 4 < self.blksize
                if last or self.in_window >= self.windowsize:
                    self.in_window = 0
                    self.send(struct.pack("!HH", 4, block), addr)
                if last:
                    self.done.set_result(self.received)
            elif self.in_window:
                # a gap in the window: acknowledge what arrived in order (RFC 7440)
                self.in_window = 0
                self.send(struct.pack("!HH", 4, (self.expected - 1) & 0xffff), addr)
        elif opcode == 5:
            self.done.set_exception(Lost("TFTP error %r" % data[4:].split(b"\0")[0]))


async def tftp_get(server, family, filename, blksize, windowsize, machine, probe=False):
    loop = asyncio.get_running_loop()
    options = [b"blksize", str(blksize).encode()]
    if probe:
        options += [b"tsize", b"0"]
    elif windowsize > 1:
        options += [b"windowsize", str(windowsize).encode()]
    request = struct.pack("!H", 1) + filename.encode() + b"\0octet\0" + b"\0".join(options) + b"\0"
    transport, proto = await loop.create_datagram_endpoint(
        lambda: TftpTransfer(request, blksize, windowsize, probe),
        local_addr=(CLIENT4 if family == 4 else CLIENT6, 0), family=socket.AF_INET if family == 4 else socket.AF_INET6)
    try:
        proto.send(request, (server, 69))
        while True:
            seen = proto.activity
            try:
                return await asyncio.wait_for(asyncio.shield(proto.done), TFTP_TIMEOUT)
            except asyncio.TimeoutError:
                if proto.activity != seen:
                    continue
                proto.timeouts += 1
                machine.retried("tftp")
                if proto.timeouts > TFTP_RETRIES:
                    raise Lost("TFTP %s: no answer after %d retries" % (filename, TFTP_RETRIES))
                proto.send(*proto.last_sent)
    finally:
        transport.close()


# --- HTTP: iPXE's GETs (and edk2's HEAD before its GET)

DISCARD = bytearray(4 << 20)


async def discard(loop, sock, most):
    """Receives and drops up to `most` bytes: TCP's MSG_TRUNC discards them
    in the kernel without copying, which keeps the machines' process from
    spending its CPU on the bulk of kernel and initrd."""
    while True:
        try:
            return sock.recv_into(DISCARD, min(most, len(DISCARD)), socket.MSG_TRUNC)
        except BlockingIOError:
            ready = loop.create_future()
            loop.add_reader(sock.fileno(), lambda: ready.done() or ready.set_result(None))
            try:
                await ready
            finally:
                loop.remove_reader(sock.fileno())


async def http_get(host, family, path, buf, method="GET"):
    """One request on its own connection, as iPXE makes them; the body is
    read into `buf` and dropped (a raw socket: the machines' process must
    not be what limits the storm)."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET if family == 4 else socket.AF_INET6, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.bind((CLIENT4 if family == 4 else CLIENT6, 0))
        await loop.sock_connect(sock, (host, 80))
        await loop.sock_sendall(sock, ("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: iPXE/1.21.1\r\n"
                                       "Connection: close\r\n\r\n"
                                       % (method, path, host if family == 4 else "[%s]" % host)).encode())
        view = memoryview(buf)
        got = 0
        while True:
            n = await loop.sock_recv_into(sock, view[got:])
            if not n:
                raise Lost("HTTP %s: connection closed in the headers" % path)
            got += n
            end = bytes(view[:got]).find(b"\r\n\r\n")
            if end >= 0:
                break
        head = bytes(view[:end])
        status = int(head.split(b" ", 2)[1])
        if status != 200:
            raise Lost("HTTP %s %s -> %d" % (method, path, status))
        length = int([line.split(b":", 1)[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")][0])
        if method == "HEAD":
            return length
        body = got - end - 4
        while body < length:
            n = await discard(loop, sock, length - body)
            if not n:
                raise Lost("HTTP %s: connection closed after %d of %d bytes" % (path, body, length))
            body += n
        return body
    finally:
        sock.close()


# --- one machine's boot

async def boot(machine, dhcp4, dhcp6, t4, t6, start, spread, files):
    await asyncio.sleep(random.uniform(0, spread))
    t0 = time.monotonic()
    mark = lambda name: machine.times.__setitem__(name, time.monotonic() - t0)
    buf = bytearray(16 << 10)  # headers only: bodies are discarded uncopied
    machine.powered = t0 - start
    try:
        if machine.kind in ("bios", "uefi-pxe4", "uefi-http4"):
            profile = {"bios": "bios-pxe", "uefi-pxe4": "uefi-x64-pxe", "uefi-http4": "uefi-x64-http"}[machine.kind]
            ack = await dhcp4.dora(t4, machine, PROFILES[profile][1], DHCP4_TIMEOUTS)
            mark("dhcp")
            if machine.kind == "uefi-http4":
                path = "/" + ack.file.split("/", 3)[3]
                await http_get(SERVER4, 4, path, buf, "HEAD")
                await http_get(SERVER4, 4, path, buf)
            else:
                blksize, window = (1456, 1) if machine.kind == "bios" else (1468, 4)
                await tftp_get(SERVER4, 4, ack.file, blksize, window, machine, probe=True)
                await tftp_get(SERVER4, 4, ack.file, blksize, window, machine)
            mark("loader")
            ipxe = "bios-ipxe-rom" if machine.kind == "bios" else "ipxe-efi"
            ack = await dhcp4.dora(t4, machine, PROFILES[ipxe][1], IPXE_DHCP_TIMEOUTS)
            script, host, family = ack.file, SERVER4, 4
        else:
            reply = await dhcp6.sarr(t6, machine, PROFILES["uefi-x64-pxe6"][1], DHCP6_TIMEOUTS)
            mark("dhcp")
            url = reply.text(59) or ""
            await tftp_get(SERVER6, 6, url.split("]/", 1)[1], 1468, 4, machine, probe=True)
            await tftp_get(SERVER6, 6, url.split("]/", 1)[1], 1468, 4, machine)
            mark("loader")
            ipxe6 = [(c, v) for c, v in PROFILES["ipxe-efi6"][1]]
            reply = await dhcp6.sarr(t6, machine, ipxe6, IPXE_DHCP_TIMEOUTS)
            script, host, family = reply.text(59) or "", SERVER6, 6
        if not script.endswith("/boot.ipxe"):
            raise Lost("iPXE was told %r, not the script" % script)
        await http_get(host, family, "/boot.ipxe", buf)
        mark("script")
        for name in files:
            await http_get(host, family, "/" + name, buf)
        mark("kernel")
    except Lost as e:
        machine.error = str(e)
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
        machine.error = "%s: %s" % (type(e).__name__, e)


async def storm(machines, iface, spread, timeout, files):
    loop = asyncio.get_running_loop()
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s4.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s4.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s4.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s4.bind(("0.0.0.0", 68))
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s6.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s6.bind(("::", 546))
    dhcp4, dhcp6 = Dhcp4(), Dhcp6(socket.if_nametoindex(iface))
    t4, _ = await loop.create_datagram_endpoint(lambda: dhcp4, sock=s4)
    t6, _ = await loop.create_datagram_endpoint(lambda: dhcp6, sock=s6)
    start = time.monotonic()
    tasks = [asyncio.ensure_future(boot(m, dhcp4, dhcp6, t4, t6, start, spread, files)) for m in machines]
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    for m in machines:
        if "kernel" not in m.times and not m.error:
            reached = max(m.times, key=m.times.get) if m.times else "power-on"
            m.error = "not done within %d s (stuck after %s)" % (timeout, reached)
    t4.close()
    t6.close()
    return time.monotonic() - start


def client_main(argv):
    """Runs inside the client namespace: the storm, then a JSON report."""
    a = json.loads(argv[0])
    random.seed(a["seed"])
    machines = [Machine(i, kind) for i, kind in enumerate(a["kinds"])]
    elapsed = asyncio.run(storm(machines, a["iface"], a["spread"], a["timeout"], a["files"]))
    with open(a["report"], "w") as out:
        json.dump({"elapsed": elapsed, "cpu": time.process_time(), "machines": [
            {"kind": m.kind, "powered": m.powered, "times": m.times, "retries": m.retries, "error": m.error}
            for m in machines]}, out)


# --- the servers

def sh(*args, **kw):
    return subprocess.run(args, check=kw.pop("check", True), text=True, **kw)


def kinds_for(n, v4_max=V4_MACHINES_MAX):
    v4 = min(n, v4_max)
    kinds = []
    for i in range(v4):
        kinds.append("bios" if i % 4 == 0 else "uefi-http4" if i % 4 == 1 else "uefi-pxe4")
    kinds += ["uefi-pxe6"] * (n - v4)
    random.Random(n).shuffle(kinds)
    return kinds


def reference_nginx_conf(run, root):
    """nginx as Debian's own nginx.conf sets it up (worker_processes auto,
    worker_connections 768, sendfile, tcp_nopush), serving the root."""
    return """worker_processes auto;
pid %(run)s/nginx.pid;
error_log %(run)s/nginx-error.log;
events { worker_connections 768; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path %(run)s/nginx-tmp;
    proxy_temp_path %(run)s/nginx-tmp;
    fastcgi_temp_path %(run)s/nginx-tmp;
    uwsgi_temp_path %(run)s/nginx-tmp;
    scgi_temp_path %(run)s/nginx-tmp;
    types { application/octet-stream efi; }
    server {
        listen %(s4)s:80;
        listen [%(s6)s]:80;
        root %(root)s;
    }
}
""" % {"run": run, "root": root, "s4": SERVER4, "s6": SERVER6}


def render_nginx(ns, iface, run, root):
    """kea-netboot's HTTP side as the product renders it: netboot-render's
    stand-alone nginx.conf and its site (the Kea side stays the bench's, so
    that both stacks give the same answers)."""
    out, rundir = os.path.join(run, "etc"), os.path.join(run, "rendered")
    sh("ip", "netns", "exec", ns, sys.executable, os.path.join(TOP, "kea-config", "netboot-render"), "-i", iface,
       "--subnet4", "192.0.2.0/24", "--server4", SERVER4, "--prefix6", "2001:db8::/64", "--server6", SERVER6,
       "--root", root, "--run-dir", rundir, "-o", out, capture_output=True)
    return os.path.join(out, "nginx.conf")


class Servers:
    """One stack's daemons in the server namespace, stopped by PID."""

    def __init__(self, stack, ns, iface, run, root, hook, tftpd, server_cpu, tag):
        self.procs = []
        self.groups = {}
        self.tag = tag
        self.stack = stack
        self.ns = ns
        try:
            self.start_all(iface, run, root, hook, tftpd, server_cpu)
        except BaseException:
            self.stop()  # what did start is stopped, also when a later one fails
            raise

    def start_all(self, iface, run, root, hook, tftpd, server_cpu):
        ns, stack = self.ns, self.stack
        env = dict(os.environ, NETBOOT_HOOK=hook)
        variant = "hook" if stack == "kea-netboot" else "classes"
        kea_dir = os.path.join(run, "kea-" + stack)  # kea-env makes it 750: nginx's files stay out of it
        for family in (4, 6):
            conf = dhcp_bench.config(family, variant, iface, kea_dir, hook)
            server = conf["Dhcp%d" % family]
            server["interfaces-config"].pop("dhcp-socket-type", None)  # raw: direct clients broadcast
            if family == 4:
                server["subnet4"][0]["interface"] = iface
            path = os.path.join(run, "kea%d-%s.json" % (family, stack))
            with open(path, "w") as f:
                json.dump(conf, f)
            self.start("kea-dhcp%d" % family, ["ip", "netns", "exec", ns, dhcp_bench.KEA_ENV, kea_dir, "taskset", "-c",
                                               str(server_cpu), "kea-dhcp%d" % family, "-c", path], env=env)
        if stack != "reference":
            self.start("tftpd", ["ip", "netns", "exec", ns, "taskset", "-c", str(server_cpu), tftpd, "--root", root,
                                 "--listen", SERVER4 + ":69", "--listen", "[%s]:69" % SERVER6])
        else:
            for address in (SERVER4 + ":69", "[%s]:69" % SERVER6):
                self.start("tftpd", ["ip", "netns", "exec", ns, "taskset", "-c", str(server_cpu), "in.tftpd", "-L",
                                     "-u", "root", "-a", address, "-s", root])
        if stack != "reference":
            conf = render_nginx(ns, iface, run, root)
        else:
            os.makedirs(os.path.join(run, "nginx-tmp"), exist_ok=True)
            conf = os.path.join(run, "nginx.conf")
            with open(conf, "w") as f:
                f.write(reference_nginx_conf(run, root))
        self.start("nginx", ["ip", "netns", "exec", ns, "taskset", "-c", str(server_cpu), "nginx", "-c", conf,
                             "-g", "daemon off;"])
        time.sleep(2)
        for name, p in self.procs:
            if p.poll() is not None:
                raise RuntimeError("%s (%s) exited at start; see %s" % (name, stack, run))

    def start(self, name, cmd, env=None):
        """Each group runs in its own cpuacct cgroup, so CPU time counts the
        processes a server forks (tftpd-hpa: one per transfer) as well."""
        group = os.path.join(CPUACCT, "%s-%s-%s" % (self.tag, self.stack, name))
        os.makedirs(group, exist_ok=True)
        self.groups[name] = group
        self.procs.append((name, subprocess.Popen(
            ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', group] + cmd, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))

    def pids(self):
        """{group: [pid]} of every process in the server namespace."""
        out = sh("ip", "netns", "pids", self.ns, capture_output=True, check=False).stdout.split()
        groups = {}
        for pid in out:
            try:
                with open("/proc/%s/comm" % pid) as f:
                    comm = f.read().strip()
            except OSError:
                continue
            group = ("kea-dhcp4" if comm.startswith("kea-dhcp4") else "kea-dhcp6" if comm.startswith("kea-dhcp6")
                     else "tftpd" if "tftpd" in comm else "nginx" if comm.startswith("nginx") else None)
            if group:
                groups.setdefault(group, []).append(int(pid))
        return groups

    def cpu(self):
        """{group: CPU seconds so far}."""
        out = {}
        for name, group in self.groups.items():
            with open(os.path.join(group, "cpuacct.usage")) as f:
                out[name] = out.get(name, 0.0) + int(f.read()) / 1e9
        return out

    def rss(self):
        """{group: resident MiB summed over its processes}."""
        out = {}
        for group, pids in self.pids().items():
            for pid in pids:
                try:
                    with open("/proc/%d/status" % pid) as f:
                        kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
                except (OSError, StopIteration):
                    continue
                out[group] = out.get(group, 0.0) + kb / 1024
        return out

    def stop(self):
        for _, p in self.procs:
            if p.poll() is None:
                p.terminate()
        for _, p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for group in self.groups.values():
            for _ in range(50):  # forked children may still be exiting
                try:
                    os.rmdir(group)
                    break
                except OSError:
                    time.sleep(0.1)


def one_run(args, stack, n, ns, ifaces, run, root, hook, tftpd):
    servers = Servers(stack, ns[0], ifaces[0], run, root, hook, tftpd, args.server_cpu, ns[0])
    client = None
    try:
        before = servers.cpu()
        peak = {}
        spec = json.dumps({"seed": n, "kinds": kinds_for(n, args.v4_max), "iface": ifaces[1], "spread": args.spread,
                           "timeout": args.timeout, "files": ["vmlinuz", "initrd.gz"],
                           "report": os.path.join(run, "report.json")})
        client = subprocess.Popen(["ip", "netns", "exec", ns[1], "taskset", "-c", str(args.client_cpu),
                                   sys.executable, os.path.abspath(__file__), "--client", spec])
        while client.poll() is None:
            for group, mib in servers.rss().items():
                peak[group] = max(peak.get(group, 0.0), mib)
            time.sleep(0.5)
        if client.returncode:
            raise RuntimeError("the machines' process failed (exit %d)" % client.returncode)
        with open(os.path.join(run, "report.json")) as f:
            report = json.load(f)
        after = servers.cpu()
        cpu = {g: after.get(g, 0.0) - before.get(g, 0.0) for g in after}
        return report, cpu, peak
    finally:
        if client and client.poll() is None:  # interrupted: the machines go too
            client.terminate()
            client.wait()
        servers.stop()


def summarise(report):
    ms = report["machines"]
    ok = [m for m in ms if not m["error"]]
    script = [m["powered"] + m["times"]["script"] for m in ok]
    kernel = [m["powered"] + m["times"]["kernel"] for m in ok]
    per = sorted(m["times"]["script"] for m in ok)
    pct = lambda xs, q: xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")
    errors = {}
    for m in ms:
        if m["error"]:
            key = "%s: %s" % (m["kind"], m["error"].split(":")[0][:70])
            errors[key] = errors.get(key, 0) + 1
    return {"n": len(ms), "lost": len(ms) - len(ok), "last_script": max(script) if script else float("nan"),
            "last_kernel": max(kernel) if kernel else float("nan"),
            "rate": len(ok) / max(kernel) if kernel else 0.0, "p50": pct(per, 0.5), "p99": pct(per, 0.99),
            "retries": {stage: sum(m["retries"].get(stage, 0) for m in ms)
                        for stage in sorted({k for m in ms for k in m["retries"]})}, "errors": errors}


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--client":
        if os.environ.get("STORM_PROFILE"):  # where the machines' process spends its CPU
            import cProfile
            return cProfile.runctx("client_main(sys.argv[2:])", globals(), locals(), os.environ["STORM_PROFILE"])
        return client_main(sys.argv[2:])
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, action="append", help="machines per run (repeatable; default 100 500 1000 2000)")
    p.add_argument("--stacks", default="kea-netboot,reference")
    p.add_argument("--timeout", type=int, default=300, help="seconds per run; machines not done by then are lost")
    p.add_argument("--spread", type=float, default=5.0, help="machines power on within this many seconds")
    p.add_argument("--kernel-mb", type=float, default=8.0)
    p.add_argument("--initrd-mb", type=float, default=41.0)
    p.add_argument("--v4-max", type=int, default=V4_MACHINES_MAX,
                   help="machines booting over IPv4 at most (the rest IPv6; the pool holds 245)")
    p.add_argument("--server-cpu", type=int, default=1)
    p.add_argument("--client-cpu", type=int, default=0)
    p.add_argument("--build", default=os.environ.get("NETBOOT_BUILD_DIR", os.path.join(TOP, "build")))
    p.add_argument("--json", metavar="FILE", help="also write every run's report there")
    p.add_argument("--keep", action="store_true", help="keep the servers' logs and configurations")
    args = p.parse_args()
    hook = os.path.join(args.build, "hooks", "libdhcp_netboot.so")
    tftpd = os.path.join(args.build, "tftpd", "netboot-tftpd")
    for path in (hook, tftpd, "/usr/sbin/in.tftpd", "/usr/sbin/nginx"):
        if not os.path.exists(path):
            sys.exit("storm: %s is missing (build the tree; apt-get install tftpd-hpa nginx)" % path)
    ns_list = args.n or [100, 500, 1000, 2000]
    stacks = args.stacks.split(",")

    def interrupted(signum, frame):
        raise KeyboardInterrupt
    # Stopped any way (also started with SIGINT ignored, as from a script's
    # background job): the finally blocks stop every process and remove the
    # namespaces and cgroups.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)

    tag = "nbst%d" % os.getpid()
    ns = (tag + "-s", tag + "-c")
    ifaces = (tag + "s", tag + "c")
    run = tempfile.mkdtemp(prefix=tag)
    os.chmod(run, 0o755)  # nginx's workers (nobody) read the root
    root = os.path.join(run, "root")
    os.makedirs(root)
    for name, src, size in (("ipxe.efi", "/usr/lib/ipxe/ipxe.efi", 1 << 20), ("undionly.kpxe",
                            "/usr/lib/ipxe/undionly.kpxe", 75 << 10), ("boot.ipxe", None, 600),
                            ("grubnetia32.efi", None, 4096),  # netboot-render wants it; nobody asks
                            ("vmlinuz", None, int(args.kernel_mb * (1 << 20))),
                            ("initrd.gz", None, int(args.initrd_mb * (1 << 20)))):
        if src and os.path.exists(src):
            shutil.copyfile(src, os.path.join(root, name))
        else:
            with open(os.path.join(root, name), "wb") as f:
                left = size
                while left:
                    chunk = min(left, 1 << 20)
                    f.write(os.urandom(chunk))
                    left -= chunk
    results = []
    spaces = []
    try:
        for n in ns:
            spaces.append(Namespace(n))
        veth(spaces[0], ifaces[0], spaces[1], ifaces[1])
        for space in spaces:
            space.sysctl("net.core.somaxconn", 4096)  # a rack's worth of neighbours and sockets
        spaces[0].addresses(ifaces[0], SERVER4 + "/24", SERVER6 + "/64")
        spaces[1].addresses(ifaces[1], CLIENT4 + "/24", CLIENT6 + "/64")
        time.sleep(1)
        print("boot storm: %s; kernel %.0f MB + initrd %.0f MB per machine; power-on spread %.0f s; "
              "timeout %d s; servers on CPU %d, machines on CPU %d"
              % (", ".join(stacks), args.kernel_mb, args.initrd_mb, args.spread, args.timeout,
                 args.server_cpu, args.client_cpu), flush=True)
        for n in ns_list:
            row = {}
            for stack in stacks:
                report, cpu, peak = one_run(args, stack, n, ns, ifaces, run, root, hook, tftpd)
                s = summarise(report)
                row[stack] = (s, cpu, peak)
                results.append({"n": n, "stack": stack, "summary": s, "cpu": cpu, "peak_rss_mib": peak})
                print("N=%-5d %-12s script: last %6.1f s  kernel+initrd: last %6.1f s  %6.1f machines/s  "
                      "to script p50 %6.2f s  p99 %6.2f s  lost %d  retransmissions %s"
                      % (n, stack, s["last_script"], s["last_kernel"], s["rate"], s["p50"], s["p99"], s["lost"],
                         " ".join("%s %d" % kv for kv in s["retries"].items()) or "0"), flush=True)
                print("        CPU s: %s (machines %.1f)   peak RSS MiB: %s%s" % (
                    " ".join("%s %.2f" % (g, cpu[g]) for g in sorted(cpu)), report["cpu"],
                    " ".join("%s %.1f" % (g, peak[g]) for g in sorted(peak)),
                    ("   lost: " + ", ".join("%d %s" % (c, e) for e, c in s["errors"].items())) if s["errors"] else ""),
                      flush=True)
            if "kea-netboot" in row:
                a, ca, pa = row["kea-netboot"]
                ratio = lambda x, y: (x / y) if y else float("nan")
                for other in (st for st in stacks if st != "kea-netboot"):
                    b, cb, pb = row[other]
                    print("N=%-5d %s / kea-netboot: last kernel %.2f, machines/s %.2f, DHCP CPU %.2f, "
                          "TFTP CPU %.2f, TFTP peak RSS %.2f"
                          % (n, other, ratio(b["last_kernel"], a["last_kernel"]), ratio(b["rate"], a["rate"]),
                             ratio(cb.get("kea-dhcp4", 0) + cb.get("kea-dhcp6", 0),
                                   ca.get("kea-dhcp4", 0) + ca.get("kea-dhcp6", 0)),
                             ratio(cb.get("tftpd", 0), ca.get("tftpd", 0)), ratio(pb.get("tftpd", 0), pa.get("tftpd", 0))),
                          flush=True)
    finally:
        for space in spaces:
            space.delete()
        if args.keep:
            print("logs and configurations kept in %s" % run)
        else:
            shutil.rmtree(run, ignore_errors=True)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
