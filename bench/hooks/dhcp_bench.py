#!/usr/bin/env python3
"""Throughput of kea-dhcp4/kea-dhcp6 with libdhcp_netboot.so against the
alternatives, measured in one run with perfdhcp:

  plain   Kea without netboot (the ceiling)
  noop    Kea with a hook whose callout returns at once (the floor any hook pays)
  answer  Kea with a hook that writes the hook's answer for this client as
          fixed values, deciding nothing: the floor of any hook giving that
          answer (Kea packing the options it adds is part of it)
  hook    Kea with libdhcp_netboot.so
  classes Kea with the equivalent client-class recipe (what operators write today)

answer, hook and classes give the measured client (UEFI x64 PXE by default)
the same answer (plain and noop give no boot answer). Kea runs single-threaded pinned
to one CPU, perfdhcp pinned to the other; runs are interleaved (plain noop
hook classes plain noop hook classes ...)
so machine noise hits every variant alike. Prints exchanges/s, Kea CPU per
exchange and the ratios to plain. Run as root:  bench/hooks/dhcp_bench.py

Two measurements per family, in one run:
  saturation   perfdhcp offers --rate (far above what Kea answers): the
               exchanges/s Kea completes. On this shared 2-vCPU VM these
               swing +-20 % run to run, enough to swap the ranking of hook
               and classes between runs: read the paired ratios, not one run.
  fixed rate   perfdhcp offers --cpu-rate (below saturation, every variant
               completes all of it): Kea's CPU time (user + kernel, from
               /proc) per exchange. This is the cost each variant adds, and
               it is stable to a few per cent.
With --callgrind, also Kea's user-space instructions per exchange.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tools"))
from netboot_stack.netns import Namespace, veth  # noqa: E402
KEA_ENV = os.path.join(TOP, "tools", "kea-env")

CLIENTS = {
    # name: (v4 perfdhcp -o options, v6 perfdhcp -o options)
    "uefi-x64-pxe": (["93,0007"], ["61,0007"]),
    "uefi-x64-http": (["93,0010", "60," + b"HTTPClient:Arch:00016:UNDI:003000".hex()],
                      ["61,0010", "16,000001570021" + b"HTTPClient:Arch:00016:UNDI:003000".hex()]),
    "ipxe": (["93,0007", "77,69505845"], ["61,0007", "15,000469505845"]),
}

# What the hook answers each client (hook_params), as the answer floor's parameters.
FIXED_ANSWERS = {
    "uefi-x64-pxe": ({"file": "ipxe.efi", "next-server": "192.0.2.1"},
                     {"url": "tftp://[2001:db8::1]/ipxe.efi"}),
    "uefi-x64-http": ({"file": "http://192.0.2.1/ipxe.efi", "http": True},
                      {"url": "http://[2001:db8::1]/ipxe.efi", "http": True}),
    "ipxe": ({"file": "http://192.0.2.1/boot.ipxe"}, {"url": "http://[2001:db8::1]/boot.ipxe"}),
}


def sh(*args, check=True, **kw):
    return subprocess.run(args, check=check, text=True, **kw)


def hook_params(family):
    return {
        "tftp-boot-files": {"bios": "undionly.kpxe", "efi-x64": "ipxe.efi", "efi-ia32": "ipxe32.efi"},
        "http-boot-files": {"efi-x64": "ipxe.efi", "efi-ia32": "ipxe32.efi"},
        "ipxe-script-url": "http://{server}/boot.ipxe",
        **({"server-address": "192.0.2.1"} if family == 4 else {"server-address": "2001:db8::1"}),
    }


def classes4():
    """The client-class recipe giving the same v4 answers as the hook."""
    def boot(name, test, file, http=False):
        c = {"name": name, "test": test, "boot-file-name": file}
        data = [{"name": "boot-file-name", "data": file, "always-send": True}]
        if http:
            data.append({"name": "vendor-class-identifier", "data": "HTTPClient", "always-send": True})
        else:
            c["next-server"] = "192.0.2.1"
            data.append({"name": "tftp-server-name", "data": "192.0.2.1", "always-send": True})
        c["option-data"] = data
        return c
    return [
        boot("iPXE", "substring(option[77].hex,0,4) == 'iPXE'", "http://192.0.2.1/boot.ipxe", http=True),
        boot("BIOS", "not member('iPXE') and option[93].hex == 0x0000", "undionly.kpxe"),
        boot("UEFI-IA32", "not member('iPXE') and option[93].hex == 0x0006", "ipxe32.efi"),
        boot("UEFI-X64", "not member('iPXE') and (option[93].hex == 0x0007 or option[93].hex == 0x0009)", "ipxe.efi"),
        boot("HTTP-IA32", "option[93].hex == 0x000f and substring(option[60].hex,0,10) == 'HTTPClient'",
             "http://192.0.2.1/ipxe32.efi", http=True),
        boot("HTTP-X64", "option[93].hex == 0x0010 and substring(option[60].hex,0,10) == 'HTTPClient'",
             "http://192.0.2.1/ipxe.efi", http=True),
    ]


def classes6():
    def boot(name, test, url, http=False):
        data = [{"name": "bootfile-url", "data": url, "always-send": True}]
        if http:
            data.append({"name": "vendor-class", "data": "343, 000a48545450436c69656e74", "always-send": True})
        return {"name": name, "test": test, "option-data": data}
    return [
        boot("iPXE", "substring(option[15].hex,2,4) == 'iPXE'", "http://[2001:db8::1]/boot.ipxe"),
        boot("UEFI-X64", "not member('iPXE') and option[61].hex == 0x0007", "tftp://[2001:db8::1]/ipxe.efi"),
        boot("UEFI-IA32", "not member('iPXE') and option[61].hex == 0x0006", "tftp://[2001:db8::1]/ipxe32.efi"),
        boot("HTTP-X64", "option[61].hex == 0x0010 and substring(option[16].hex,6,10) == 'HTTPClient'",
             "http://[2001:db8::1]/ipxe.efi", http=True),
        boot("HTTP-IA32", "option[61].hex == 0x000f and substring(option[16].hex,6,10) == 'HTTPClient'",
             "http://[2001:db8::1]/ipxe32.efi", http=True),
    ]


def config(family, variant, iface, run, hook, client=None):
    """Kea's configuration for one variant; `client` picks the fixed answer of
    the "answer" variant and is not used by the others (bench/storm)."""
    common = {
        "interfaces-config": {"interfaces": [iface], **({"dhcp-socket-type": "udp"} if family == 4 else {})},
        "lease-database": {"type": "memfile", "persist": False, "lfc-interval": 0},
        "multi-threading": {"enable-multi-threading": False},
        "loggers": [{"name": "kea-dhcp%d" % family, "output_options": [{"output": run + "/kea.log"}],
                     "severity": "WARN"}],
    }
    if family == 4:
        server = dict(common, **{"valid-lifetime": 4000, "subnet4": [
            {"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.10 - 192.0.2.254"}]}]})
    else:
        server = dict(common, **{"preferred-lifetime": 3000, "valid-lifetime": 4000,
                                 "server-id": {"type": "LLT", "persist": False}, "data-directory": run,
                                 "subnet6": [{"id": 1, "subnet": "2001:db8::/64", "interface": iface,
                                              "pools": [{"pool": "2001:db8::100:0/104"}]}]})
    # Kea runs through tools/kea-env, which links both hooks into run/hooks.
    if variant == "hook":
        server["hooks-libraries"] = [{"library": os.path.join(run, "hooks", "libdhcp_netboot.so"),
                                      "parameters": hook_params(family)}]
    elif variant == "noop":
        server["hooks-libraries"] = [{"library": os.path.join(run, "hooks", "libdhcp_noop_bench.so")}]
    elif variant == "answer":
        server["hooks-libraries"] = [{"library": os.path.join(run, "hooks", "libdhcp_answer_bench.so"),
                                      "parameters": FIXED_ANSWERS[client][0 if family == 4 else 1]}]
    elif variant == "classes":
        server["client-classes"] = classes4() if family == 4 else classes6()
    return {"Dhcp%d" % family: server}


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(args, family, variant, ns, iface_s, iface_c, run, hook, client, callgrind=False, rate=None):
    """One perfdhcp run against a fresh Kea. Returns (exchanges/s, Kea CPU
    µs per exchange); with callgrind, (exchanges, Kea instructions per
    exchange) counted from after start-up to the end of the run."""
    path = os.path.join(run, "kea-%d-%s.json" % (family, variant))
    with open(path, "w") as f:
        json.dump(config(family, variant, iface_s, run, hook, client), f)
    floors = os.path.join(os.path.dirname(os.path.dirname(hook)), "bench")
    env = dict(os.environ, NETBOOT_HOOK=":".join([hook, os.path.join(floors, "libdhcp_noop_bench.so"),
                                                   os.path.join(floors, "libdhcp_answer_bench.so")]))
    prefix = []
    cg_out = os.path.join(run, "callgrind.%d.%s.out" % (family, variant))
    if callgrind:
        prefix = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg_out]
    kea = subprocess.Popen(["ip", "netns", "exec", ns[0], KEA_ENV, run, "taskset", "-c", str(args.server_cpu)] + prefix +
                           ["kea-dhcp%d" % family, "-c", path], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep((1.5 if family == 6 else 1.0) * (12 if callgrind else 1))
        if callgrind:
            sh("callgrind_control", "--zero", str(kea.pid), capture_output=True)
        if kea.poll() is not None:
            raise RuntimeError("kea-dhcp%d (%s) exited at start; see %s/kea.log" % (family, variant, run))
        opts = []
        for o in CLIENTS[client][0 if family == 4 else 1]:
            opts += ["-o", o]
        rate = args.callgrind_rate if callgrind else (rate or args.rate)
        cmd = ["ip", "netns", "exec", ns[1], "taskset", "-c", str(args.client_cpu), "perfdhcp",
               "-%d" % family] + opts + ["-r", str(rate), "-R", "200", "-p", str(args.seconds),
                                         "-W", "2000000" if callgrind else "200000", "-g", "single"]
        cmd += ["-l", "192.0.2.2", "192.0.2.1"] if family == 4 else ["-l", iface_c]
        before = cpu_seconds(kea.pid)
        out = sh(*cmd, check=False, capture_output=True).stdout
        cpu = cpu_seconds(kea.pid) - before
        if callgrind:
            sh("callgrind_control", "--dump", str(kea.pid), capture_output=True)
            time.sleep(1)
    finally:
        kea.terminate()
        kea.wait(timeout=60)
    second = "REQUEST-ACK" if family == 4 else "REQUEST-REPLY"
    block = out.split("***Statistics for: %s***" % second, 1)[1]
    done = int(re.search(r"received packets: (\d+)", block).group(1))
    if done == 0:
        raise RuntimeError("no completed exchanges for %s v%d:\n%s" % (variant, family, out[-2000:]))
    if callgrind:
        dumps = sorted(f for f in os.listdir(run) if f.startswith(os.path.basename(cg_out) + "."))
        total = 0
        with open(os.path.join(run, dumps[0])) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    total = int(line.split()[1])
        if args.callgrind_keep:
            os.makedirs(args.callgrind_keep, exist_ok=True)
            shutil.copy(os.path.join(run, dumps[0]), os.path.join(args.callgrind_keep, os.path.basename(cg_out)))
        for f in os.listdir(run):
            if f.startswith(os.path.basename(cg_out)):
                os.unlink(os.path.join(run, f))
        # perfdhcp counts both halves; instructions per full exchange
        return done, total / done
    return done / args.seconds, cpu / done * 1e6


def print_rates(results, variants, family):
    unit = "DORA/s" if family == 4 else "SARR/s"
    base_rate = statistics.median(r for r, _ in results["plain"])
    base_cpu = statistics.median(c for _, c in results["plain"])
    print("\nDHCPv%d  %-8s %10s %8s %12s %9s %16s" % (family, "variant", unit, "ratio", "us CPU/exch",
                                                      "CPU ratio", "paired ratio"))
    for v in variants:
        rate = statistics.median(r for r, _ in results[v])
        cpu = statistics.median(c for _, c in results[v])
        paired = statistics.median(r / p for (r, _), (p, _) in zip(results[v], results["plain"]))
        runs = " ".join("%.0f" % r for r, _ in results[v])
        print("        %-8s %10.0f %8.3f %12.1f %9.3f %16.3f   runs: %s"
              % (v, rate, rate / base_rate, cpu, cpu / base_cpu, paired, runs))
    hook_rate = statistics.median(r for r, _ in results["hook"])
    class_rate = statistics.median(r for r, _ in results["classes"])
    print("        hook / classes throughput ratio: %.3f" % (hook_rate / class_rate))


def print_fixed_rate(results, variants, family, args):
    """Kea CPU per exchange at a rate every variant completes in full."""
    base = statistics.median(c for _, c in results["plain"])
    print("        fixed rate %d/s offered: Kea CPU (user + kernel) per exchange" % args.cpu_rate)
    for v in variants:
        cpu = statistics.median(c for _, c in results[v])
        done = min(r for r, _ in results[v]) * args.seconds
        runs = " ".join("%.1f" % c for _, c in results[v])
        print("        %-8s %8.1f us %8.3f x plain   (fewest completed: %d of %d)   runs: %s"
              % (v, cpu, cpu / base, done, args.cpu_rate * args.seconds, runs))
    print_floors({v: statistics.median(c for _, c in results[v]) for v in variants}, "CPU")


def print_floors(cost, what):
    """The hook's cost per exchange above each floor, as a share of the no-op hook's."""
    noop = cost["noop"]
    print("        hook %s per exchange: noop %+.1f %%, answer floor %+.1f %% (above noop: the answer's "
          "own cost %+.1f %%), classes x%.3f"
          % (what, 100 * (cost["hook"] / noop - 1), 100 * (cost["hook"] - cost["answer"]) / noop,
             100 * (cost["answer"] / noop - 1), cost["hook"] / cost["classes"]))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--families", default="4,6")
    p.add_argument("--reps", type=int, default=3, help="perfdhcp runs per variant (0: callgrind only)")
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--rate", type=int, default=30000, help="offered exchanges/s (saturation)")
    p.add_argument("--cpu-rate", type=int, default=3000,
                   help="offered exchanges/s for the fixed-rate CPU measurement (below saturation; 0: skip)")
    p.add_argument("--client", default="uefi-x64-pxe", choices=sorted(CLIENTS))
    p.add_argument("--server-cpu", type=int, default=1)
    p.add_argument("--client-cpu", type=int, default=0)
    p.add_argument("--callgrind", action="store_true",
                   help="also count Kea's instructions per exchange under callgrind (deterministic, "
                        "immune to other load on the machine)")
    p.add_argument("--callgrind-rate", type=int, default=200)
    p.add_argument("--callgrind-keep", metavar="DIR",
                   help="keep each variant's callgrind profile there (callgrind_annotate reads them)")
    p.add_argument("--build", default=os.environ.get("NETBOOT_BUILD_DIR", os.path.join(TOP, "build")))
    args = p.parse_args()
    hook = os.path.join(args.build, "hooks", "libdhcp_netboot.so")
    if not os.path.exists(hook):
        sys.exit("build the hook first: %s is missing" % hook)

    tag = "nbb%d" % os.getpid()
    ns = (tag + "-s", tag + "-c")
    iface_s, iface_c = tag + "s", tag + "c"
    run = tempfile.mkdtemp(prefix=tag)
    spaces = []
    try:
        for n in ns:
            spaces.append(Namespace(n))
        veth(spaces[0], iface_s, spaces[1], iface_c)
        spaces[0].addresses(iface_s, "192.0.2.1/24", "2001:db8::1/64")
        spaces[1].addresses(iface_c, "192.0.2.2/24", "2001:db8::2/64")
        time.sleep(1)

        variants = ["plain", "noop", "answer", "hook", "classes"]
        print("client %s, %d s per run, offered %d/s (saturation) and %d/s (fixed rate), %d interleaved runs; "
              "Kea on CPU %d, perfdhcp on CPU %d"
              % (args.client, args.seconds, args.rate, args.cpu_rate, args.reps, args.server_cpu, args.client_cpu))
        for family in [int(f) for f in args.families.split(",")]:
            results = {v: [] for v in variants}
            fixed = {v: [] for v in variants}
            for rep in range(args.reps):
                for v in variants:
                    results[v].append(one_run(args, family, v, ns, iface_s, iface_c, run, hook, args.client))
                    if args.cpu_rate:
                        fixed[v].append(one_run(args, family, v, ns, iface_s, iface_c, run, hook, args.client,
                                                rate=args.cpu_rate))
            if args.reps > 0:
                print_rates(results, variants, family)
                if args.cpu_rate:
                    print_fixed_rate(fixed, variants, family, args)
            else:
                print("\nDHCPv%d" % family)
            if args.callgrind:
                counts = {}
                for v in variants:
                    # A slow start under valgrind (a loaded machine) loses exchanges and
                    # counts start-up work: such a run is repeated.
                    for _ in range(3):
                        counts[v] = one_run(args, family, v, ns, iface_s, iface_c, run, hook, args.client, True)
                        if counts[v][0] >= 0.95 * args.callgrind_rate * args.seconds:
                            break
                print("        callgrind, Kea instructions per exchange (%d/s offered, %d s):"
                      % (args.callgrind_rate, args.seconds))
                for v in variants:
                    done, ir = counts[v]
                    print("        %-8s %10.0f instr %8.3f x plain   (%d exchanges)"
                          % (v, ir, ir / counts["plain"][1], done))
                print_floors({v: ir for v, (_, ir) in counts.items()}, "instructions")
    finally:
        for space in spaces:
            space.delete()
        shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    main()
