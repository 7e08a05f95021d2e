// The cheapest possible Kea hook: pkt4_send/pkt6_send callouts that return
// at once. The benchmark measures it to show the floor Kea's hook machinery
// costs per packet, below which no hook library can go.
#include <hooks/hooks.h>

extern "C" {
__attribute__((visibility("default"))) int version() { return KEA_HOOKS_VERSION; }
__attribute__((visibility("default"))) int multi_threading_compatible() { return 1; }
__attribute__((visibility("default"))) int pkt4_send(isc::hooks::CalloutHandle&) { return 0; }
__attribute__((visibility("default"))) int pkt6_send(isc::hooks::CalloutHandle&) { return 0; }
}
