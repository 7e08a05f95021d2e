// What the adapter writes into Kea's response for one decision, worked out
// here without Kea: DHCPv4's fixed fields and every option with its payload
// as on the wire. The adapter only copies the plan into the packet.
#pragma once

#include "core/facts.h"
#include "core/policy.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace netboot {

// DHCPv4's `file` field holds 127 characters and a NUL.
inline constexpr size_t kDhcp4FileFieldSize = 128;

struct ReplyOption {
    uint16_t code = 0;
    std::string payload;  // the option's data, without code and length
    // Sent only when the client's parameter request list names the code
    // (DHCPv4 66/67 where always-send-boot-options is off).
    bool onlyIfRequested = false;
};

struct ReplyPlan {
    // DHCPv4 `file`: nullopt leaves Kea's; "" clears it (the boot file does
    // not fit, so it goes in option 67 only: fileTooLong).
    std::optional<std::string> file;
    bool fileTooLong = false;
    // DHCPv4 siaddr, unbracketed; empty leaves Kea's.
    std::string nextServer;
    // Replace Kea's option of the same code, in this order.
    std::vector<ReplyOption> options;
};

ReplyPlan planReply(const BootDecision& decision, IpFamily family, const ClientFacts& facts,
                    const GlobalSettings& settings);

// Whether this exchange uses up a one-time assignment: the end of the boot
// chain (iPXE's script, a Secure Boot loader) acknowledged (ACK, REPLY); an
// offer, an advertise or an earlier stage keeps it.
inline bool usesUpOnce(const BootDecision& decision, bool acknowledged) { return decision.endsChain && acknowledged; }

}  // namespace netboot
