#include "policy.h"

#include <tuple>

namespace netboot {

namespace {

// Looks a setting up from the most specific layer to the hook's defaults.
class LayerStack {
public:
    LayerStack(const BootPolicy::Overrides& overrides, const PolicyLayer& defaults) {
        for (const PolicyLayer* layer : overrides) {
            if (layer) {
                layers_[count_++] = layer;
            }
        }
        layers_[count_++] = &defaults;
    }

    template <typename T>
    const T* first(std::optional<T> PolicyLayer::*field) const {
        for (size_t i = 0; i < count_; ++i) {
            const PolicyLayer* layer = layers_[i];
            if ((layer->*field).has_value()) {
                return &*(layer->*field);
            }
        }
        return nullptr;
    }

    const UrlTemplate* bootFile(std::map<std::string, UrlTemplate, std::less<>> PolicyLayer::*files,
                                std::string_view family) const {
        for (size_t i = 0; i < count_; ++i) {
            const PolicyLayer* layer = layers_[i];
            auto found = (layer->*files).find(family);
            if (found != (layer->*files).end()) {
                return &found->second;
            }
        }
        return nullptr;
    }

private:
    std::array<const PolicyLayer*, std::tuple_size<BootPolicy::Overrides>::value + 1> layers_{};
    size_t count_ = 0;
};

bool startsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool isHttpUrl(std::string_view s) {
    return startsWith(s, "http://") || startsWith(s, "https://");
}

std::string joinUrl(std::string base, std::string_view path) {
    if (!base.empty() && base.back() == '/') {
        base.pop_back();
    }
    while (!path.empty() && path.front() == '/') {
        path.remove_prefix(1);
    }
    return base + "/" + std::string(path);
}

// Whether Kea's own boot file may stay for this client (see GlobalSettings).
std::optional<std::string_view> keaFileProblem(const ClientFacts& facts, std::string_view keaFile) {
    if (facts.ipxe) {
        if (endsWith(keaFile, ".ipxe") || keaFile.find("://") != std::string_view::npos) {
            return std::nullopt;
        }
        return "is not a script, and iPXE must not be handed a boot loader again";
    }
    if (facts.transport() == Transport::http && !isHttpUrl(keaFile)) {
        return "is not an http(s) URL, which an HTTPClient needs";
    }
    return std::nullopt;
}

}  // namespace

const UrlTemplate& defaultHttpBaseUrl() {
    static const UrlTemplate base = UrlTemplate::parse("http://{server}/");
    return base;
}

std::string_view answerName(BootDecision::Answer answer) {
    switch (answer) {
    case BootDecision::Answer::none: return "none";
    case BootDecision::Answer::keepKea: return "kea-boot-file";
    case BootDecision::Answer::tftp: return "tftp";
    case BootDecision::Answer::http: return "http";
    case BootDecision::Answer::ipxeScript: return "ipxe-script";
    }
    return "none";
}

std::string bracketed(std::string_view address) {
    if (address.find(':') != std::string_view::npos && !startsWith(address, "[")) {
        return "[" + std::string(address) + "]";
    }
    return std::string(address);
}

bool namesMac(const PolicyLayer& layer) {
    auto inMap = [](const std::map<std::string, UrlTemplate, std::less<>>& files) {
        for (const auto& entry : files) {
            if (entry.second.names("mac")) return true;
        }
        return false;
    };
    auto inOne = [](const std::optional<UrlTemplate>& t) { return t.has_value() && t->names("mac"); };
    return inMap(layer.tftpBootFiles) || inMap(layer.httpBootFiles) || inMap(layer.secureBootFiles) ||
           inOne(layer.httpBaseUrl) || inOne(layer.ipxeScriptUrl);
}

const PolicyLayer* BootPolicy::profile(std::string_view name) const {
    auto found = profiles_.find(name);
    return found == profiles_.end() ? nullptr : &found->second;
}

BootPolicy::BootPolicy(GlobalSettings settings, PolicyLayer defaults,
                       std::map<std::string, PolicyLayer, std::less<>> profiles)
    : settings_(settings),
      defaults_(std::move(defaults)),
      profiles_(std::move(profiles)),
      defaultsNameMac_(namesMac(defaults_)) {}

BootDecision BootPolicy::decide(const ClientFacts& facts, const ExchangeContext& exchange,
                                const Overrides& overrides) const {
    using Answer = BootDecision::Answer;
    BootDecision decision;
    if (!facts.netbootSignal()) {
        decision.why = "no netboot signal";
        return decision;
    }
    const LayerStack layers(overrides, defaults_);
    if (const bool* enabled = layers.first(&PolicyLayer::enabled); enabled && !*enabled) {
        decision.why = "netboot disabled for this subnet or host";
        return decision;
    }
    if (!facts.ipxe && !facts.arch) {
        decision.why = facts.unknownArch ? "architecture not in the IANA registry"
                                         : "no client architecture";
        return decision;
    }

    const Transport transport = facts.transport();
    if (settings_.respectKeaBootFile && !exchange.keaBootFile.empty()) {
        if (auto problem = keaFileProblem(facts, exchange.keaBootFile)) {
            decision.replacedKeaBootFile = *problem;
        } else {
            decision.answer = Answer::keepKea;
            decision.echoHttpClient = transport == Transport::http && !facts.ipxe;
            decision.why = "Kea's own boot file kept (set by the operator's classes or reservation)";
            return decision;
        }
    }

    const std::string* configuredServer = layers.first(&PolicyLayer::serverAddress);
    const std::string& server = configuredServer ? *configuredServer : exchange.serverAddress;
    const std::string serverInUrl = bracketed(server);
    const std::string_view family = facts.arch ? facts.arch->family : std::string_view("unknown");
    const TemplateValues values{serverInUrl, exchange.mac.empty() ? std::string_view("unknown") : exchange.mac,
                                facts.arch ? facts.arch->slug : std::string_view("unknown"), family};
    auto withoutServer = [&]() {
        decision.answer = Answer::none;
        decision.why = "no server address known (set server-address)";
        return decision;
    };

    if (facts.ipxe) {
        const UrlTemplate* script = layers.first(&PolicyLayer::ipxeScriptUrl);
        if (!script) {
            decision.why = "iPXE client, but no ipxe-script-url configured";
            return decision;
        }
        if (server.empty() && script->names("server")) {
            return withoutServer();
        }
        decision.answer = Answer::ipxeScript;
        decision.bootFile = script->expand(values);
        decision.bootFileUrl = decision.bootFile;
        decision.why = "iPXE client gets its script";
        decision.endsChain = true;
        return decision;
    }

    // Secure Boot swaps the loader of a family served on this transport; it
    // never makes a family served that was not.
    const bool* secureBoot = layers.first(&PolicyLayer::secureBoot);
    const UrlTemplate* signedLoader =
        secureBoot && *secureBoot ? layers.bootFile(&PolicyLayer::secureBootFiles, family) : nullptr;

    if (transport == Transport::http) {
        const UrlTemplate* file = layers.bootFile(&PolicyLayer::httpBootFiles, family);
        if (!file) {
            decision.why = "no http-boot-files entry for this family";
            return decision;
        }
        file = signedLoader ? signedLoader : file;
        const UrlTemplate* base = nullptr;
        if (!file->isUrl()) {
            base = layers.first(&PolicyLayer::httpBaseUrl);
            base = base ? base : &defaultHttpBaseUrl();
        }
        if (server.empty() && (file->names("server") || (base && base->names("server")))) {
            return withoutServer();
        }
        decision.answer = Answer::http;
        decision.bootFile = base ? joinUrl(base->expand(values), file->expand(values)) : file->expand(values);
        decision.bootFileUrl = decision.bootFile;
        decision.echoHttpClient = true;
        decision.endsChain = signedLoader != nullptr;
        decision.why = signedLoader ? "Secure Boot loader for this family, over HTTP" : "HTTP boot loader for this family";
        return decision;
    }

    const UrlTemplate* file = layers.bootFile(&PolicyLayer::tftpBootFiles, family);
    if (!file) {
        decision.why = "no tftp-boot-files entry for this family";
        return decision;
    }
    file = signedLoader ? signedLoader : file;
    if (server.empty() && (facts.family == IpFamily::v6 || file->names("server"))) {
        return withoutServer();
    }
    decision.answer = Answer::tftp;
    decision.bootFile = file->expand(values);
    decision.nextServer = server;
    if (facts.family == IpFamily::v6) {
        decision.bootFileUrl = joinUrl("tftp://" + serverInUrl, decision.bootFile);
    }
    decision.endsChain = signedLoader != nullptr;
    decision.why = signedLoader ? "Secure Boot loader for this family, over TFTP" : "TFTP boot loader for this family";
    return decision;
}

}  // namespace netboot
