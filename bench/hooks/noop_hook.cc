// The floors the benchmark measures the netboot hook against.
//
// Built as libdhcp_noop_bench.so: pkt4_send/pkt6_send callouts that return at
// once, the floor Kea's hook machinery costs per packet, below which no hook
// library can go.
//
// Built with NETBOOT_BENCH_FIXED_ANSWER as libdhcp_answer_bench.so: the same
// callouts write one fixed boot answer, given in the parameters, without
// looking at the client: the floor of any hook that gives that answer, since
// Kea packing the options it adds costs as much as the callout itself.
#include <hooks/hooks.h>

#ifdef NETBOOT_BENCH_FIXED_ANSWER
#include <asiolink/io_address.h>
#include <dhcp/dhcp4.h>
#include <dhcp/dhcp6.h>
#include <dhcp/pkt4.h>
#include <dhcp/pkt6.h>

#include <optional>
#include <string>

using namespace isc::dhcp;
using isc::hooks::CalloutHandle;
using isc::hooks::LibraryHandle;

namespace {

struct FixedAnswer {
    std::string file;                                   // v4 file and option 67
    std::optional<isc::asiolink::IOAddress> nextServer;  // v4 siaddr
    OptionPtr bootFile, serverName, vendorClass;
};
FixedAnswer answer;

std::string parameter(LibraryHandle& handle, const char* name) {
    isc::data::ConstElementPtr value = handle.getParameter(name);
    return value ? value->stringValue() : std::string();
}

OptionPtr option(Option::Universe universe, uint16_t code, const std::string& value, bool nul = false) {
    OptionBuffer data(value.begin(), value.end());
    if (nul) data.push_back(0);
    return OptionPtr(new Option(universe, code, data));
}

void replace(Pkt& response, const OptionPtr& added) {
    if (!added) return;
    while (response.delOption(added->getType())) {
    }
    response.addOption(added);
}

}  // namespace
#endif

extern "C" {
__attribute__((visibility("default"))) int version() { return KEA_HOOKS_VERSION; }
__attribute__((visibility("default"))) int multi_threading_compatible() { return 1; }

#ifndef NETBOOT_BENCH_FIXED_ANSWER
__attribute__((visibility("default"))) int pkt4_send(isc::hooks::CalloutHandle&) { return 0; }
__attribute__((visibility("default"))) int pkt6_send(isc::hooks::CalloutHandle&) { return 0; }
#else
// Parameters: "file" (v4), "next-server" (v4, optional), "url" (v6),
// "http" (true: also the HTTPClient vendor class).
__attribute__((visibility("default"))) int load(LibraryHandle& handle) {
    const bool http = handle.getParameter("http") && handle.getParameter("http")->boolValue();
    answer.file = parameter(handle, "file");
    if (!answer.file.empty()) {
        answer.bootFile = option(Option::V4, DHO_BOOT_FILE_NAME, answer.file, true);
        const std::string server = parameter(handle, "next-server");
        if (!server.empty()) {
            answer.nextServer = isc::asiolink::IOAddress(server);
            answer.serverName = option(Option::V4, DHO_TFTP_SERVER_NAME, server);
        }
        if (http) answer.vendorClass = option(Option::V4, DHO_VENDOR_CLASS_IDENTIFIER, "HTTPClient");
    } else {
        answer.bootFile = option(Option::V6, D6O_BOOTFILE_URL, parameter(handle, "url"));
        if (http) answer.vendorClass = option(Option::V6, D6O_VENDOR_CLASS, std::string("\0\0\1\x57\0\x0aHTTPClient", 16));
    }
    return 0;
}

__attribute__((visibility("default"))) int pkt4_send(CalloutHandle& handle) {
    Pkt4Ptr response;
    handle.getArgument("response4", response);
    if (!response || (response->getType() != DHCPOFFER && response->getType() != DHCPACK)) return 0;
    response->setFile(reinterpret_cast<const uint8_t*>(answer.file.data()), answer.file.size());
    if (answer.nextServer) response->setSiaddr(*answer.nextServer);
    replace(*response, answer.serverName);
    replace(*response, answer.bootFile);
    replace(*response, answer.vendorClass);
    return 0;
}

__attribute__((visibility("default"))) int pkt6_send(CalloutHandle& handle) {
    Pkt6Ptr response;
    handle.getArgument("response6", response);
    if (!response || (response->getType() != DHCPV6_ADVERTISE && response->getType() != DHCPV6_REPLY)) return 0;
    replace(*response, answer.bootFile);
    replace(*response, answer.vendorClass);
    return 0;
}
#endif
}
