// The Kea adapter: reads ClientFacts out of Kea packets, asks the BootPolicy
// and writes its BootDecision into the response. No policy logic lives here.
#pragma once

#include "config/policy_config.h"
#include "core/assignments.h"
#include "core/facts.h"
#include "core/policy.h"
#include "core/reply.h"
#include "assignment_database.h"
#include "state_file.h"

#include <asiolink/io_address.h>
#include <dhcp/pkt4.h>
#include <dhcp/pkt6.h>
#include <dhcpsrv/subnet_id.h>
#include <hooks/callout_handle.h>

#include <dhcpsrv/srv_config.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace netboot {

// What subnet4_select/subnet6_select learnt, kept in the packet's callout
// context until pkt4_send/pkt6_send.
struct SelectedSubnet {
    isc::dhcp::SubnetID id = 0;
    isc::data::ConstElementPtr netboot;  // the subnet's user-context "netboot", if any
    bool reservationsGlobal = false;
    bool reservationsInSubnet = true;
};

// One answered netboot client, for netboot-status. Kept as the packet path
// has it (the MAC's bytes, names from static tables and the policy) and
// formatted only when someone asks.
struct RecentDecision {
    int64_t time = 0;
    std::vector<uint8_t> mac;
    std::string client;  // the identifier's text, for a client without a MAC
    std::string_view macSource;
    std::string_view arch;
    std::string_view transport;
    bool ipxe = false;
    std::string_view answer;
    std::string bootFile;
    std::string_view profile;
    std::string_view assignment;  // "once", "persistent" or empty
};

// A decision with the options that carry it, made once and reused for every
// client given the same answer: deciding and building options is most of
// what the hook costs per packet.
struct PreparedAnswer {
    BootDecision decision;
    ReplyPlan plan;
    std::optional<isc::asiolink::IOAddress> nextServer;  // plan.nextServer, parsed once
    std::vector<isc::dhcp::OptionPtr> options;           // plan.options, built once
};

class NetbootImpl {
public:
    // Reads the state file or the database; an unusable one is reported by
    // stateError(). With a database, a thread reads it again every second.
    NetbootImpl(HookConfig config, IpFamily family);
    ~NetbootImpl();

    // The netboot-* control commands: a Kea answer ({"result", "text", "arguments"}).
    isc::data::ConstElementPtr command(const std::string& name, const isc::data::ConstElementPtr& args);
    std::string stateError() const;

    // Remembers the subnet Kea selected, for its overrides and host lookups.
    template <typename SubnetPtr>
    void subnetSelected(isc::hooks::CalloutHandle& handle, const SubnetPtr& subnet) const;

    void answer4(isc::hooks::CalloutHandle& handle, const isc::dhcp::Pkt4Ptr& query,
                 const isc::dhcp::Pkt4Ptr& response);
    void answer6(isc::hooks::CalloutHandle& handle, const isc::dhcp::Pkt6Ptr& query,
                 const isc::dhcp::Pkt6Ptr& response);

    // Whether load() registered the subnet callouts (see overridesConfigured).
    void expectSubnetContext(bool expect) { expectSubnetContext_ = expect; }

    // One line for the INFO log at load: what the hook will answer.
    std::string summary() const;
    IpFamily family() const { return family_; }

private:
    using LayerPtr = std::shared_ptr<const PolicyLayer>;

    // The parsed "netboot" user-context map; `describeOwner()` names its
    // subnet or reservation, called only when the map is parsed.
    template <typename DescribeOwner>
    LayerPtr overrideLayer(const isc::data::ConstElementPtr& netboot, DescribeOwner describeOwner);
    bool reservationsMayOverride(const SelectedSubnet& subnet);
    void noteMalformed(const std::string& client, const std::string& label, const std::string& what);
    void count(const ClientFacts& facts, const BootDecision& decision) const;
    using Assigned = std::optional<std::pair<HostKey, Assignment>>;
    // The client's hardware address for {mac}, assignments and the log.
    struct ClientId {
        std::vector<uint8_t> mac;
        MacSource source = MacSource::none;
        // Names a client without a MAC (v4 client identifier, v6 DUID).
        std::optional<Bytes> identifier;
        std::string_view identifierPrefix;
        // The MAC, else "duid-…"/"client-id-…" (see macOrIdentifier).
        std::string text() const { return macOrIdentifier(mac, mac.empty() ? identifier : std::nullopt, identifierPrefix); }
    };
    std::string_view macSourceName(const ClientId& client) const;
    template <typename Query, typename Response, typename VendorText>
    void answerClient(isc::hooks::CalloutHandle& handle, Query& query, Response& response, const ClientFacts& facts,
                      const ClientId& client, std::string_view serverAddress, std::string keaBootFile,
                      VendorText vendorText, bool acknowledged);
    template <typename Query>
    void logDecision(const Query& query, const ClientId& client, const ClientFacts& facts,
                     const std::string& vendorClass, const BootDecision& decision, const Assigned& assigned,
                     const std::string& ignored) const;

    // The settings more specific than the hook's own, for one client.
    struct ClientLayers {
        BootPolicy::Overrides overrides{};  // assignment's profile, reservation, subnet
        LayerPtr host;
        LayerPtr subnet;
        Assigned assigned;
        // An assignment found but not used: its profile is not configured.
        std::string ignored;
        bool needsMac = false;
    };
    template <typename Query>
    ClientLayers layersFor(isc::hooks::CalloutHandle& handle, Query& query, const ClientId& client);
    // The decision for this client and the options carrying it: shared with
    // every client in the same situation, unless a template names {mac}.
    std::shared_ptr<const PreparedAnswer> answerFor(const ClientFacts& facts, const ExchangeContext& exchange,
                                                    const ClientLayers& layers);
    PreparedAnswer prepare(const ClientFacts& facts, const ExchangeContext& exchange,
                           const BootPolicy::Overrides& overrides) const;
    // Statistics and the recent-decisions ring.
    void account(const ClientFacts& facts, const BootDecision& decision, const Assigned& assigned,
                 const std::string& answered, const ClientId& client);
    // The first live assignment among `keys` whose profile exists; one naming
    // an unknown profile is skipped and described in `ignored`.
    Assigned assignmentFor(const std::vector<HostKey>& keys, std::string& ignored) const;
    // Uses up a "once" assignment whose boot chain reached its end; false
    // when it may not be served: another daemon or thread used it up, or the
    // database could not say.
    bool consume(const HostKey& key, const std::string& label);
    void remember(int64_t time, const ClientId& client, const ClientFacts& facts, const BootDecision& decision,
                  const std::string& answered, std::string_view profile, const Assigned& assigned);
    isc::data::ConstElementPtr status() const;
    // The ring of recent decisions, newest first, as decision events.
    isc::data::ElementPtr recentDecisions() const;
    // Takes what the file or the database holds now (see refreshStateLocked).
    void refreshState();
    // With writeMutex_ and storeMutex_ held (storeMutex_ exclusively):
    // notices a state file that changed on disk or became readable again,
    // and takes what it holds now.
    void refreshStateLocked();
    // `mayConnect`: the refresher's call, which alone opens a lost connection.
    void refreshFromDatabase(bool mayConnect);
    void adoptLocked(AssignmentStore store);
    void reportUnknownProfilesLocked() const;
    std::vector<std::pair<HostKey, Assignment>> unknownProfilesLocked() const;
    // The changes made to the store: by the operator (set, erase) and by a
    // boot (takeOnce).
    struct StoreChange {
        enum class Kind { set, erase, takeOnce } kind;
        HostKey key;
        Assignment assignment;  // set
    };
    struct StoreEdit {
        enum class Outcome { written, absent, readOnly, writeFailed } outcome;
        std::string error;                // readOnly, writeFailed: why nothing changed
        std::optional<Assignment> taken;  // takeOnce, written: what was used up
    };
    // The one way the store changes. State file: with writeMutex_, on the
    // file as it is now (refreshed first), never over a file that could not
    // be read; the edited copy is written (temp, fsync, rename) before it
    // replaces the store, so what is answered is what is on disk. Database:
    // one statement, then the same change in the copy the packet path reads.
    StoreEdit change(const StoreChange& change);
    StoreEdit changeFile(const StoreChange& change);
    StoreEdit changeDatabase(const StoreChange& change);
    // An operator's change; null when done, else Kea's answer.
    isc::data::ConstElementPtr changeStore(const StoreChange& change);

    const BootPolicy policy_;
    const IpFamily family_;
    const std::string stateFile_;
    // Set when the site's assignments live in a database, not stateFile_.
    const std::unique_ptr<DatabaseAssignments> database_;
    std::thread refresher_;
    std::mutex refresherMutex_;
    std::condition_variable refresherWake_;
    bool stopping_ = false;

    // Whoever refreshes from or writes the state file (or reads the whole
    // database) holds writeMutex_ for
    // the whole read-change-write, so writers take turns; storeMutex_ guards
    // the store and everything known about its file, and is held exclusively
    // only to swap a written store in: the packet path never waits for the disk.
    std::mutex writeMutex_;
    mutable std::shared_mutex storeMutex_;
    AssignmentStore store_;
    // Non-empty while the file cannot be used: assignments are read-only.
    std::string stateError_;
    // The file as last read or written, to notice changes made by others.
    StateFileStamp stateStamp_;
    // The last change noticed on disk, for netboot-status.
    std::string stateNotice_;
    // Database: counts the changes made through this daemon, so that a
    // refresh that read the table before one does not undo it.
    uint64_t storeGeneration_ = 0;
    // Lets the per-packet path skip all locking while there is no assignment.
    std::atomic<bool> storeEmpty_{true};

    // A ring of slots overwritten in place: after the first laps, keeping a
    // decision allocates nothing.
    mutable std::mutex recentMutex_;
    std::array<RecentDecision, 32> recent_;
    size_t recentNext_ = 0;
    size_t recentCount_ = 0;
    // Without subnet callouts there is no context to read, and reading a
    // missing one costs an exception per packet.
    bool expectSubnetContext_ = false;

    // Parsed user-context maps by identity. The entry holds the element
    // itself, so its address cannot be reused while it is a key.
    std::mutex cacheMutex_;
    std::unordered_map<const isc::data::Element*, std::pair<isc::data::ConstElementPtr, LayerPtr>> overrides_;
    // Which subnets (0 = global) have a reservation with a netboot
    // user-context, for the configuration Kea is running: a host lookup per
    // packet costs as much as the rest of the hook, and is almost never needed.
    std::mutex reservationsMutex_;
    isc::dhcp::SrvConfigPtr indexedConfig_;
    std::set<isc::dhcp::SubnetID> subnetsWithHostOverrides_;
    bool hostBackendInUse_ = false;
    // Clients whose malformed options were logged already (bounded).
    std::mutex malformedMutex_;
    std::unordered_set<std::string> malformedLogged_;
    // Prepared answers by what they depend on; bounded, cleared when full.
    struct AnswerKey {
        uint16_t arch;  // registry code, kNoArch without one
        bool unknownArch;
        VendorKind vendor;
        bool ipxe;
        uint32_t enterprise;
        BootPolicy::Overrides overrides;
        std::string server;
        std::string keaBootFile;
    };
    struct MemoEntry {
        AnswerKey key;
        // The override layers named by address in the key, kept alive so
        // that no other layer can take their address while the entry exists.
        LayerPtr host;
        LayerPtr subnet;
        std::shared_ptr<const PreparedAnswer> answer;
    };
    std::mutex answersMutex_;
    std::vector<MemoEntry> answers_;
};

// Whether any subnet or reservation of `config` carries a "netboot"
// user-context (or reservations live in a database, where we cannot tell).
// Without any, the hook needs no subnet4/6_select callout at all.
bool overridesConfigured(const isc::dhcp::SrvConfig& config, IpFamily family);

// The instance the callouts use; set by load(), cleared by unload().
extern std::shared_ptr<NetbootImpl> impl;

}  // namespace netboot
