// The C entry points Kea looks up in libdhcp_netboot.so. Each is a thin shim
// over NetbootImpl: it catches everything, because an exception escaping a
// callout must never cost a client its answer.
#include "impl.h"
#include "kea_compat.h"
#include "log.h"

#include <cc/command_interpreter.h>
#include <cc/data.h>
#include <dhcpsrv/cfgmgr.h>
#include <dhcpsrv/subnet.h>
#include <hooks/hooks.h>
#include <process/daemon.h>

using namespace isc::hooks;
using isc::dhcp::Pkt4Ptr;
using isc::dhcp::Pkt6Ptr;
using netboot::impl;
using netboot::netbootLogger;

namespace {

// The client's label for the error log, built only when there is an error
// (building it costs more than the hook's whole decision).
template <typename PktPtr>
std::string labelOf(CalloutHandle& handle, const char* argument) {
    try {
        PktPtr query;
        handle.getArgument(argument, query);
        if (query) return query->getLabel();
    } catch (...) {
    }
    return "unknown client";
}

template <typename PktPtr, typename Body>
int guarded(CalloutHandle& handle, const char* what, const char* queryArgument, Body body) {
    try {
        if (!impl || handle.getStatus() == CalloutHandle::NEXT_STEP_DROP) return 0;
        body();
    } catch (const std::exception& e) {
        LOG_ERROR(netbootLogger, netboot::NETBOOT_CALLOUT_ERROR)
            .arg(labelOf<PktPtr>(handle, queryArgument)).arg(what).arg(e.what());
    } catch (...) {
        LOG_ERROR(netbootLogger, netboot::NETBOOT_CALLOUT_ERROR)
            .arg(labelOf<PktPtr>(handle, queryArgument)).arg(what).arg("unknown error");
    }
    return 0;
}

// Not exported under the hook point's name: load() registers them only when
// some subnet or reservation has netboot overrides, since a callout that
// runs for every packet costs Kea time even when it does nothing.
int subnet4Selected(CalloutHandle& handle) {
    return guarded<Pkt4Ptr>(handle, "subnet4_select", "query4", [&] {
        netboot::kea::SelectedSubnet4Ptr subnet;
        handle.getArgument("subnet4", subnet);
        impl->subnetSelected(handle, subnet);
    });
}

int subnet6Selected(CalloutHandle& handle) {
    return guarded<Pkt6Ptr>(handle, "subnet6_select", "query6", [&] {
        netboot::kea::SelectedSubnet6Ptr subnet;
        handle.getArgument("subnet6", subnet);
        impl->subnetSelected(handle, subnet);
    });
}

const char* const kCommands[] = {"netboot-assignment-set", "netboot-assignment-get", "netboot-assignment-del",
                                 "netboot-assignment-list", "netboot-status"};

// All netboot-* commands: Kea hands over {"command", "arguments"}, we set
// "response" to a Kea answer.
int commandHandler(CalloutHandle& handle) {
    try {
        isc::data::ConstElementPtr command;
        handle.getArgument("command", command);
        isc::data::ConstElementPtr args;
        const std::string name = isc::config::parseCommand(args, command);
        handle.setArgument("response", impl ? impl->command(name, args)
                                            : isc::config::createAnswer(isc::config::CONTROL_RESULT_ERROR,
                                                                        "netboot hook not loaded"));
    } catch (const std::exception& e) {
        handle.setArgument("response", isc::config::createAnswer(isc::config::CONTROL_RESULT_ERROR, e.what()));
    }
    return 0;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int version() { return KEA_HOOKS_VERSION; }

__attribute__((visibility("default"))) int multi_threading_compatible() { return 1; }

__attribute__((visibility("default"))) int load(LibraryHandle& handle) {
    try {
        const std::string daemon = isc::process::Daemon::getProcName();
        netboot::IpFamily family;
        if (daemon == "kea-dhcp4") {
            family = netboot::IpFamily::v4;
        } else if (daemon == "kea-dhcp6") {
            family = netboot::IpFamily::v6;
        } else {
            throw netboot::ConfigError("libdhcp_netboot.so loads only into kea-dhcp4 or kea-dhcp6, not '" +
                                       daemon + "'");
        }
        auto loaded = std::make_shared<netboot::NetbootImpl>(
            netboot::parseHookConfig(handle.getParameters(), family), family);
        if (!loaded->stateError().empty()) {
            LOG_ERROR(netbootLogger, netboot::NETBOOT_STATE_UNUSABLE).arg(loaded->stateError());
        }
        for (const char* name : kCommands) {
            handle.registerCommandCallout(name, commandHandler);
        }
        // Kea loads hook libraries after parsing the new configuration.
        if (netboot::overridesConfigured(*isc::dhcp::CfgMgr::instance().getStagingCfg(), family)) {
            loaded->expectSubnetContext(true);
            handle.registerCallout(family == netboot::IpFamily::v4 ? "subnet4_select" : "subnet6_select",
                                   family == netboot::IpFamily::v4 ? subnet4Selected : subnet6Selected);
        }
        impl = loaded;
        LOG_INFO(netbootLogger, netboot::NETBOOT_LOADED).arg(daemon).arg(loaded->summary());
        return 0;
    } catch (const std::exception& e) {
        LOG_ERROR(netbootLogger, netboot::NETBOOT_LOAD_FAILED).arg(e.what());
        return 1;
    }
}

__attribute__((visibility("default"))) int unload() {
    if (impl) {
        impl.reset();
        LOG_INFO(netbootLogger, netboot::NETBOOT_UNLOADED);
    }
    return 0;
}


__attribute__((visibility("default"))) int pkt4_send(CalloutHandle& handle) {
    return guarded<Pkt4Ptr>(handle, "pkt4_send", "query4", [&] {
        if (handle.getStatus() == CalloutHandle::NEXT_STEP_SKIP) {
            return;  // another library packed the response already (e.g. bootp): too late to change it
        }
        Pkt4Ptr query, response;
        handle.getArgument("query4", query);
        handle.getArgument("response4", response);
        if (query && response) impl->answer4(handle, query, response);
    });
}

__attribute__((visibility("default"))) int pkt6_send(CalloutHandle& handle) {
    return guarded<Pkt6Ptr>(handle, "pkt6_send", "query6", [&] {
        if (handle.getStatus() == CalloutHandle::NEXT_STEP_SKIP) {
            return;
        }
        Pkt6Ptr query, response;
        handle.getArgument("query6", query);
        handle.getArgument("response6", response);
        if (query && response) impl->answer6(handle, query, response);
    });
}

}  // extern "C"
