#include "assignments.h"

namespace netboot {

namespace {

constexpr size_t kMaxKeyBytes = 128;

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string_view HostKey::kindName() const {
    switch (kind) {
    case Kind::hwAddress: return "hw-address";
    case Kind::duid: return "duid";
    case Kind::clientId: return "client-id";
    }
    return "hw-address";
}

std::string HostKey::text() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (uint8_t b : bytes) {
        if (!out.empty()) out += ':';
        out += kHex[b >> 4];
        out += kHex[b & 0xf];
    }
    return out;
}

std::optional<HostKey::Kind> hostKeyKind(std::string_view name) {
    if (name == "hw-address") return HostKey::Kind::hwAddress;
    if (name == "duid") return HostKey::Kind::duid;
    if (name == "client-id") return HostKey::Kind::clientId;
    return std::nullopt;
}

std::optional<HostKey> parseHostKey(HostKey::Kind kind, std::string_view text) {
    HostKey key{kind, {}};
    const bool separated = text.find_first_of(":-") != std::string_view::npos;
    size_t pos = 0;
    while (pos < text.size()) {
        // With separators, a group may be one or two digits ("0:1a"); without, always two.
        size_t end = separated ? text.find_first_of(":-", pos) : pos + 2;
        if (end == std::string_view::npos) end = text.size();
        const std::string_view group = text.substr(pos, end - pos);
        if (group.empty() || group.size() > 2 || end > text.size()) return std::nullopt;
        int value = 0;
        for (char c : group) {
            const int digit = hexValue(c);
            if (digit < 0) return std::nullopt;
            value = value * 16 + digit;
        }
        key.bytes.push_back(static_cast<uint8_t>(value));
        if (key.bytes.size() > kMaxKeyBytes) return std::nullopt;
        pos = end;
        if (separated && pos < text.size()) {
            ++pos;
            if (pos == text.size()) return std::nullopt;  // trailing separator
        }
    }
    if (key.bytes.empty()) return std::nullopt;
    return key;
}

std::optional<Assignment> AssignmentStore::get(const HostKey& key, int64_t now) const {
    auto found = entries_.find(key);
    if (found == entries_.end() || found->second.expired(now)) return std::nullopt;
    return found->second;
}

std::optional<std::pair<HostKey, Assignment>> AssignmentStore::find(const std::vector<HostKey>& keys,
                                                                   int64_t now) const {
    for (const HostKey& key : keys) {
        auto found = entries_.find(key);
        if (found != entries_.end() && !found->second.expired(now)) {
            return *found;
        }
    }
    return std::nullopt;
}

size_t AssignmentStore::prune(int64_t now) {
    size_t removed = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.expired(now)) {
            it = entries_.erase(it);
            ++removed;
        } else {
            ++it;
        }
    }
    return removed;
}

}  // namespace netboot
