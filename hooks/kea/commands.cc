// The hook's commands (netboot-status, netboot-assignment-*) and the
// one-line summary logged at load.
#include "impl.h"

#include "clock.h"
#include "log.h"
#include "state_file.h"

#include "config/assignment_json.h"

#include <cc/command_interpreter.h>
#include <stats/stats_mgr.h>

#include <sstream>

namespace netboot {

using isc::data::Element;

isc::data::ConstElementPtr NetbootImpl::changeStore(const StoreChange& what) {
    using isc::config::createAnswer;
    const StoreEdit edit = change(what);
    switch (edit.outcome) {
    case StoreEdit::Outcome::readOnly:
        return createAnswer(isc::config::CONTROL_RESULT_ERROR, "assignments are read-only: " + edit.error);
    case StoreEdit::Outcome::writeFailed:
        return createAnswer(isc::config::CONTROL_RESULT_ERROR, "not saved, nothing changed: " + edit.error);
    case StoreEdit::Outcome::absent:
        return createAnswer(isc::config::CONTROL_RESULT_EMPTY,
                            "no assignment for " + std::string(what.key.kindName()) + " " + what.key.text());
    case StoreEdit::Outcome::written: break;
    }
    return nullptr;
}

isc::data::ConstElementPtr NetbootImpl::command(const std::string& name, const isc::data::ConstElementPtr& args) {
    using isc::config::createAnswer;
    using isc::config::CONTROL_RESULT_EMPTY;
    using isc::config::CONTROL_RESULT_ERROR;
    using isc::config::CONTROL_RESULT_SUCCESS;
    const isc::data::ConstElementPtr noArgs = Element::createMap();
    const isc::data::ConstElementPtr& a = args ? args : noArgs;
    // An assignment as the operator sees it: one whose profile is gone says so.
    auto listed = [this](const HostKey& key, const Assignment& assignment) {
        isc::data::ElementPtr e = assignmentToElement(key, assignment);
        if (!policy_.hasProfile(assignment.profile)) e->set("profile-missing", Element::create(true));
        return e;
    };
    try {
        // Every command looks at the file or database first: read-only ends
        // once it is readable again, and a change made by someone else is seen.
        refreshState();
        if (name == "netboot-status") {
            return createAnswer(CONTROL_RESULT_SUCCESS, "netboot status", status());
        }
        if (name == "netboot-assignment-list") {
            std::shared_lock<std::shared_mutex> lock(storeMutex_);
            isc::data::ElementPtr list = Element::createList();
            const int64_t t = now();
            for (const auto& [key, assignment] : store_.entries()) {
                if (!assignment.expired(t)) list->add(listed(key, assignment));
            }
            isc::data::ElementPtr result = Element::createMap();
            const size_t count = list->size();
            result->set("assignments", list);
            return createAnswer(count ? CONTROL_RESULT_SUCCESS : CONTROL_RESULT_EMPTY,
                                std::to_string(count) + " assignment(s)", result);
        }
        if (name == "netboot-assignment-get") {
            const HostKey key = parseHostKeyArguments(a);
            std::shared_lock<std::shared_mutex> lock(storeMutex_);
            auto found = store_.get(key, now());
            if (!found) {
                return createAnswer(CONTROL_RESULT_EMPTY, "no assignment for " + std::string(key.kindName()) + " " +
                                                              key.text());
            }
            return createAnswer(CONTROL_RESULT_SUCCESS, "assignment found", listed(key, *found));
        }
        if (name == "netboot-assignment-set") {
            const SetRequest request = parseSetArguments(a, policy_, now());
            if (auto failed = changeStore({StoreChange::Kind::set, request.key, request.assignment})) return failed;
            LOG_INFO(netbootLogger, NETBOOT_ASSIGNMENT_SET)
                .arg(request.key.text()).arg(request.assignment.profile).arg(request.assignment.once ? "once" : "until deleted");
            return createAnswer(CONTROL_RESULT_SUCCESS, "assignment set",
                                assignmentToElement(request.key, request.assignment));
        }
        if (name == "netboot-assignment-del") {
            const HostKey key = parseHostKeyArguments(a);
            if (auto answer = changeStore({StoreChange::Kind::erase, key, {}})) return answer;
            LOG_INFO(netbootLogger, NETBOOT_ASSIGNMENT_DELETED).arg(key.text());
            return createAnswer(CONTROL_RESULT_SUCCESS, "assignment deleted");
        }
        return createAnswer(isc::config::CONTROL_RESULT_COMMAND_UNSUPPORTED, "unknown command " + name);
    } catch (const ConfigError& e) {
        return createAnswer(CONTROL_RESULT_ERROR, e.what());
    }
}

isc::data::ConstElementPtr NetbootImpl::status() const {
    isc::data::ElementPtr result = Element::createMap();
    result->set("family", Element::create(std::string(serviceName(family_))));
    result->set("configuration", Element::create(summary()));
    isc::data::ElementPtr profiles = Element::createList();
    profiles->add(Element::create(std::string(BootPolicy::kDefaultProfile)));
    for (const auto& p : policy_.profiles()) profiles->add(Element::create(p.first));
    result->set("profiles", profiles);
    if (database_) {
        result->set("assignment-database", Element::create(database_->describe()));
    } else {
        result->set("state-file", Element::create(stateFile_));
    }
    {
        std::shared_lock<std::shared_mutex> lock(storeMutex_);
        // "ok" only when nothing needs the operator: a usable file whose
        // assignments all name a configured profile.
        const auto unknown = unknownProfilesLocked();
        std::string state = stateError_.empty() ? std::string("ok") : stateError_;
        isc::data::ElementPtr unknownList = Element::createList();
        if (!unknown.empty()) {
            std::string which;
            for (const auto& [key, assignment] : unknown) {
                isc::data::ElementPtr e = assignmentToElement(key, assignment);
                e->set("profile-missing", Element::create(true));
                unknownList->add(e);
                which += (which.empty() ? "" : ", ") + std::string(key.kindName()) + " " + key.text() + " -> '" +
                         assignment.profile + "'";
            }
            const std::string note = std::to_string(unknown.size()) +
                                     " assignment(s) name a profile that is not configured, kept but not used: " + which;
            state = stateError_.empty() ? note : state + "; " + note;
        }
        result->set("state", Element::create(state));
        result->set("assignments-unknown-profile", unknownList);
        if (!stateNotice_.empty()) result->set("state-notice", Element::create(stateNotice_));
        result->set("assignments", Element::create(static_cast<long long>(store_.entries().size())));
    }
    isc::data::ElementPtr counters = Element::createMap();
    isc::data::ConstElementPtr all = isc::stats::StatsMgr::instance().getAll();
    if (all && all->getType() == Element::map) {
        for (const auto& [statName, samples] : all->mapValue()) {
            if (statName.rfind("netboot.", 0) == 0 && samples->getType() == Element::list && samples->size() > 0 &&
                samples->get(0)->getType() == Element::list && samples->get(0)->size() > 0) {
                counters->set(statName, samples->get(0)->get(0));
            }
        }
    }
    result->set("counters", counters);
    result->set("recent", recentDecisions());
    return result;
}

std::string NetbootImpl::summary() const {
    std::ostringstream out;
    const PolicyLayer& d = policy_.defaults();
    out << "server-address " << (d.serverAddress ? *d.serverAddress : std::string("(the address each client reached)"));
    auto files = [&out](const char* what, const auto& map) {
        out << "; " << what << " ";
        if (map.empty()) out << "none";
        bool first = true;
        for (const auto& [family, file] : map) {
            out << (first ? "" : ", ") << family << "=" << file.text();
            first = false;
        }
    };
    files("tftp-boot-files", d.tftpBootFiles);
    files("http-boot-files", d.httpBootFiles);
    out << "; http-base-url " << (d.httpBaseUrl ? d.httpBaseUrl->text() : defaultHttpBaseUrl().text());
    out << "; ipxe-script-url " << (d.ipxeScriptUrl ? d.ipxeScriptUrl->text() : std::string("none (iPXE left to Kea)"));
    const GlobalSettings& s = policy_.settings();
    out << "; always-send-boot-options " << (s.alwaysSendBootOptions ? "true" : "false")
        << "; nul-terminate-boot-file " << (s.nulTerminateBootFileOption ? "true" : "false")
        << "; respect-kea-boot-file " << (s.respectKeaBootFile ? "true" : "false");
    return out.str();
}

}  // namespace netboot
