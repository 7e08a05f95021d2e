// The packet path: reading what a client sent, finding the settings that
// apply to it, and writing the decision into Kea's response.
#include "impl.h"

#include "clock.h"
#include "kea_compat.h"
#include "log.h"

#include <dhcp/dhcp4.h>
#include <dhcp/dhcp6.h>
#include <dhcp/iface_mgr.h>
#include <dhcp/option4_addrlst.h>
#include <dhcp/option_custom.h>
#include <dhcp/option_int_array.h>
#include <dhcp/option_string.h>
#include <dhcpsrv/cfg_subnets4.h>
#include <dhcpsrv/cfg_subnets6.h>
#include <dhcpsrv/cfgmgr.h>
#include <dhcpsrv/host_mgr.h>
#include <dhcpsrv/subnet.h>
#include <stats/stats_mgr.h>

#include <algorithm>
#include <type_traits>

namespace netboot {

std::shared_ptr<NetbootImpl> impl;

using isc::data::ConstElementPtr;
using isc::data::Element;
using namespace isc::dhcp;

namespace {

constexpr uint16_t kIpxeEncapsulatedOptions = 175;
constexpr size_t kMaxOverrideCache = 4096;
constexpr size_t kMaxMalformedMemory = 4096;
// Distinct answers a site gives without {mac}: a few per family, transport and server.
constexpr size_t kMaxPreparedAnswers = 64;
const char* const kSubnetContext = "netboot-subnet";

// The payload of a received option, read without cloning it. Kea keeps the
// option parsed: a generic option (a DUID, a client identifier, iPXE's user
// class) and a string (a vendor class) hold their bytes as they were on the
// wire and are read in place; an array of 16-bit codes (the architectures)
// is written back into a small buffer; anything else is packed by toBinary().
// The packet outlives the payload, so the option is not co-owned.
class Payload {
public:
    Payload() = default;
    explicit Payload(const Option& received) : present_(true) {
        const bool plain = typeid(received) == typeid(Option) || typeid(received) == typeid(OptionString);
        if (plain && received.getOptions().empty()) {
            const OptionBuffer& data = received.getData();
            bytes_ = Bytes{data.data(), data.size()};
        } else if (const auto* codes = dynamic_cast<const OptionIntArray<uint16_t>*>(&received);
                   codes && received.getOptions().empty() && codes->getValues().size() <= kInlineCodes) {
            size_t size = 0;
            for (uint16_t code : codes->getValues()) {
                inline_[size++] = static_cast<uint8_t>(code >> 8);
                inline_[size++] = static_cast<uint8_t>(code);
            }
            bytes_ = Bytes{inline_.data(), size};
        } else {
            packed_ = received.toBinary(false);
            bytes_ = Bytes{packed_.data(), packed_.size()};
        }
    }
    Payload(const Payload&) = delete;
    Payload& operator=(const Payload&) = delete;

    bool present() const { return present_; }
    std::optional<Bytes> view() const { return present() ? std::optional<Bytes>(bytes_) : std::nullopt; }
    size_t size() const { return bytes_.size; }
    const uint8_t* begin() const { return bytes_.data; }
    const uint8_t* end() const { return bytes_.data + bytes_.size; }
    std::vector<uint8_t> copy() const { return std::vector<uint8_t>(begin(), end()); }

private:
    static constexpr size_t kInlineCodes = 16;
    bool present_ = false;
    std::array<uint8_t, 2 * kInlineCodes> inline_{};
    OptionBuffer packed_;
    Bytes bytes_{};
};

Payload payload(const Pkt& packet, uint16_t code) {
    auto found = packet.options_.find(code);
    if (found == packet.options_.end() || !found->second) {
        return {};
    }
    return Payload(*found->second);
}

bool requested(const Pkt& query, uint16_t listCode, uint16_t code, bool twoByteCodes) {
    Payload list = payload(query, listCode);
    if (!list.present()) return false;
    const uint8_t* b = list.begin();
    if (!twoByteCodes) {
        return std::find(list.begin(), list.end(), code) != list.end();
    }
    for (size_t i = 0; i + 1 < list.size(); i += 2) {
        if ((b[i] << 8 | b[i + 1]) == code) return true;
    }
    return false;
}

// A boot option as an answer carries it: built once per prepared answer and
// shared by every response that carries it, as Kea shares the options of its
// own configuration (packing only reads them).
void replaceOption(Pkt& response, const OptionPtr& option) {
    while (response.delOption(option->getType())) {
    }
    response.addOption(option);
}

std::string trimmedFile(const Pkt4& response) {
    const OptionBuffer file = response.getFile();
    auto end = std::find(file.begin(), file.end(), 0);
    return std::string(file.begin(), end);
}

std::string keaBootUrl(const Pkt6& response) {
    Payload url = payload(response, D6O_BOOTFILE_URL);
    return std::string(url.begin(), url.end());
}

// Dotted quad without IOAddress::toText, which costs more than the decision.
std::string dottedQuad(uint32_t a) {
    std::string text;
    text.reserve(15);
    for (int shift = 24; shift >= 0; shift -= 8) {
        text += std::to_string((a >> shift) & 0xff);
        if (shift) text += '.';
    }
    return text;
}

// The text of the server's addresses, kept per thread: IOAddress::toText
// costs more than the whole decision, and a server answers from a few
// addresses only.
const std::string& addressText(const isc::asiolink::IOAddress& address) {
    struct Entry {
        std::optional<isc::asiolink::IOAddress> address;
        std::string text;
    };
    thread_local std::array<Entry, 8> entries;
    thread_local size_t next = 0;
    for (const Entry& e : entries) {
        if (e.address && *e.address == address) return e.text;
    }
    Entry& e = entries[next++ % entries.size()];
    e.address = address;
    e.text = address.isV4() ? dottedQuad(address.toUint32()) : address.toText();
    return e.text;
}

// The address a v6 client reached: the unicast address it (or its relay)
// sent to, else the first global address of the receiving interface.
std::string_view serverAddress6(const Pkt6Ptr& query) {
    const auto& local = query->getLocalAddr();
    if (local.isV6() && !local.isV6Multicast() && !local.isV6LinkLocal() && !local.isV6Zero()) {
        return addressText(local);
    }
    IfacePtr iface = IfaceMgr::instance().getIface(query);
    if (!iface) return {};
    for (const auto& address : iface->getAddresses()) {
        const auto& a = address.get();
        if (a.isV6() && !a.isV6LinkLocal() && !a.isV6Multicast()) {
            return addressText(a);
        }
    }
    return {};
}

// Kea's server identifier, read where Kea keeps it (an address list, or an
// address field when set through option-data) rather than packed.
std::optional<isc::asiolink::IOAddress> serverIdentifier(const Option& option) {
    if (typeid(option) == typeid(Option4AddrLst)) {
        const auto addresses = static_cast<const Option4AddrLst&>(option).getAddresses();
        if (addresses.size() == 1) return addresses.front();
    } else if (typeid(option) == typeid(OptionCustom)) {
        const auto& custom = static_cast<const OptionCustom&>(option);
        if (custom.getDataFieldsNum() == 1 && custom.getOptions().empty()) {
            try {
                return custom.readAddress(0);
            } catch (const isc::Exception&) {
                // not an address field: read the bytes below
            }
        }
    }
    const OptionBuffer data = option.toBinary(false);
    if (data.size() != 4) return std::nullopt;
    return isc::asiolink::IOAddress(static_cast<uint32_t>(data[0]) << 24 | static_cast<uint32_t>(data[1]) << 16 |
                                    static_cast<uint32_t>(data[2]) << 8 | data[3]);
}

// The address a v4 client reached: Kea's chosen server identifier, else
// the unicast address the query came to ("" when neither is known).
std::string_view serverAddress4(const Pkt4& query, const Pkt4& response) {
    auto found = response.options_.find(DHO_DHCP_SERVER_IDENTIFIER);
    if (found != response.options_.end() && found->second) {
        if (auto id = serverIdentifier(*found->second); id && id->isV4()) return addressText(*id);
    }
    const auto& local = query.getLocalAddr();
    if (local.isV4() && !local.isV4Bcast() && !local.isV4Zero()) {
        return addressText(local);
    }
    return {};
}

// "52:54:00:12:34:56"; HWAddr::toText goes through an ostringstream, which
// costs more per packet than the whole decision.
std::string macText(const HWAddrPtr& hw) {
    if (!hw || hw->hwaddr_.empty()) return std::string();
    return hexText(hw->hwaddr_.data(), hw->hwaddr_.size());
}

// Gathers the bytes a DHCPv6 client's MAC may be read from; the core
// decides which one counts (deriveClientMac6). For a relayed client the
// link-local address and option 79 are those of the relay closest to it,
// the only one that saw its frames.
ClientMac clientMac6(Pkt6& query, std::optional<Bytes> duid) {
    MacSources6 sources;
    sources.duid = duid;
    std::vector<uint8_t> peer;
    std::optional<std::vector<uint8_t>> relayed;
    if (query.relay_info_.empty()) {
        peer = query.getRemoteAddr().toBytes();
    } else {
        const Pkt6::RelayInfo& first = query.relay_info_.back();
        peer = first.peeraddr_.toBytes();
        auto found = first.options_.find(D6O_CLIENT_LINKLAYER_ADDR);
        if (found != first.options_.end() && found->second) relayed = found->second->toBinary(false);
    }
    if (peer.size() == 16) sources.linkLocal = Bytes{peer.data(), peer.size()};
    if (relayed) sources.relayLinkLayer = Bytes{relayed->data(), relayed->size()};
    ClientMac mac = deriveClientMac6(sources);
    if (mac.source != MacSource::none) return mac;
    // Kea's remaining sources (raw, remote-id, subscriber-id, DOCSIS), as
    // the server's mac-sources allow.
    HWAddrPtr hw = query.getMAC(HWAddr::HWADDR_SOURCE_ANY);
    if (hw && !hw->hwaddr_.empty()) {
        sources.kea = Bytes{hw->hwaddr_.data(), hw->hwaddr_.size()};
        mac = deriveClientMac6(sources);
    }
    return mac;
}

// What the client sends for each kind of host identifier (empty: not sent,
// or not a kind of this family).
std::vector<uint8_t> identifier(const Pkt4& query, Host::IdentifierType type) {
    switch (type) {
    case Host::IDENT_HWADDR: {
        HWAddrPtr hw = query.getHWAddr();
        return hw ? hw->hwaddr_ : std::vector<uint8_t>();
    }
    case Host::IDENT_CLIENT_ID: {
        return payload(query, DHO_DHCP_CLIENT_IDENTIFIER).copy();
    }
    case Host::IDENT_DUID: {
        // RFC 4361: client-id type 255, 4-byte IAID, then the DUID.
        Payload id = payload(query, DHO_DHCP_CLIENT_IDENTIFIER);
        if (id.size() > 5 && *id.begin() == 255) {
            return std::vector<uint8_t>(id.begin() + 5, id.end());
        }
        return {};
    }
    default:
        return {};
    }
}

std::vector<uint8_t> identifier(Pkt6& query, Host::IdentifierType type) {
    switch (type) {
    case Host::IDENT_DUID: {
        return payload(query, D6O_CLIENTID).copy();
    }
    case Host::IDENT_HWADDR: {
        HWAddrPtr hw = query.getMAC(HWAddr::HWADDR_SOURCE_ANY);
        return hw ? hw->hwaddr_ : std::vector<uint8_t>();
    }
    default:
        return {};
    }
}

// The reservation Kea would match for this client, in the order of the
// server's host-reservation-identifiers.
template <typename Query>
ConstHostPtr findHost(Query& query, const SelectedSubnet& subnet) {
    constexpr bool v4 = std::is_same_v<Query, Pkt4>;
    const SrvConfigPtr config = CfgMgr::instance().getCurrentCfg();
    const CfgHostOperationsPtr operations = v4 ? config->getCfgHostOperations4() : config->getCfgHostOperations6();
    auto lookup = [](SubnetID id, Host::IdentifierType type, const std::vector<uint8_t>& value) {
        if constexpr (v4) {
            return HostMgr::instance().get4(id, type, value.data(), value.size());
        } else {
            return HostMgr::instance().get6(id, type, value.data(), value.size());
        }
    };
    for (Host::IdentifierType type : operations->getIdentifierTypes()) {
        const std::vector<uint8_t> id = identifier(query, type);
        if (id.empty()) continue;
        if (subnet.reservationsInSubnet && subnet.id != 0) {
            if (ConstHostPtr host = lookup(subnet.id, type, id)) return host;
        }
        if (subnet.reservationsGlobal) {
            if (ConstHostPtr host = lookup(SUBNET_ID_GLOBAL, type, id)) return host;
        }
    }
    return ConstHostPtr();
}

ConstElementPtr netbootContext(const ConstElementPtr& userContext) {
    if (!userContext || userContext->getType() != Element::map) return ConstElementPtr();
    return userContext->get("netboot");
}

std::optional<SelectedSubnet> selectedSubnet(isc::hooks::CalloutHandle& handle) {
    try {
        SelectedSubnet subnet;
        handle.getContext(kSubnetContext, subnet);
        return subnet;
    } catch (const std::exception&) {
        return std::nullopt;  // no subnet4_select for this packet (or another library's context only)
    }
}

}  // namespace

namespace {

// The keys an assignment may be stored under, the hardware address first:
// firmware and iPXE send different DUIDs for the same machine, but the same
// MAC (docs/firmware.md, "iPXE's identity between stages").
template <typename Query>
std::vector<HostKey> hostKeys(Query& query, std::vector<uint8_t> hwAddress) {
    std::vector<HostKey> keys;
    if (!hwAddress.empty()) keys.push_back({HostKey::Kind::hwAddress, std::move(hwAddress)});
    for (auto [kind, type] : {std::pair{HostKey::Kind::clientId, Host::IDENT_CLIENT_ID},
                              std::pair{HostKey::Kind::duid, Host::IDENT_DUID}}) {
        std::vector<uint8_t> id = identifier(query, type);
        if (!id.empty()) keys.push_back({kind, std::move(id)});
    }
    return keys;
}

}  // namespace

template <typename SubnetPtr>
void NetbootImpl::subnetSelected(isc::hooks::CalloutHandle& handle, const SubnetPtr& subnet) const {
    if (!subnet) return;
    SelectedSubnet selected;
    selected.id = subnet->getID();
    selected.netboot = netbootContext(subnet->getContext());
    selected.reservationsGlobal = subnet->getReservationsGlobal();
    selected.reservationsInSubnet = subnet->getReservationsInSubnet();
    handle.setContext(kSubnetContext, selected);
}

template void NetbootImpl::subnetSelected(isc::hooks::CalloutHandle&, const kea::SelectedSubnet4Ptr&) const;
template void NetbootImpl::subnetSelected(isc::hooks::CalloutHandle&, const kea::SelectedSubnet6Ptr&) const;

template <typename DescribeOwner>
NetbootImpl::LayerPtr NetbootImpl::overrideLayer(const ConstElementPtr& netboot, DescribeOwner describeOwner) {
    if (!netboot) return nullptr;
    {
        std::lock_guard<std::mutex> lock(cacheMutex_);
        auto found = overrides_.find(netboot.get());
        if (found != overrides_.end()) return found->second.second;
    }
    LayerPtr layer;
    const std::string owner = describeOwner();
    try {
        layer = std::make_shared<const PolicyLayer>(parseOverride(netboot, family_, owner + " user-context.netboot"));
    } catch (const ConfigError& e) {
        // Logged once: the failed parse is cached as "no override".
        LOG_ERROR(netbootLogger, NETBOOT_BAD_OVERRIDE).arg(owner).arg(e.what());
    }
    std::lock_guard<std::mutex> lock(cacheMutex_);
    if (overrides_.size() >= kMaxOverrideCache) overrides_.clear();
    overrides_.emplace(netboot.get(), std::make_pair(netboot, layer));
    return layer;
}

bool overridesConfigured(const SrvConfig& config, IpFamily family) {
    if (!HostMgr::instance().getHostDataSourceList().empty()) return true;
    auto anyHost = [](const auto& hosts) {
        for (const auto& host : hosts) {
            if (netbootContext(host->getContext())) return true;
        }
        return false;
    };
    ConstCfgHostsPtr hosts = config.getCfgHosts();
    if (family == IpFamily::v4) {
        if (anyHost(hosts->getAll4(SUBNET_ID_GLOBAL))) return true;
        for (const Subnet4Ptr& s : *config.getCfgSubnets4()->getAll()) {
            if (netbootContext(s->getContext()) || anyHost(hosts->getAll4(s->getID()))) return true;
        }
    } else {
        if (anyHost(hosts->getAll6(SUBNET_ID_GLOBAL))) return true;
        for (const Subnet6Ptr& s : *config.getCfgSubnets6()->getAll()) {
            if (netbootContext(s->getContext()) || anyHost(hosts->getAll6(s->getID()))) return true;
        }
    }
    return false;
}

bool NetbootImpl::reservationsMayOverride(const SelectedSubnet& subnet) {
    SrvConfigPtr current = CfgMgr::instance().getCurrentCfg();
    std::lock_guard<std::mutex> lock(reservationsMutex_);
    if (current != indexedConfig_) {
        indexedConfig_ = current;
        subnetsWithHostOverrides_.clear();
        // Reservations in a database cannot be listed cheaply: look them up.
        hostBackendInUse_ = !HostMgr::instance().getHostDataSourceList().empty();
        auto scan = [this](const auto& hosts, SubnetID id) {
            for (const auto& host : hosts) {
                if (netbootContext(host->getContext())) {
                    subnetsWithHostOverrides_.insert(id);
                    return;
                }
            }
        };
        CfgHostsPtr hosts = current->getCfgHosts();
        if (family_ == IpFamily::v4) {
            scan(hosts->getAll4(SUBNET_ID_GLOBAL), SUBNET_ID_GLOBAL);
            for (const Subnet4Ptr& s : *current->getCfgSubnets4()->getAll()) scan(hosts->getAll4(s->getID()), s->getID());
        } else {
            scan(hosts->getAll6(SUBNET_ID_GLOBAL), SUBNET_ID_GLOBAL);
            for (const Subnet6Ptr& s : *current->getCfgSubnets6()->getAll()) scan(hosts->getAll6(s->getID()), s->getID());
        }
    }
    return hostBackendInUse_ ||
           (subnet.reservationsInSubnet && subnetsWithHostOverrides_.count(subnet.id)) ||
           (subnet.reservationsGlobal && subnetsWithHostOverrides_.count(SUBNET_ID_GLOBAL));
}

void NetbootImpl::noteMalformed(const std::string& client, const std::string& label, const std::string& what) {
    isc::stats::StatsMgr::instance().addValue("netboot.malformed", static_cast<int64_t>(1));
    {
        std::lock_guard<std::mutex> lock(malformedMutex_);
        if (malformedLogged_.size() >= kMaxMalformedMemory) malformedLogged_.clear();
        if (!malformedLogged_.insert(client).second) return;
    }
    LOG_WARN(netbootLogger, NETBOOT_MALFORMED_OPTIONS).arg(label).arg(what);
}

template <typename Query>
NetbootImpl::ClientLayers NetbootImpl::layersFor(isc::hooks::CalloutHandle& handle, Query& query,
                                                 const ClientId& client) {
    constexpr bool v4 = std::is_same_v<Query, Pkt4>;
    ClientLayers layers;
    layers.needsMac = policy_.defaultsNameMac();
    if (!storeEmpty_) {
        // DHCPv4: chaddr, as Kea keys its reservations; DHCPv6: the MAC derived for the client.
        layers.assigned = assignmentFor(hostKeys(query, v4 ? identifier(query, Host::IDENT_HWADDR) : client.mac),
                                        layers.ignored);
    }
    if (layers.assigned) {
        layers.overrides[0] = policy_.profile(layers.assigned->second.profile);
        layers.needsMac = layers.needsMac || (layers.overrides[0] && namesMac(*layers.overrides[0]));
    }
    auto subnet = expectSubnetContext_ ? selectedSubnet(handle) : std::nullopt;
    if (!subnet) return layers;
    ConstHostPtr host;
    if (reservationsMayOverride(*subnet)) {
        host = findHost(query, *subnet);
    }
    if (host) {
        layers.host = overrideLayer(netbootContext(host->getContext()), [&] { return "reservation " + host->toText(); });
    }
    layers.subnet = overrideLayer(subnet->netboot, [&] { return "subnet " + std::to_string(subnet->id); });
    layers.overrides[1] = layers.host.get();
    layers.overrides[2] = layers.subnet.get();
    layers.needsMac = layers.needsMac || (layers.host && namesMac(*layers.host)) ||
                      (layers.subnet && namesMac(*layers.subnet));
    return layers;
}

void NetbootImpl::account(const ClientFacts& facts, const BootDecision& decision, const Assigned& assigned,
                          const std::string& answered, const ClientId& client) {
    count(facts, decision);
    std::string_view profile = BootPolicy::kDefaultProfile;
    if (assigned) {
        // The policy's own copy of the name outlives the ring's slot.
        auto known = policy_.profiles().find(assigned->second.profile);
        if (known != policy_.profiles().end()) profile = known->first;
    }
    remember(now(), client, facts, decision, answered, profile, assigned);
}

PreparedAnswer NetbootImpl::prepare(const ClientFacts& facts, const ExchangeContext& exchange,
                                    const BootPolicy::Overrides& overrides) const {
    PreparedAnswer prepared;
    prepared.decision = policy_.decide(facts, exchange, overrides);
    prepared.plan = planReply(prepared.decision, family_, facts, policy_.settings());
    if (!prepared.plan.nextServer.empty()) prepared.nextServer = isc::asiolink::IOAddress(prepared.plan.nextServer);
    const Option::Universe universe = family_ == IpFamily::v4 ? Option::V4 : Option::V6;
    for (const ReplyOption& option : prepared.plan.options) {
        prepared.options.push_back(OptionPtr(
            new Option(universe, option.code, OptionBuffer(option.payload.begin(), option.payload.end()))));
    }
    return prepared;
}

std::shared_ptr<const PreparedAnswer> NetbootImpl::answerFor(const ClientFacts& facts,
                                                             const ExchangeContext& exchange,
                                                             const ClientLayers& layers) {
    if (!exchange.mac.empty()) {
        // A template names {mac}: every client's answer is its own.
        return std::make_shared<const PreparedAnswer>(prepare(facts, exchange, layers.overrides));
    }
    constexpr uint16_t kNoArch = 0xffff;
    const uint16_t arch = facts.arch ? facts.arch->code : kNoArch;
    auto sameKey = [&](const AnswerKey& k) {
        return k.arch == arch && k.unknownArch == facts.unknownArch && k.vendor == facts.vendor &&
               k.ipxe == facts.ipxe && k.enterprise == facts.enterprise && k.overrides == layers.overrides &&
               k.server == exchange.serverAddress && k.keaBootFile == exchange.keaBootFile;
    };
    std::lock_guard<std::mutex> lock(answersMutex_);
    for (const MemoEntry& entry : answers_) {
        if (sameKey(entry.key)) return entry.answer;
    }
    auto answer = std::make_shared<const PreparedAnswer>(prepare(facts, exchange, layers.overrides));
    if (answers_.size() >= kMaxPreparedAnswers) answers_.clear();
    answers_.push_back(MemoEntry{AnswerKey{arch, facts.unknownArch, facts.vendor, facts.ipxe, facts.enterprise,
                                           layers.overrides, exchange.serverAddress, exchange.keaBootFile},
                                 layers.host, layers.subnet, answer});
    return answer;
}

// What both families do once the client is known: its settings, the
// (shared) answer, the decision's log line, statistics and "once", and the
// reply plan copied into Kea's response.
template <typename Query, typename Response, typename VendorText>
void NetbootImpl::answerClient(isc::hooks::CalloutHandle& handle, Query& query, Response& response,
                               const ClientFacts& facts, const ClientId& client, std::string_view serverAddress,
                               std::string keaBootFile, VendorText vendorText, bool acknowledged) {
    constexpr bool v4 = std::is_same_v<Query, Pkt4>;
    ClientLayers layers = layersFor(handle, query, client);
    ExchangeContext exchange{std::string(serverAddress), layers.needsMac ? client.text() : std::string(),
                             std::move(keaBootFile)};
    std::shared_ptr<const PreparedAnswer> prepared = answerFor(facts, exchange, layers);
    // "Once" lasts one boot: used up when the end of the chain (iPXE's
    // script, or a Secure Boot loader) is acknowledged (ACK, REPLY), not by
    // the exchanges before it, their retries or an offer. It is taken before
    // it is answered: of two daemons or threads answering the same machine,
    // the one that did not take it answers as if it had never been set.
    if (layers.assigned && layers.assigned->second.once && usesUpOnce(prepared->decision, acknowledged) &&
        !consume(layers.assigned->first, query.getLabel())) {
        layers.assigned.reset();
        layers.overrides[0] = nullptr;
        prepared = answerFor(facts, exchange, layers);
    }
    const BootDecision& decision = prepared->decision;
    if (netbootLogger.isDebugEnabled(kDebugDecision)) {
        logDecision(query, client, facts, vendorText(), decision, layers.assigned, layers.ignored);
    }
    account(facts, decision, layers.assigned, v4 ? decision.bootFile : decision.bootFileUrl, client);
    if (!decision.changesAnswer()) return;

    const ReplyPlan& plan = prepared->plan;
    if constexpr (v4) {
        if (plan.file) {
            response.setFile(reinterpret_cast<const uint8_t*>(plan.file->data()), plan.file->size());
            if (plan.fileTooLong) {
                LOG_WARN(netbootLogger, NETBOOT_FILE_TOO_LONG).arg(query.getLabel()).arg(decision.bootFile);
            }
        }
        if (prepared->nextServer) response.setSiaddr(*prepared->nextServer);
    }
    constexpr uint16_t requestList = v4 ? uint16_t{DHO_DHCP_PARAMETER_REQUEST_LIST} : uint16_t{D6O_ORO};
    for (size_t i = 0; i < plan.options.size(); ++i) {
        if (plan.options[i].onlyIfRequested && !requested(query, requestList, plan.options[i].code, !v4)) {
            continue;
        }
        replaceOption(response, prepared->options[i]);
    }
}

void NetbootImpl::answer4(isc::hooks::CalloutHandle& handle, const Pkt4Ptr& query, const Pkt4Ptr& response) {
    const uint8_t type = response->getType();
    if (type != DHCPOFFER && type != DHCPACK) return;

    Payload arch = payload(*query, DHO_SYSTEM);
    Payload vendor = payload(*query, DHO_VENDOR_CLASS_IDENTIFIER);
    Payload user = payload(*query, DHO_USER_CLASS);
    RawOptions raw{IpFamily::v4, arch.view(), vendor.view(), user.view(),
                   query->options_.count(kIpxeEncapsulatedOptions) > 0};
    const ClientFacts facts = extractFacts(raw);
    if (!facts.malformed.empty()) {
        noteMalformed(macText(query->getHWAddr()), query->getLabel(), facts.malformed);
    }
    if (!facts.netbootSignal()) return;

    ClientId client;
    client.identifierPrefix = "client-id-";
    if (HWAddrPtr hw = query->getHWAddr(); hw && !hw->hwaddr_.empty()) {
        client.mac = hw->hwaddr_;
        client.source = MacSource::kea;
    }
    // A client without chaddr (hlen 0) is named by its client identifier,
    // so {mac} does not collapse such clients into one "unknown".
    std::optional<Payload> clientId;
    if (client.mac.empty()) {
        auto found = query->options_.find(DHO_DHCP_CLIENT_IDENTIFIER);
        if (found != query->options_.end() && found->second) client.identifier = clientId.emplace(*found->second).view();
    }

    answerClient(handle, *query, *response, facts, client, serverAddress4(*query, *response), trimmedFile(*response),
                 [&vendor] { return vendor.present() ? printable(*vendor.view()) : std::string(); },
                 type == DHCPACK);
}

void NetbootImpl::answer6(isc::hooks::CalloutHandle& handle, const Pkt6Ptr& query, const Pkt6Ptr& response) {
    const uint8_t type = response->getType();
    if (type != DHCPV6_ADVERTISE && type != DHCPV6_REPLY) return;

    Payload arch = payload(*query, D6O_CLIENT_ARCH_TYPE);
    Payload vendor = payload(*query, D6O_VENDOR_CLASS);
    Payload user = payload(*query, D6O_USER_CLASS);
    RawOptions raw{IpFamily::v6, arch.view(), vendor.view(), user.view(), false};
    const ClientFacts facts = extractFacts(raw);
    Payload duid = payload(*query, D6O_CLIENTID);
    if (!facts.malformed.empty()) {
        noteMalformed(duid.present() ? printable(*duid.view()) : macText(query->getMAC(HWAddr::HWADDR_SOURCE_ANY)),
                      query->getLabel(), facts.malformed);
    }
    if (!facts.netbootSignal()) return;

    ClientId client;
    {
        ClientMac mac = clientMac6(*query, duid.view());
        client.mac = std::move(mac.mac);
        client.source = mac.source;
    }
    // Without a MAC the DUID names the machine in {mac}: never one
    // "unknown" shared by every such client.
    client.identifier = duid.view();
    client.identifierPrefix = "duid-";

    answerClient(handle, *query, *response, facts, client, serverAddress6(query), keaBootUrl(*response),
                 [&vendor] {
                     // After the enterprise number and the first class's length.
                     return vendor.size() > 6 ? printable(Bytes{vendor.begin() + 6, vendor.size() - 6}) : std::string();
                 },
                 type == DHCPV6_REPLY);
}

}  // namespace netboot
