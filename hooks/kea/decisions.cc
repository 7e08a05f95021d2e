// The hook's decisions as records: the NETBOOT_DECISION log line and the
// ring of recent decisions netboot-status shows, both as decision events.
#include "impl.h"

#include "clock.h"
#include "decision_event.h"
#include "log.h"

#include <dhcp/pkt4.h>
#include <dhcp/pkt6.h>

namespace netboot {

using isc::data::Element;
using namespace isc::dhcp;

namespace {

std::string_view assignmentKind(bool once) { return once ? "once" : "persistent"; }

// The architecture's slug; "unassigned" for a code the registry lacks,
// "none" when the client sent none.
std::string_view archName(const ClientFacts& facts) {
    return facts.arch ? facts.arch->slug : std::string_view(facts.unknownArch ? "unassigned" : "none");
}

}  // namespace

std::string_view NetbootImpl::macSourceName(const ClientId& client) const {
    if (client.mac.empty()) return {};
    return family_ == IpFamily::v4 ? std::string_view("chaddr") : netboot::macSourceName(client.source);
}

// Building a packet's label is the costliest thing the hook could do per
// packet: called only when the line is really logged.
template <typename Query>
void NetbootImpl::logDecision(const Query& query, const ClientId& client, const ClientFacts& facts,
                              const std::string& vendorClass, const BootDecision& decision,
                              const Assigned& assigned, const std::string& ignored) const {
    DecisionEvent event;
    event.family = serviceName(family_);
    event.packet = query.getLabel();
    if (!client.mac.empty()) event.mac = hexText(client.mac.data(), client.mac.size());
    event.macSource = macSourceName(client);
    event.client = client.text();
    event.arch = archName(facts);
    event.transport = transportName(facts.transport());
    event.ipxe = facts.ipxe;
    if (!vendorClass.empty()) event.vendorClass = vendorClass;
    event.answer = answerName(decision.answer);
    event.bootFile = family_ == IpFamily::v4 ? decision.bootFile : decision.bootFileUrl;
    event.why = decision.why;
    event.keaBootFileReplaced = decision.replacedKeaBootFile;
    event.profile = assigned ? std::string_view(assigned->second.profile) : BootPolicy::kDefaultProfile;
    if (assigned) event.assignment = assignmentKind(assigned->second.once);
    if (!assigned) event.assignmentNotUsed = ignored;
    LOG_DEBUG(netbootLogger, kDebugDecision, NETBOOT_DECISION).arg(toElement(event)->str());
}

void NetbootImpl::remember(int64_t time, const ClientId& client, const ClientFacts& facts,
                           const BootDecision& decision, const std::string& answered, std::string_view profile,
                           const Assigned& assigned) {
    std::lock_guard<std::mutex> lock(recentMutex_);
    RecentDecision& slot = recent_[recentNext_];
    recentNext_ = (recentNext_ + 1) % recent_.size();
    recentCount_ = std::min(recentCount_ + 1, recent_.size());
    slot.time = time;
    slot.mac.assign(client.mac.begin(), client.mac.end());
    if (client.mac.empty()) {
        slot.client = client.text();
    } else {
        slot.client.clear();
    }
    slot.macSource = macSourceName(client);
    slot.arch = archName(facts);
    slot.transport = transportName(facts.transport());
    slot.ipxe = facts.ipxe;
    slot.answer = answerName(decision.answer);
    slot.bootFile.assign(answered);
    slot.profile = profile;
    slot.assignment = assigned ? assignmentKind(assigned->second.once) : std::string_view();
}

isc::data::ElementPtr NetbootImpl::recentDecisions() const {
    isc::data::ElementPtr recent = Element::createList();
    std::lock_guard<std::mutex> lock(recentMutex_);
    for (size_t back = 1; back <= recentCount_; ++back) {  // newest first
        const RecentDecision* it = &recent_[(recentNext_ + recent_.size() - back) % recent_.size()];
        DecisionEvent event;
        event.time = it->time;
        event.family = serviceName(family_);
        if (!it->mac.empty()) event.mac = hexText(it->mac.data(), it->mac.size());
        event.macSource = it->macSource;
        event.client = it->mac.empty() ? it->client : event.mac;
        event.arch = it->arch;
        event.transport = it->transport;
        event.ipxe = it->ipxe;
        event.answer = it->answer;
        event.bootFile = it->bootFile;
        event.profile = it->profile;
        event.assignment = it->assignment;
        recent->add(toElement(event));
    }
    return recent;
}

template void NetbootImpl::logDecision(const Pkt4&, const ClientId&, const ClientFacts&, const std::string&,
                                       const BootDecision&, const Assigned&, const std::string&) const;
template void NetbootImpl::logDecision(const Pkt6&, const ClientId&, const ClientFacts&, const std::string&,
                                       const BootDecision&, const Assigned&, const std::string&) const;


}  // namespace netboot
