// Run-time assignments in a PostgreSQL database shared by every Kea daemon
// (both families, every HA peer) of a site: connected through Kea's own
// database library (libkea-pgsql) with Kea's connection settings, queried
// with libpq. Each call is one statement, so the database, not the hook,
// decides who used a "once" assignment up.
#pragma once

#include "config/policy_config.h"
#include "core/assignments.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace isc::db {
class PgSqlConnection;
}

namespace netboot {

// The schema this hook reads and writes (hooks/sql/netboot-pgsql.sql).
constexpr int kAssignmentSchemaVersion = 1;

class DatabaseAssignments {
public:
    explicit DatabaseAssignments(const AssignmentDatabase& settings);
    ~DatabaseAssignments();

    // Every call throws std::runtime_error saying what failed, and no
    // statement is waited for longer than two seconds. Only readAll with
    // `mayConnect` (the refresher's) opens a lost connection again: the
    // others run on Kea's threads, which must not wait for a connection.
    AssignmentStore readAll(int64_t now, bool mayConnect);
    void set(const HostKey& key, const Assignment& assignment, int64_t now);
    bool erase(const HostKey& key);
    // Deletes the key's live "once" assignment and returns it; nullopt when
    // there is none (another daemon used it up, or it was never "once").
    // Called on Kea's packet path: it never connects, and waits at most a
    // quarter of a second for another call to finish.
    std::optional<Assignment> takeOnce(const HostKey& key, int64_t now);

    const std::string& describe() const { return description_; }

private:
    enum class Caller { packet, command, refresher };
    template <typename Work>
    auto withConnection(const char* what, Caller caller, Work work);
    void dropConnection();

    std::map<std::string, std::string> parameters_;
    std::string description_;
    std::timed_mutex mutex_;
    std::unique_ptr<isc::db::PgSqlConnection> connection_;
};

}  // namespace netboot
