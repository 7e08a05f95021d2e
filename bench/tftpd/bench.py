#!/usr/bin/env python3
"""netboot-tftpd against tftpd-hpa, same run, same machine (not part of ctest).

Runs inside a private network namespace (loopback, plus a veth pair holding
192.0.2.100 / 2001:db8::100 so tftpd-hpa's getaddrinfo(AI_ADDRCONFIG) works).
Server and client are pinned to the same CPU (taskset), servers alternate
run by run (a b b a ...), and each figure is the median over --reps.
The client runs as SCHED_BATCH (chrt -b) unless --client-sched normal: on a
shared CPU a normal client preempts the server inside every sendmmsg, which
a client on another machine never does. Every download is checked against
the file (size and hash, tftpbench LOCAL_COPY).

  sudo python3 bench/tftpd/bench.py --tftpd build/tftpd/netboot-tftpd [--reps 3] [--cpu 1]

Case sets (--sets, default all):
  loopback     1 MiB and 64 MiB at blksize 512 / 1468 / 8192 (lock-step, both
               servers); netboot-tftpd also with windowsize 16 and 64.
  rtt          the same client and servers through delayrelay.c (a user-space
               UDP relay on another CPU, --relay-cpu) adding a fixed one-way
               delay: 0 us (calibration: the relay's own cost) and --delays
               (default 100 and 250 us, RTT 0.2 / 0.5 ms, a data-centre path);
               1 MiB and 16 MiB at blksize 1468, both servers lock-step,
               netboot-tftpd also windowsize 16 and 64.
  concurrency  200 concurrent 1 MiB downloads at blksize 1468 (one poll-driven
               client process), with the peak of the summed RSS and PSS of
               every server process.
"""
import argparse
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "tools"))
from netboot_stack.netns import Namespace  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def sh(*args, check=True, **kw):
    return subprocess.run(args, check=check, **kw)


def bench_namespace():
    """Loopback for the transfers, plus a veth pair holding documentation
    addresses so tftpd-hpa's getaddrinfo(AI_ADDRCONFIG) finds both families."""
    ns = Namespace("nbtb-%d" % os.getpid())
    near, far = "nbtb%da" % os.getpid(), "nbtb%db" % os.getpid()
    ns.ip("link", "add", near, "type", "veth", "peer", "name", far)
    ns.addresses(near, "192.0.2.100/24", "2001:db8::100/64")
    ns.ip("link", "set", near, "up")
    ns.ip("link", "set", far, "up")
    return ns


def tree_pids(root_pid):
    """The server and all its descendants (tftpd-hpa forks one per transfer)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def memory_kb(pids):
    rss = pss = 0
    for pid in pids:
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss


class MemorySampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.stop, self.peak_rss, self.peak_pss, self.peak_procs = pid, False, 0, 0, 0

    def run(self):
        while not self.stop:
            pids = tree_pids(self.pid)
            rss, pss = memory_kb(pids)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.peak_procs = max(self.peak_procs, len(pids))
            time.sleep(0.01)


class Server:
    def __init__(self, ns, name, command):
        self.ns, self.name, self.command = ns, name, command

    def __enter__(self):
        self.proc = self.ns.popen(*self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        if self.proc.poll() is not None:
            raise RuntimeError("%s did not start: %s" % (self.name, " ".join(self.command)))
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Relay:
    """delayrelay on its own CPU: 127.0.0.1:RELAY_PORT -> 127.0.0.1:69, fixed one-way delay."""

    def __init__(self, ns, binary, cpu, delay_us, lifetime=600):
        self.command = ["taskset", "-c", str(cpu), binary, "-d", str(delay_us), "-p", "1000", "-t", str(lifetime),
                       "-n", "200000000", "127.0.0.1", str(RELAY_PORT), "127.0.0.1", "69"]
        self.ns, self.stats = ns, {}

    def __enter__(self):
        self.proc = self.ns.popen(*self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 5)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("ready"):
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("delayrelay did not start: %r %s" % (line, self.proc.stderr.read()[-300:]))
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        for line in out.splitlines():
            if line.startswith("stats "):
                self.stats = dict(kv.split("=", 1) for kv in line.split()[1:])


RELAY_PORT = 1069
FILES = (("1m.bin", 1 << 20), ("16m.bin", 16 << 20), ("64m.bin", 64 << 20))


def client(ns, args, cpu, bench_bin, root, file, blksize, window, sessions, port=69):
    sched = ["chrt", "-b", "0"] if args.client_sched == "batch" else []
    result = ns.run("taskset", "-c", str(cpu), *sched, bench_bin, "127.0.0.1", str(port), file, str(blksize),
                    str(window), str(sessions), os.path.join(root, file),
                    capture_output=True, text=True, check=False, timeout=300)
    fields = dict(kv.split("=") for kv in result.stdout.split())
    if (result.returncode != 0 or int(fields.get("ok", 0)) != sessions
            or int(fields.get("verified", 0)) != sessions):
        raise RuntimeError("client failed: %s %s" % (result.stdout, result.stderr[-300:]))
    return float(fields["mbps"]), float(fields["seconds"])


def label(name):
    return name.replace(".bin", "").replace("m", " MiB")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tftpd", required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--cpu", type=int, default=1)
    parser.add_argument("--small-runs", type=int, default=5, help="1 MiB downloads per figure (median)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--sets", default="loopback,rtt,concurrency", help="comma-separated: loopback, rtt, concurrency")
    parser.add_argument("--delays", default="100,250", help="one-way delays in microseconds for the rtt set")
    parser.add_argument("--relay-cpu", type=int, help="CPU for delayrelay (default: the first CPU other than --cpu)")
    parser.add_argument("--client-sched", choices=("batch", "normal"), default="batch")
    args = parser.parse_args()
    sets = set(args.sets.split(","))
    if not sets <= {"loopback", "rtt", "concurrency"}:
        sys.exit("--sets: loopback, rtt, concurrency")
    delays = [0] + [int(d) for d in args.delays.split(",") if d]
    if args.relay_cpu is None:
        others = sorted(c for c in os.sched_getaffinity(0) if c != args.cpu)
        args.relay_cpu = others[0] if others else args.cpu
    if os.geteuid() != 0:
        sys.exit("needs root (network namespace)")
    work = tempfile.mkdtemp(prefix="nbtb-")
    ns = None
    try:
        bench_bin = os.path.join(work, "tftpbench")
        sh("cc", "-O2", "-o", bench_bin, os.path.join(HERE, "tftpbench.c"))
        relay_bin = os.path.join(work, "delayrelay")
        sh("cc", "-O2", "-o", relay_bin, os.path.join(HERE, "delayrelay.c"))
        root = os.path.join(work, "root")
        os.mkdir(root)
        for name, size in FILES:
            with open(os.path.join(root, name), "wb") as f:
                f.write(os.urandom(size))
        os.chmod(work, 0o755)
        ns = bench_namespace()
        cpu = str(args.cpu)
        servers = {
            "tftpd-hpa": ["taskset", "-c", cpu, "in.tftpd", "-L", "-s", root, "-u", "root", "-a", "127.0.0.1:69"],
            "netboot-tftpd": ["taskset", "-c", cpu, os.path.abspath(args.tftpd), "--root", root,
                              "--listen", "127.0.0.1:69", "--log-level", "warning"],
        }
        both, ours = ("tftpd-hpa", "netboot-tftpd"), ("netboot-tftpd",)
        cases = []
        if "loopback" in sets:
            for blksize in (512, 1468, 8192):
                for name in ("1m.bin", "64m.bin"):
                    cases.append((name, blksize, 1, both))
            for blksize in (1468, 8192):
                for window in (16, 64):
                    for name in ("1m.bin", "64m.bin"):
                        cases.append((name, blksize, window, ours))
        rtt_cases = []
        if "rtt" in sets:
            for name in ("1m.bin", "16m.bin"):
                rtt_cases += [(name, 1468, 1, both), (name, 1468, 16, ours), (name, 1468, 64, ours)]
        results = {}
        rtt_results = {}   # (server, delay, name, blksize, window) -> [MB/s median per rep]
        rtt_block_us = {}  # (server, delay) -> [16 MiB lock-step seconds per block, in us]
        relay_stats = {}   # delay -> [stats dict per relay run]
        capacity = {}      # port -> [aggregate MB/s of 4 x 16 MiB w64]
        memory = {}
        order = list(servers)
        for rep in range(args.reps):
            for server_name in (order if rep % 2 == 0 else order[::-1]):
                with Server(ns, server_name, servers[server_name]) as server:
                    for name, blksize, window, who in cases:
                        if server_name not in who:
                            continue
                        runs = args.small_runs if name == "1m.bin" else 1
                        rates = [client(ns, args, args.cpu, bench_bin, root, name, blksize, window, 1)[0]
                                 for _ in range(runs)]
                        results.setdefault((server_name, name, blksize, window), []).append(statistics.median(rates))
                    for delay in (delays if rtt_cases else []):
                        transfer_seconds = 0.0
                        with Relay(ns, relay_bin, args.relay_cpu, delay) as relay:
                            for name, blksize, window, who in rtt_cases:
                                if server_name not in who:
                                    continue
                                runs = args.small_runs if name == "1m.bin" else 1
                                got = [client(ns, args, args.cpu, bench_bin, root, name, blksize, window, 1, RELAY_PORT)
                                       for _ in range(runs)]
                                transfer_seconds += sum(r[1] for r in got)
                                rtt_results.setdefault((server_name, delay, name, blksize, window), []).append(
                                    statistics.median(r[0] for r in got))
                                if name == "16m.bin" and window == 1:
                                    blocks = (16 << 20) // blksize + 1
                                    rtt_block_us.setdefault((server_name, delay), []).append(got[0][1] / blocks * 1e6)
                            if delay == 0 and server_name == "netboot-tftpd":
                                # Relay capacity: 4 concurrent windowed downloads, through the relay and direct.
                                for port in (RELAY_PORT, 69):
                                    rate = client(ns, args, args.cpu, bench_bin, root, "16m.bin", 1468, 64, 4, port)[0]
                                    capacity.setdefault(port, []).append(rate)
                        if relay.stats:
                            relay.stats["transfer_s"] = transfer_seconds
                            relay_stats.setdefault(delay, []).append(relay.stats)
                if "concurrency" not in sets:
                    print("rep %d %s done" % (rep + 1, server_name), file=sys.stderr, flush=True)
                    continue
                # 200 concurrent downloads, on a fresh server for a clean memory peak.
                with Server(ns, server_name, servers[server_name]) as server:
                    sampler = MemorySampler(server.proc.pid)
                    sampler.start()
                    rate, seconds = client(ns, args, args.cpu, bench_bin, root, "1m.bin", 1468, 1, args.clients)
                    sampler.stop = True
                    sampler.join()
                    memory.setdefault(server_name, []).append((rate, seconds, sampler.peak_rss, sampler.peak_pss,
                                                               sampler.peak_procs))
                print("rep %d %s done" % (rep + 1, server_name), file=sys.stderr, flush=True)

        client_desc = "client SCHED_BATCH" if args.client_sched == "batch" else "client SCHED_OTHER"
        if cases:
            print("\nSingle transfers on loopback, server+client pinned to CPU %d, %s, every download verified "
                  "(size + hash), MB/s (median of %d reps; window > 1: tftpd-hpa column is its lock-step figure, "
                  "it ignores windowsize)" % (args.cpu, client_desc, args.reps))
            print("| file | blksize | window | tftpd-hpa | netboot-tftpd | ratio |")
            print("|---|---|---|---|---|---|")
            for name, blksize, window, who in cases:
                ours_rate = statistics.median(results[("netboot-tftpd", name, blksize, window)])
                ref_key = ("tftpd-hpa", name, blksize, 1)
                ref = statistics.median(results[ref_key]) if ref_key in results else None
                print("| %s | %d | %d | %s | %.1f | %s |" % (
                    label(name), blksize, window, "%.1f" % ref if ref else "-", ours_rate,
                    ("x%.2f" % (ours_rate / ref)) if ref else "-"))
        if rtt_cases:
            print("\nWith RTT: client -> delayrelay -> server, relay pinned to CPU %d, server+client pinned to CPU %d, "
                  "%s, one-way delay each direction (0 = the relay's own cost, calibration), MB/s (median of %d reps)"
                  % (args.relay_cpu, args.cpu, client_desc, args.reps))
            print("| one-way delay | file | blksize | window | tftpd-hpa | netboot-tftpd | ratio |")
            print("|---|---|---|---|---|---|---|")
            for delay in delays:
                for name, blksize, window, who in rtt_cases:
                    ours_rate = statistics.median(rtt_results[("netboot-tftpd", delay, name, blksize, window)])
                    ref = statistics.median(rtt_results[("tftpd-hpa", delay, name, blksize, 1)])
                    print("| %d us | %s | %d | %d | %.1f%s | %.1f | x%.2f |" % (
                        delay, label(name), blksize, window, ref, "" if window == 1 else " (lock-step)", ours_rate,
                        ours_rate / ref))
            print("\nPath calibration (16 MiB lock-step: wall time per block = the effective RTT plus both ends' "
                  "per-packet work; relay: time from a packet's due time to its send, over every packet of the "
                  "runs; relay busy: its time in send/receive work over the clients' transfer time; medians over reps)")
            print("| one-way delay | per block tftpd-hpa | per block netboot-tftpd | relay late avg | "
                  "relay late p99 | relay late max | relay busy | relay packets | errors |")
            print("|---|---|---|---|---|---|---|---|---|")
            for delay in delays:
                runs = relay_stats.get(delay, [])
                med = lambda key: statistics.median(float(r[key].lstrip("<")) for r in runs) if runs else float("nan")
                busy = statistics.median(float(r["busy_s"]) / max(r["transfer_s"], 1e-9) for r in runs) if runs else 0
                errors = sum(int(r[k]) for r in runs for k in ("send_errors", "truncated", "stray", "refused"))
                print("| %d us | %.1f us | %.1f us | %.1f us | < %d us | %.0f us | %.0f %% | %d | %d |" % (
                    delay, statistics.median(rtt_block_us[("tftpd-hpa", delay)]),
                    statistics.median(rtt_block_us[("netboot-tftpd", delay)]), med("late_avg_us"),
                    med("late_p99_us"), med("late_max_us"), 100 * busy, sum(int(r["packets"]) for r in runs), errors))
            if capacity:
                print("\nRelay capacity (delay 0, netboot-tftpd, 4 concurrent 16 MiB downloads, blksize 1468, window 64, "
                      "aggregate, median of %d reps): through the relay %.1f MB/s, direct %.1f MB/s" % (
                          args.reps, statistics.median(capacity[RELAY_PORT]), statistics.median(capacity[69])))
        if not memory:
            return
        print("\n%d concurrent 1 MiB downloads, blksize 1468 (median of %d reps)" % (args.clients, args.reps))
        print("| server | wall s | aggregate MB/s | peak RSS sum MB | peak PSS sum MB | processes |")
        print("|---|---|---|---|---|---|")
        for server_name in order:
            rows = memory[server_name]
            med = lambda i: statistics.median(r[i] for r in rows)
            print("| %s | %.2f | %.1f | %.1f | %.1f | %d |" % (server_name, med(1), med(0), med(2) / 1024.0,
                                                                med(3) / 1024.0, max(r[4] for r in rows)))
        ratio = lambda i: (statistics.median(r[i] for r in memory["netboot-tftpd"]) /
                           statistics.median(r[i] for r in memory["tftpd-hpa"]))
        print("netboot-tftpd / tftpd-hpa: wall time x%.2f, aggregate MB/s x%.2f, peak RSS x%.3f, peak PSS x%.2f"
              % (ratio(1), ratio(0), ratio(2), ratio(3)))
    finally:
        if ns:
            ns.delete()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
