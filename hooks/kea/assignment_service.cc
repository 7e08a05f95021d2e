// The assignment service: run-time assignments held in memory, read from
// and written to the state file, and looked up and used up on the packet path.
#include "impl.h"

#include "clock.h"
#include "log.h"
#include "state_file.h"

namespace netboot {

NetbootImpl::NetbootImpl(HookConfig config, IpFamily family)
    : policy_(std::move(config.policy)), family_(family), stateFile_(std::move(config.stateFile)) {
    std::unique_lock<std::shared_mutex> lock(storeMutex_);
    LoadedState loaded = readStateFile(stateFile_);
    stateError_ = loaded.error;
    if (stateError_.empty()) {
        adoptLocked(std::move(loaded));
    } else {
        stateStamp_ = loaded.stamp;
    }
}

std::string NetbootImpl::stateError() const {
    std::shared_lock<std::shared_mutex> lock(storeMutex_);
    return stateError_;
}

void NetbootImpl::adoptLocked(LoadedState loaded) {
    store_ = std::move(loaded.store);
    stateStamp_ = loaded.stamp;
    storeEmpty_ = store_.empty();
    reportUnknownProfilesLocked();
}

std::vector<std::pair<HostKey, Assignment>> NetbootImpl::unknownProfilesLocked() const {
    std::vector<std::pair<HostKey, Assignment>> unknown;
    for (const auto& entry : store_.entries()) {
        if (!policy_.hasProfile(entry.second.profile)) unknown.push_back(entry);
    }
    return unknown;
}

void NetbootImpl::reportUnknownProfilesLocked() const {
    for (const auto& [key, assignment] : unknownProfilesLocked()) {
        LOG_WARN(netbootLogger, NETBOOT_ASSIGNMENT_PROFILE_UNKNOWN)
            .arg(std::string(key.kindName()) + " " + key.text()).arg(assignment.profile);
    }
}

// The file is the truth: at load, and whenever it is found changed, what it
// holds replaces what Kea held. A file that cannot be read is never written
// (the operator may still rescue what is in it) and its assignments are not
// used, exactly as when Kea starts with it: a restart changes nothing.
void NetbootImpl::refreshStateLocked() {
    if (!stateError_.empty()) {
        // Retried at every command, whatever the stamp says: fixing the
        // file's permissions does not change its mtime.
        LoadedState loaded = readStateFile(stateFile_);
        if (!loaded.error.empty()) {
            stateError_ = loaded.error;
            return;
        }
        stateError_.clear();
        const size_t count = loaded.store.entries().size();
        stateNotice_ = "usable again since " + std::to_string(now()) + ", no longer read-only";
        LOG_INFO(netbootLogger, NETBOOT_STATE_USABLE_AGAIN).arg(stateFile_).arg(count);
        adoptLocked(std::move(loaded));
        return;
    }
    if (stampStateFile(stateFile_) == stateStamp_) return;
    LoadedState loaded = readStateFile(stateFile_);
    if (!loaded.error.empty()) {
        stateError_ = "changed on disk while Kea ran: " + loaded.error;
        stateStamp_ = loaded.stamp;
        store_ = AssignmentStore();
        storeEmpty_ = true;
        stateNotice_ = "changed on disk at " + std::to_string(now()) + " and unusable";
        LOG_ERROR(netbootLogger, NETBOOT_STATE_UNUSABLE).arg(stateError_);
        return;
    }
    const size_t count = loaded.store.entries().size();
    stateNotice_ = "changed on disk by someone else, read again at " + std::to_string(now());
    LOG_WARN(netbootLogger, NETBOOT_STATE_CHANGED).arg(stateFile_).arg(count);
    adoptLocked(std::move(loaded));
}

NetbootImpl::Assigned NetbootImpl::assignmentFor(const std::vector<HostKey>& keys, std::string& ignored) const {
    std::shared_lock<std::shared_mutex> lock(storeMutex_);
    const int64_t t = now();
    for (const HostKey& key : keys) {
        auto found = store_.get(key, t);
        if (!found) continue;
        if (!policy_.hasProfile(found->profile)) {
            // Not the default in disguise, and never used up by it.
            if (ignored.empty()) ignored = key.text() + " -> unknown profile '" + found->profile + "'";
            continue;
        }
        return std::make_pair(key, *found);
    }
    return std::nullopt;
}

NetbootImpl::StoreEdit NetbootImpl::editStore(const std::function<bool(AssignmentStore& next)>& edit) {
    std::lock_guard<std::mutex> writer(writeMutex_);
    AssignmentStore next;
    {
        std::unique_lock<std::shared_mutex> lock(storeMutex_);
        // Never write over a file someone else changed without looking at it.
        refreshStateLocked();
        if (!stateError_.empty()) return {StoreEdit::Outcome::readOnly, stateError_};
        next = store_;
    }
    if (!edit(next)) return {StoreEdit::Outcome::unchanged, {}};
    StateFileStamp written;
    try {
        written = writeStateFile(stateFile_, next);
    } catch (const std::exception& e) {
        LOG_ERROR(netbootLogger, NETBOOT_STATE_WRITE_FAILED).arg(e.what());
        return {StoreEdit::Outcome::writeFailed, e.what()};
    }
    std::unique_lock<std::shared_mutex> lock(storeMutex_);
    stateStamp_ = written;
    store_ = std::move(next);
    storeEmpty_ = store_.empty();
    return {StoreEdit::Outcome::written, {}};
}

void NetbootImpl::consume(const HostKey& key, const std::string& label) {
    std::optional<Assignment> used;
    const StoreEdit edit = editStore([&](AssignmentStore& next) {
        used = next.get(key, now());
        if (!used || !used->once) return false;  // another thread used it up already
        next.erase(key);
        return true;
    });
    // Not used up (read-only or not written): kept rather than lost track
    // of; the next boot gets the profile again.
    if (edit.outcome == StoreEdit::Outcome::readOnly) {
        LOG_ERROR(netbootLogger, NETBOOT_STATE_WRITE_FAILED).arg("once-assignment of " + key.text() +
                                                                 " not used up: " + edit.error);
    } else if (edit.outcome == StoreEdit::Outcome::written) {
        LOG_INFO(netbootLogger, NETBOOT_ASSIGNMENT_CONSUMED).arg(label).arg(key.text()).arg(used->profile);
    }
}

}  // namespace netboot
