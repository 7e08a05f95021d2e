// The assignment service: run-time assignments held in memory, read from
// and written to the state file or the site's database, and looked up and
// used up on the packet path.
#include "impl.h"

#include "clock.h"
#include "log.h"
#include "state_file.h"

#include <chrono>

namespace netboot {

namespace {

// How often a daemon reads the database for what its peers changed: the
// longest a change made through one daemon takes to reach another's packet
// path ("once" is never served twice whatever this is: taking it is one
// statement).
constexpr std::chrono::seconds kDatabaseRefresh{1};

bool sameStore(const AssignmentStore& a, const AssignmentStore& b) {
    if (a.entries().size() != b.entries().size()) return false;
    auto same = [](const auto& x, const auto& y) {
        return x.first == y.first && x.second.profile == y.second.profile && x.second.once == y.second.once &&
               x.second.expiresAt == y.second.expiresAt;
    };
    return std::equal(a.entries().begin(), a.entries().end(), b.entries().begin(), same);
}

}  // namespace

NetbootImpl::NetbootImpl(HookConfig config, IpFamily family)
    : policy_(std::move(config.policy)), family_(family), stateFile_(std::move(config.stateFile)),
      database_(config.database ? std::make_unique<DatabaseAssignments>(*config.database) : nullptr) {
    if (database_) {
        refreshFromDatabase(true);
        refresher_ = std::thread([this] {
            std::unique_lock<std::mutex> lock(refresherMutex_);
            while (!refresherWake_.wait_for(lock, kDatabaseRefresh, [this] { return stopping_; })) {
                lock.unlock();
                refreshFromDatabase(true);
                lock.lock();
            }
        });
        return;
    }
    std::unique_lock<std::shared_mutex> lock(storeMutex_);
    LoadedState loaded = readStateFile(stateFile_);
    stateError_ = loaded.error;
    stateStamp_ = loaded.stamp;
    if (stateError_.empty()) adoptLocked(std::move(loaded.store));
}

NetbootImpl::~NetbootImpl() {
    if (!refresher_.joinable()) return;
    {
        std::lock_guard<std::mutex> lock(refresherMutex_);
        stopping_ = true;
    }
    refresherWake_.notify_all();
    refresher_.join();
}

std::string NetbootImpl::stateError() const {
    std::shared_lock<std::shared_mutex> lock(storeMutex_);
    return stateError_;
}

void NetbootImpl::adoptLocked(AssignmentStore store) {
    store_ = std::move(store);
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

void NetbootImpl::refreshState() {
    if (database_) {
        // While it is unreachable, the refresher alone tries again.
        if (stateError().empty()) refreshFromDatabase(false);
        return;
    }
    std::lock_guard<std::mutex> writer(writeMutex_);
    std::unique_lock<std::shared_mutex> lock(storeMutex_);
    refreshStateLocked();
}

// The database is the truth. While it cannot be read, the packet path keeps
// what was last read (a machine assigned a profile until cleared keeps it
// through a database restart), but a "once" is served only when taking it
// from the database succeeds, and changes are refused: nothing is lost.
void NetbootImpl::refreshFromDatabase(bool mayConnect) {
    // Read without holding any lock of Kea's threads: a database that stops
    // answering holds up only this call. A change made through this daemon
    // meanwhile wins over what was read before it.
    uint64_t generation;
    {
        std::shared_lock<std::shared_mutex> lock(storeMutex_);
        generation = storeGeneration_;
    }
    AssignmentStore read;
    std::string error;
    try {
        read = database_->readAll(now(), mayConnect);
    } catch (const std::exception& e) {
        error = e.what();
    }
    std::unique_lock<std::shared_mutex> lock(storeMutex_);
    if (!error.empty()) {
        if (stateError_.empty()) {
            stateNotice_ = "unreachable since " + std::to_string(now()) + ", serving the assignments last read";
            LOG_ERROR(netbootLogger, NETBOOT_STATE_UNUSABLE).arg(error);
        }
        stateError_ = error;
        return;
    }
    if (!stateError_.empty()) {
        stateError_.clear();
        stateNotice_ = "reachable again since " + std::to_string(now());
        LOG_INFO(netbootLogger, NETBOOT_STATE_USABLE_AGAIN).arg(database_->describe()).arg(read.entries().size());
    }
    if (generation != storeGeneration_ || sameStore(read, store_)) return;
    adoptLocked(std::move(read));
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
        stateStamp_ = loaded.stamp;
        adoptLocked(std::move(loaded.store));
        return;
    }
    if (stampStateFile(stateFile_) == stateStamp_) return;
    LoadedState loaded = readStateFile(stateFile_);
    stateStamp_ = loaded.stamp;
    if (!loaded.error.empty()) {
        stateError_ = "changed on disk while Kea ran: " + loaded.error;
        store_ = AssignmentStore();
        storeEmpty_ = true;
        stateNotice_ = "changed on disk at " + std::to_string(now()) + " and unusable";
        LOG_ERROR(netbootLogger, NETBOOT_STATE_UNUSABLE).arg(stateError_);
        return;
    }
    const size_t count = loaded.store.entries().size();
    stateNotice_ = "changed on disk by someone else, read again at " + std::to_string(now());
    LOG_WARN(netbootLogger, NETBOOT_STATE_CHANGED).arg(stateFile_).arg(count);
    adoptLocked(std::move(loaded.store));
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

NetbootImpl::StoreEdit NetbootImpl::change(const StoreChange& change) {
    return database_ ? changeDatabase(change) : changeFile(change);
}

NetbootImpl::StoreEdit NetbootImpl::changeFile(const StoreChange& change) {
    std::lock_guard<std::mutex> writer(writeMutex_);
    AssignmentStore next;
    {
        std::unique_lock<std::shared_mutex> lock(storeMutex_);
        // Never write over a file someone else changed without looking at it.
        refreshStateLocked();
        if (!stateError_.empty()) return {StoreEdit::Outcome::readOnly, stateError_, {}};
        next = store_;
    }
    const int64_t t = now();
    StoreEdit edit{StoreEdit::Outcome::written, {}, {}};
    switch (change.kind) {
    case StoreChange::Kind::set:
        next.prune(t);
        next.set(change.key, change.assignment);
        break;
    case StoreChange::Kind::erase:
        next.prune(t);
        if (!next.erase(change.key)) return {StoreEdit::Outcome::absent, {}, {}};
        break;
    case StoreChange::Kind::takeOnce:
        edit.taken = next.get(change.key, t);
        // Another thread used it up already.
        if (!edit.taken || !edit.taken->once) return {StoreEdit::Outcome::absent, {}, {}};
        next.erase(change.key);
        break;
    }
    StateFileStamp written;
    try {
        written = writeStateFile(stateFile_, next);
    } catch (const std::exception& e) {
        LOG_ERROR(netbootLogger, NETBOOT_STATE_WRITE_FAILED).arg(e.what());
        return {StoreEdit::Outcome::writeFailed, e.what(), {}};
    }
    std::unique_lock<std::shared_mutex> lock(storeMutex_);
    stateStamp_ = written;
    store_ = std::move(next);
    storeEmpty_ = store_.empty();
    return edit;
}

NetbootImpl::StoreEdit NetbootImpl::changeDatabase(const StoreChange& change) {
    // Unreachable: refused at once, not after a wait (the refresher says
    // when it is back).
    if (std::string error = stateError(); !error.empty()) return {StoreEdit::Outcome::writeFailed, error, {}};
    StoreEdit edit{StoreEdit::Outcome::written, {}, {}};
    try {
        switch (change.kind) {
        case StoreChange::Kind::set: database_->set(change.key, change.assignment, now()); break;
        case StoreChange::Kind::erase:
            if (!database_->erase(change.key)) edit.outcome = StoreEdit::Outcome::absent;
            break;
        case StoreChange::Kind::takeOnce:
            edit.taken = database_->takeOnce(change.key, now());
            if (!edit.taken) edit.outcome = StoreEdit::Outcome::absent;
            break;
        }
    } catch (const std::exception& e) {
        LOG_ERROR(netbootLogger, NETBOOT_STATE_WRITE_FAILED).arg(e.what());
        return {StoreEdit::Outcome::writeFailed, e.what(), {}};
    }
    // What the packet path reads follows at once, not at the next refresh.
    std::unique_lock<std::shared_mutex> lock(storeMutex_);
    ++storeGeneration_;
    if (change.kind == StoreChange::Kind::set) {
        store_.set(change.key, change.assignment);
    } else {
        store_.erase(change.key);
    }
    storeEmpty_ = store_.empty();
    return edit;
}

bool NetbootImpl::consume(const HostKey& key, const std::string& label) {
    const StoreEdit edit = change({StoreChange::Kind::takeOnce, key, {}});
    switch (edit.outcome) {
    case StoreEdit::Outcome::written:
        LOG_INFO(netbootLogger, NETBOOT_ASSIGNMENT_CONSUMED).arg(label).arg(key.text()).arg(edit.taken->profile);
        return true;
    case StoreEdit::Outcome::absent: return false;
    case StoreEdit::Outcome::readOnly:
    case StoreEdit::Outcome::writeFailed:
        if (edit.outcome == StoreEdit::Outcome::readOnly) {  // a failed write is logged where it failed
            LOG_ERROR(netbootLogger, NETBOOT_STATE_WRITE_FAILED).arg("once-assignment of " + key.text() +
                                                                     " not used up: " + edit.error);
        }
        // A state file that cannot be written keeps the assignment, so the
        // next boot gets the profile again; a database that cannot answer
        // may have given it to a peer already.
        return !database_;
    }
    return false;
}

}  // namespace netboot
