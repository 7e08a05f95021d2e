// libFuzzer target over the hook's fact extraction and policy: arbitrary
// option payloads must never crash, throw or yield an answer the policy
// forbids (a boot loader for iPXE, anything for an unassigned architecture).
//
// Input layout: byte 0 picks the family (bit 0) and which options are
// present (bits 1-4); then each present option as <u8 length><payload>.
// Bit 7 adds the DHCPv6 MAC sources after them, the same way: DUID, the
// link-local address, option 79 and Kea's own MAC (each present if bytes
// remain); the derived MAC, or the DUID, is then the client's {mac}.
#include "core/facts.h"
#include "core/policy.h"
#include "core/reply.h"

#include <cstdlib>
#include <string>

using namespace netboot;

namespace {

const BootPolicy& policy() {
    static const BootPolicy instance = [] {
        PolicyLayer d;
        d.tftpBootFiles.emplace("bios", UrlTemplate::parse("undionly.kpxe"));
        d.tftpBootFiles.emplace("efi-x64", UrlTemplate::parse("ipxe.efi"));
        d.tftpBootFiles.emplace("efi-arm64", UrlTemplate::parse("{family}/{arch}.efi"));
        d.httpBootFiles.emplace("efi-x64", UrlTemplate::parse("ipxe.efi"));
        d.ipxeScriptUrl = UrlTemplate::parse("http://{server}/{mac}.ipxe");
        return BootPolicy({}, d);
    }();
    return instance;
}

void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t flags = data[0];
    size_t pos = 1;
    auto next = [&](bool present) -> std::optional<Bytes> {
        if (!present || pos >= size) return std::nullopt;
        size_t length = data[pos++];
        if (length > size - pos) length = size - pos;
        Bytes b{data + pos, length};
        pos += length;
        return b;
    };
    RawOptions raw;
    raw.family = (flags & 1) ? IpFamily::v6 : IpFamily::v4;
    raw.arch = next(flags & 2);
    raw.vendorClass = next(flags & 4);
    raw.userClass = next(flags & 8);
    raw.ipxeEncapsulated = flags & 16;

    const ClientFacts facts = extractFacts(raw);
    if (raw.vendorClass) printable(*raw.vendorClass);
    std::string mac = (flags & 32) ? "52:54:00:00:00:01" : "";
    if (flags & 128) {
        MacSources6 sources;
        sources.duid = next(true);
        sources.linkLocal = next(true);
        sources.relayLinkLayer = next(true);
        sources.kea = next(true);
        const ClientMac derived = deriveClientMac6(sources);
        check((derived.source == MacSource::none) == derived.mac.empty());
        check(derived.mac.size() <= 20);
        if (derived.source == MacSource::linkLocal) check(derived.mac.size() == 6 && !(derived.mac[0] & 1));
        check(!macSourceName(derived.source).empty());
        mac = macOrIdentifier(derived.mac, sources.duid, "duid-");
        check(!mac.empty() || (derived.mac.empty() && (!sources.duid || sources.duid->size == 0)));
    }
    const ExchangeContext exchange{raw.family == IpFamily::v6 ? "2001:db8::1" : "192.0.2.1", mac,
                                   (flags & 64) ? "kea.efi" : ""};
    const BootDecision decision = policy().decide(facts, exchange);

    using Answer = BootDecision::Answer;
    if (!facts.netbootSignal()) check(decision.answer == Answer::none);
    if (facts.ipxe) check(decision.answer == Answer::ipxeScript || decision.answer == Answer::none);
    if (!facts.ipxe && !facts.arch) check(decision.answer == Answer::none);
    if (decision.answer == Answer::tftp) {
        check(facts.arch && facts.transport() == Transport::tftp);
        check(decision.bootFile != "undionly.kpxe" || facts.arch->family == "bios");
    }
    if (decision.answer == Answer::http) check(decision.echoHttpClient && decision.bootFile.rfind("http", 0) == 0);
    if (raw.family == IpFamily::v6 && decision.answer != Answer::none && decision.answer != Answer::keepKea) {
        check(!decision.bootFileUrl.empty());
    }
    // The reply plan: nothing without an answer; a v4 file field that fits
    // (a longer boot file goes in option 67, which Kea splits past 255 bytes).
    const ReplyPlan plan = planReply(decision, raw.family, facts, GlobalSettings{});
    if (!decision.changesAnswer()) check(plan.options.empty() && !plan.file);
    if (plan.file) check(plan.file->size() < kDhcp4FileFieldSize && raw.family == IpFamily::v4);
    for (const ReplyOption& option : plan.options) check(option.code != 0);
    return 0;
}
