// Per-host boot assignments set at run time ("boot rescue next time"): which
// profile a machine gets, once or until deleted, optionally until a time.
// Pure: no I/O, no clock of its own (callers pass `now`), not locked (the
// adapter serialises access).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netboot {

// How a machine is named: its hardware address, a DUID, or a DHCPv4
// client identifier, as hex bytes.
struct HostKey {
    enum class Kind : uint8_t { hwAddress, duid, clientId };
    Kind kind = Kind::hwAddress;
    std::vector<uint8_t> bytes;

    bool operator<(const HostKey& other) const {
        return kind != other.kind ? kind < other.kind : bytes < other.bytes;
    }
    bool operator==(const HostKey& other) const { return kind == other.kind && bytes == other.bytes; }
    // "hw-address", "duid" or "client-id": the name in commands and files.
    std::string_view kindName() const;
    // "52:54:00:12:34:56": lowercase hex, colon-separated.
    std::string text() const;
};

// "hw-address" -> Kind, nullopt for anything else.
std::optional<HostKey::Kind> hostKeyKind(std::string_view name);

// Parses "52:54:00:12:34:56", "52-54-00-12-34-56" or "525400123456"
// (1 to 128 bytes); nullopt when malformed.
std::optional<HostKey> parseHostKey(HostKey::Kind kind, std::string_view text);

struct Assignment {
    std::string profile;
    // Used by the next boot chain that reaches iPXE's script, then removed.
    bool once = false;
    // Seconds since the epoch after which it no longer applies. The clock
    // reads whole seconds, so it still applies during second expiresAt:
    // "expires-in": N lasts at least N seconds, not anything from 0 to N.
    std::optional<int64_t> expiresAt;
    int64_t createdAt = 0;

    bool expired(int64_t now) const { return expiresAt && now > *expiresAt; }
};

class AssignmentStore {
public:
    void set(const HostKey& key, Assignment assignment) { entries_[key] = std::move(assignment); }
    bool erase(const HostKey& key) { return entries_.erase(key) > 0; }
    std::optional<Assignment> get(const HostKey& key, int64_t now) const;
    // The first live assignment among a client's keys (in the order given).
    std::optional<std::pair<HostKey, Assignment>> find(const std::vector<HostKey>& keys, int64_t now) const;
    // Removes expired entries; returns how many.
    size_t prune(int64_t now);
    const std::map<HostKey, Assignment>& entries() const { return entries_; }
    bool empty() const { return entries_.empty(); }

private:
    std::map<HostKey, Assignment> entries_;
};

}  // namespace netboot
