#!/usr/bin/env python3
"""netboot-tftpd against tftpd-hpa, same run, same machine (not part of ctest).

Runs inside a private network namespace (loopback, plus a veth pair holding
192.0.2.100 / 2001:db8::100 so tftpd-hpa's getaddrinfo(AI_ADDRCONFIG) works).
Server and client are pinned to the same CPU (taskset), servers alternate
run by run (a b b a ...), and each figure is the median over --reps.

  sudo python3 bench/tftpd/bench.py --tftpd build/tftpd/netboot-tftpd [--reps 3] [--cpu 1]

Cases: 1 MiB and 64 MiB at blksize 512 / 1468 / 8192 (lock-step, both
servers); netboot-tftpd also with windowsize 16 and 64; 200 concurrent 1 MiB
downloads at blksize 1468 (one poll-driven client process), with the peak
of the summed RSS and PSS of every server process.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def sh(*args, check=True, **kw):
    return subprocess.run(args, check=check, **kw)


class Namespace:
    def __init__(self):
        self.name = "nbtb-%d" % os.getpid()
        sh("ip", "netns", "add", self.name)
        self.run("ip", "link", "set", "lo", "up")
        self.run("ip", "link", "add", "nbtb%da" % os.getpid(), "type", "veth", "peer", "name", "nbtb%db" % os.getpid())
        self.run("ip", "addr", "add", "192.0.2.100/24", "dev", "nbtb%da" % os.getpid())
        self.run("ip", "addr", "add", "2001:db8::100/64", "dev", "nbtb%da" % os.getpid(), "nodad")
        self.run("ip", "link", "set", "nbtb%da" % os.getpid(), "up")
        self.run("ip", "link", "set", "nbtb%db" % os.getpid(), "up")

    def run(self, *args, **kw):
        return sh("ip", "netns", "exec", self.name, *args, **kw)

    def popen(self, *args, **kw):
        return subprocess.Popen(("ip", "netns", "exec", self.name) + args, **kw)

    def delete(self):
        sh("ip", "netns", "del", self.name, check=False)


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


def client(ns, args, cpu, bench_bin, file, blksize, window, sessions):
    result = ns.run("taskset", "-c", str(cpu), bench_bin, "127.0.0.1", "69", file, str(blksize), str(window),
                    str(sessions), capture_output=True, text=True, check=False, timeout=300)
    fields = dict(kv.split("=") for kv in result.stdout.split())
    if result.returncode != 0 or int(fields.get("ok", 0)) != sessions:
        raise RuntimeError("client failed: %s %s" % (result.stdout, result.stderr[-300:]))
    return float(fields["mbps"]), float(fields["seconds"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tftpd", required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--cpu", type=int, default=1)
    parser.add_argument("--small-runs", type=int, default=5, help="1 MiB downloads per figure (median)")
    parser.add_argument("--clients", type=int, default=200)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (network namespace)")
    work = tempfile.mkdtemp(prefix="nbtb-")
    ns = None
    try:
        bench_bin = os.path.join(work, "tftpbench")
        sh("cc", "-O2", "-o", bench_bin, os.path.join(HERE, "tftpbench.c"))
        root = os.path.join(work, "root")
        os.mkdir(root)
        for name, size in (("1m.bin", 1 << 20), ("64m.bin", 64 << 20)):
            with open(os.path.join(root, name), "wb") as f:
                f.write(os.urandom(size))
        os.chmod(work, 0o755)
        ns = Namespace()
        cpu = str(args.cpu)
        servers = {
            "tftpd-hpa": ["taskset", "-c", cpu, "in.tftpd", "-L", "-s", root, "-u", "root", "-a", "127.0.0.1:69"],
            "netboot-tftpd": ["taskset", "-c", cpu, os.path.abspath(args.tftpd), "--root", root,
                              "--listen", "127.0.0.1:69", "--log-level", "warning"],
        }
        cases = []
        for blksize in (512, 1468, 8192):
            for name in ("1m.bin", "64m.bin"):
                cases.append((name, blksize, 1, ("tftpd-hpa", "netboot-tftpd")))
        for blksize in (1468, 8192):
            for window in (16, 64):
                for name in ("1m.bin", "64m.bin"):
                    cases.append((name, blksize, window, ("netboot-tftpd",)))
        results = {}
        memory = {}
        order = list(servers)
        for rep in range(args.reps):
            for server_name in (order if rep % 2 == 0 else order[::-1]):
                with Server(ns, server_name, servers[server_name]) as server:
                    for name, blksize, window, who in cases:
                        if server_name not in who:
                            continue
                        runs = args.small_runs if name == "1m.bin" else 1
                        rates = [client(ns, args, args.cpu, bench_bin, name, blksize, window, 1)[0] for _ in range(runs)]
                        results.setdefault((server_name, name, blksize, window), []).append(statistics.median(rates))
                # 200 concurrent downloads, unpinned client, on a fresh server for a clean memory peak.
                with Server(ns, server_name, servers[server_name]) as server:
                    sampler = MemorySampler(server.proc.pid)
                    sampler.start()
                    rate, seconds = client(ns, args, args.cpu, bench_bin, "1m.bin", 1468, 1, args.clients)
                    sampler.stop = True
                    sampler.join()
                    memory.setdefault(server_name, []).append((rate, seconds, sampler.peak_rss, sampler.peak_pss,
                                                               sampler.peak_procs))
                print("rep %d %s done" % (rep + 1, server_name), file=sys.stderr, flush=True)

        print("\nSingle transfers, server+client pinned to CPU %d, MB/s (median of %d reps)" % (args.cpu, args.reps))
        print("| file | blksize | window | tftpd-hpa | netboot-tftpd | ratio |")
        print("|---|---|---|---|---|---|")
        for name, blksize, window, who in cases:
            ours = statistics.median(results[("netboot-tftpd", name, blksize, window)])
            ref_key = ("tftpd-hpa", name, blksize, 1)
            ref = statistics.median(results[ref_key]) if ref_key in results else None
            print("| %s | %d | %d | %s | %.1f | %s |" % (
                name.replace(".bin", "").replace("m", " MiB"), blksize, window,
                "%.1f" % ref if ref else "-", ours,
                ("x%.2f" % (ours / ref)) if ref else "-"))
        print("\n%d concurrent 1 MiB downloads, blksize 1468 (median of %d reps)" % (args.clients, args.reps))
        print("| server | wall s | aggregate MB/s | peak RSS sum MB | peak PSS sum MB | processes |")
        print("|---|---|---|---|---|---|")
        for server_name in order:
            rows = memory[server_name]
            med = lambda i: statistics.median(r[i] for r in rows)
            print("| %s | %.2f | %.1f | %.1f | %.1f | %d |" % (server_name, med(1), med(0), med(2) / 1024.0,
                                                                med(3) / 1024.0, max(r[4] for r in rows)))
    finally:
        if ns:
            ns.delete()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
