"""The command line: parse it, run one scenario, clean up whatever happens."""

import argparse
import os
import signal
import subprocess
import sys
import time

import netboot_stack
from netboot_stack.common import Failure, say, start_time
from netboot_stack.prerequisites import ensure_build, ensure_deps
from netboot_stack.scenarios import DEFAULT_SCENARIO, SCENARIOS
from netboot_stack.stack import Stack


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="netboot-stack",
        description=netboot_stack.__doc__.split("\n", 2)[2].split("Run as root")[0].strip() +
        "\n\nscenarios:\n" + "\n".join("  %-11s %s%s" % (k, v["title"], " (default)" if k == DEFAULT_SCENARIO else "")
                                       for k, v in SCENARIOS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  sudo tools/netboot-stack                 # UEFI PXE over IPv4 to the iPXE menu\n"
               "  sudo tools/netboot-stack bios --console  # every line of the VM's console too\n\n"
               "environment:\n"
               "  NETBOOT_SKIP_DEPS=1  never run tools/install-deps (it runs only when a package is missing)\n"
               "  NETBOOT_BUILD_DIR    build directory (default build/; built when the binaries are missing)\n\n"
               "Addresses: 192.0.2.1/24 and 2001:db8::1/64 on a bridge inside a namespace named\n"
               "nbs<pid>; nothing leaves it (the VM has only the tap NIC, no user networking).")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, choices=sorted(SCENARIOS),
                   help="what boots (default %s)" % DEFAULT_SCENARIO)
    p.add_argument("-s", "--scenario", dest="scenario_opt", choices=sorted(SCENARIOS), metavar="SCENARIO",
                   help="same as the positional SCENARIO")
    p.add_argument("--timeout", type=float, default=150, help="seconds the VM may take to reach the menu (default 150)")
    p.add_argument("--show-menu", type=float, default=3, metavar="SECONDS",
                   help="keep the VM on the menu this long before powering it off (default 3)")
    p.add_argument("--console", action="store_true", help="print every line of the VM's serial console")
    p.add_argument("--keep", action="store_true", help="keep the run directory (configs, logs) afterwards")
    p.add_argument("--no-build", action="store_true", help="fail instead of building when binaries are missing")
    p.add_argument("--render-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for netboot-render, repeatable (e.g. --render-arg=--menu-timeout=5)")
    a = p.parse_args(argv)
    if a.scenario_opt:
        a.scenario = a.scenario_opt
    return a



def main(argv):
    args = parse_args(argv)
    if os.geteuid() != 0:
        print("netboot-stack: run as root (it creates network namespaces and a tap)", file=sys.stderr)
        return 1
    sc = SCENARIOS[args.scenario]
    stack = None
    failed = True
    interrupted = False

    def on_signal(signum, frame):
        raise KeyboardInterrupt
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)  # also when started with SIGINT ignored
    try:
        say("Scenario %s: %s" % (args.scenario, sc["title"]))
        ensure_deps(sc["fw"], sc.get("installer", False))
        bins = ensure_build(args.no_build)
        stack = Stack(args, sc)
        stack.network()
        stack.render(bins)
        stack.daemons(bins)
        if sc.get("bmc"):
            stack.start_bmc()
            stack.watch(sc["before_bmc"])
            stack.bmc_rescue()
        else:
            if sc.get("assign"):
                stack.assign()
            stack.boot()
            stack.watch(sc["evidence"], sc.get("forbidden", ()))
        if sc.get("second_boot"):
            stack.decision_profile()
            say("First boot reached the rescue profile in %.1f s" % (time.monotonic() - start_time), "OK")
            stack.boot_again()
            stack.watch(sc["second_boot"]["evidence"], sc["second_boot"]["forbidden"])
            stack.consumed()
        if sc["v6"]:
            stack.router_advertisements()
        say("Booted to %s in %.1f s, seen from both sides (server logs and the VM console)"
            % (sc.get("reached", "the menu"), time.monotonic() - start_time), "OK")
        stack.statistics()
        time.sleep(max(0.0, args.show_menu))
        say("Powering the VM off (QEMU pid %d)" % stack.qemu.pid)
        failed = False
    except KeyboardInterrupt:
        interrupted = True
        say("Interrupted: stopping everything", "!!")
    except Failure as e:
        say(str(e), "FAIL")
    except subprocess.CalledProcessError as e:
        say("command failed: %s" % " ".join(map(str, e.cmd)), "FAIL")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if stack:
            stack.cleanup(failed and not interrupted)
    return 1 if failed else 0
