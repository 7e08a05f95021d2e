"""netboot-stack: the whole kea-netboot stack in one command, with a real VM.

Brings up, in a private network namespace with a bridge: kea-dhcp4 and
kea-dhcp6 with libdhcp_netboot.so, kea-ctrl-agent, netboot-tftpd,
radvd-lite and nginx, all configured by kea-config/netboot-render; then a
QEMU virtual machine (TCG, Debian's SeaBIOS+iPXE or OVMF firmware, a tap NIC
on the bridge and nothing else) network-boots through it to the iPXE menu
(GRUB's for 32-bit UEFI), and is powered off. Each step is printed as it
happens: DHCP answers (the hook's decisions), TFTP transfers, HTTP fetches,
the menu on the VM's serial console. Everything is removed on exit, also on
Ctrl-C.

The rescue-once scenario is the README's remote-maintenance story: an
operator's curl through kea-ctrl-agent assigns the VM the rescue profile for
one boot (netboot-assignment-set, "once": true); the VM boots the rescue
script, then, booted again, the normal menu, and netboot-assignment-list
shows the assignment used up.

Exit status 0 only when the boot was seen from both sides: the server logs
(DHCP decision, TFTP transfer, HTTP GET of the boot script, as the scenario
needs; for IPv6, radvd-lite's counters of answered router solicitations)
and the VM's console showing the menu; 1 otherwise (logs are kept
and their tails printed); 2 for a bad command line.

Run as root on Debian 12:  sudo tools/netboot-stack [SCENARIO]
Environment: NETBOOT_SKIP_DEPS=1 skips tools/install-deps;
NETBOOT_BUILD_DIR picks the build directory (default build/).
"""

# By job: common (places, addresses, markers, say), prerequisites (Debian's
# packages, the build), netns (namespaces; the benches use it too), stack
# (network, configuration, daemons, following the logs, Kea's control path),
# vm (QEMU and its firmware), bmc (the simulated BMC and netboot-ctl),
# evidence (what counts as seen), scenarios (what boots and what must be
# seen), cli (the command line).

import os
import sys

# netboot_site (the site model and the decision reader) lives with the configuration bundle.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "kea-config"))
