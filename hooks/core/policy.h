// Turns what a client said (ClientFacts) into what to answer (BootDecision).
// Pure and immutable once built, so any number of Kea threads may share one.
#pragma once

#include "facts.h"
#include "url_template.h"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace netboot {

// One level of settings: the hook's parameters, a subnet's or a host
// reservation's user-context "netboot" map. Every field is optional; the
// most specific level that sets a field wins, field by field (and boot file
// by boot file within the per-family maps).
struct PolicyLayer {
    std::optional<bool> enabled;
    // Literal address used for siaddr, option 66 and {server}; without it,
    // the address the client reached.
    std::optional<std::string> serverAddress;
    std::map<std::string, UrlTemplate, std::less<>> tftpBootFiles;  // family -> path
    std::map<std::string, UrlTemplate, std::less<>> httpBootFiles;  // family -> URL or path under httpBaseUrl
    std::optional<UrlTemplate> httpBaseUrl;
    std::optional<UrlTemplate> ipxeScriptUrl;
    // Whether this level's UEFI machines enforce Secure Boot: then a family
    // with a secureBootFiles entry gets that signed loader (shim) instead of
    // its TFTP or HTTP boot file.
    std::optional<bool> secureBoot;
    // family -> path (under the TFTP root, or under httpBaseUrl over HTTP).
    // A profile's own entry tells GRUB, which never asks for an iPXE script,
    // which profile the machine was sent: by the boot file's directory.
    std::map<std::string, UrlTemplate, std::less<>> secureBootFiles;
};

// Whether any template of this level names {mac} (then every client's
// answer is its own).
bool namesMac(const PolicyLayer& layer);

// Settings that only the hook's parameters hold.
struct GlobalSettings {
    // Send options 66/67 even when the client's PRL does not ask for them.
    bool alwaysSendBootOptions = true;
    // End option 67 with a NUL: old Intel UNDI ROMs read past its end.
    bool nulTerminateBootFileOption = true;
    // A boot-file-name / option 59 that the operator set through Kea's own
    // classes or reservations is kept, except where it would break the
    // client (a TFTP name to an HTTPClient, a binary to iPXE).
    bool respectKeaBootFile = true;
};

// What the adapter knows about this exchange beyond the client's options.
struct ExchangeContext {
    // The server address the client reached, unbracketed ("" if unknown).
    std::string serverAddress;
    // "aa:bb:cc:dd:ee:ff", or "" if the client has no hardware address.
    std::string mac;
    // Boot file Kea itself already put in the answer (v4 `file`, v6 option 59).
    std::string keaBootFile;
};

struct BootDecision {
    enum class Answer : uint8_t {
        none,          // leave Kea's answer untouched
        keepKea,       // Kea's own boot file stays; add only the HTTPClient echo if needed
        tftp,          // boot loader over TFTP
        http,          // boot loader over HTTP (UEFI HTTP boot)
        ipxeScript,    // iPXE asking for its script
    };
    Answer answer = Answer::none;
    // v4: `file` and option 67 (a path for TFTP, a URL otherwise).
    std::string bootFile;
    // v6: option 59.
    std::string bootFileUrl;
    // v4: siaddr and option 66 (TFTP only), unbracketed.
    std::string nextServer;
    // Answer with vendor class "HTTPClient" (v4 60, v6 16).
    bool echoHttpClient = false;
    // Why, for the debug log (static text: decisions are made per packet).
    std::string_view why;
    // Set when Kea's own boot file was replaced: what was wrong with it.
    std::string_view replacedKeaBootFile;
    // The last answer of this boot chain: iPXE's script, or a Secure Boot
    // loader (shim and GRUB never ask again). A one-time assignment is used
    // up when such an answer is acknowledged.
    bool endsChain = false;

    bool changesAnswer() const { return answer != Answer::none; }
};

std::string_view answerName(BootDecision::Answer answer);

class BootPolicy {
public:
    BootPolicy(GlobalSettings settings, PolicyLayer defaults,
               std::map<std::string, PolicyLayer, std::less<>> profiles = {});

    const GlobalSettings& settings() const { return settings_; }
    const PolicyLayer& defaults() const { return defaults_; }
    // A named boot profile ("rescue"); "default" is the hook's own settings
    // (no extra layer). Null for an unknown name.
    const PolicyLayer* profile(std::string_view name) const;
    bool hasProfile(std::string_view name) const { return name == kDefaultProfile || profile(name); }
    const std::map<std::string, PolicyLayer, std::less<>>& profiles() const { return profiles_; }
    static constexpr std::string_view kDefaultProfile = "default";

    // The more specific layers, most specific first (a run-time assignment's
    // profile, the host reservation, then the subnet); null entries are
    // skipped. Fixed size: no allocation per packet.
    using Overrides = std::array<const PolicyLayer*, 3>;

    BootDecision decide(const ClientFacts& facts, const ExchangeContext& exchange,
                        const Overrides& overrides = {}) const;

    // Whether any of the hook's own templates names {mac} (the adapter then
    // formats the client's MAC; otherwise it need not).
    bool defaultsNameMac() const { return defaultsNameMac_; }

private:
    GlobalSettings settings_;
    PolicyLayer defaults_;
    std::map<std::string, PolicyLayer, std::less<>> profiles_;
    bool defaultsNameMac_ = false;
};

// Used when no layer sets http-base-url: "http://{server}/".
const UrlTemplate& defaultHttpBaseUrl();

// "2001:db8::1" -> "[2001:db8::1]"; IPv4 addresses and names unchanged.
std::string bracketed(std::string_view address);

}  // namespace netboot
