#include "core/reply.h"

namespace netboot {

namespace {

constexpr uint16_t kOptionTftpServerName4 = 66;
constexpr uint16_t kOptionBootFileName4 = 67;
constexpr uint16_t kOptionVendorClass4 = 60;
constexpr uint16_t kOptionBootFileUrl6 = 59;
constexpr uint16_t kOptionVendorClass6 = 16;
constexpr std::string_view kHttpClient = "HTTPClient";

// RFC 8415 21.16: the enterprise number, then one length-prefixed class.
std::string httpClientVendorClass6(uint32_t enterprise) {
    std::string data(4 + 2, '\0');
    data[0] = static_cast<char>(enterprise >> 24);
    data[1] = static_cast<char>(enterprise >> 16);
    data[2] = static_cast<char>(enterprise >> 8);
    data[3] = static_cast<char>(enterprise);
    data[5] = static_cast<char>(kHttpClient.size());
    data += kHttpClient;
    return data;
}

}  // namespace

ReplyPlan planReply(const BootDecision& decision, IpFamily family, const ClientFacts& facts,
                    const GlobalSettings& settings) {
    ReplyPlan plan;
    if (!decision.changesAnswer()) return plan;
    const bool replacesFile = decision.answer != BootDecision::Answer::keepKea;
    if (family == IpFamily::v4) {
        if (replacesFile) {
            plan.fileTooLong = decision.bootFile.size() >= kDhcp4FileFieldSize;
            plan.file = plan.fileTooLong ? std::string() : decision.bootFile;
            // 66 and 67 go out unasked by default: some PXE ROMs read only
            // them. Option 67 is the only place a boot file too long for
            // `file` can go.
            if (!decision.nextServer.empty()) {
                plan.nextServer = decision.nextServer;
                plan.options.push_back({kOptionTftpServerName4, decision.nextServer, !settings.alwaysSendBootOptions});
            }
            std::string file = decision.bootFile;
            if (settings.nulTerminateBootFileOption) file.push_back('\0');
            plan.options.push_back(
                {kOptionBootFileName4, std::move(file), !settings.alwaysSendBootOptions && !plan.fileTooLong});
        }
        if (decision.echoHttpClient) plan.options.push_back({kOptionVendorClass4, std::string(kHttpClient), false});
        return plan;
    }
    // Option 59 goes out whether or not the client's ORO lists it: edk2
    // lists it, but relays and some iPXE builds do not, and without it there
    // is nothing to boot. Option 60 (bootfile-param) is never added: edk2
    // drops an ADVERTISE that carries it.
    if (replacesFile) plan.options.push_back({kOptionBootFileUrl6, decision.bootFileUrl, false});
    if (decision.echoHttpClient) {
        plan.options.push_back({kOptionVendorClass6, httpClientVendorClass6(facts.enterprise), false});
    }
    return plan;
}

}  // namespace netboot
