#include "assignment_database.h"

#include <asiolink/asio_wrapper.h>
#include <pgsql/pgsql_connection.h>

#include <libpq-fe.h>

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace netboot {

namespace {

struct TimedOut : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A statement's result, cleared however the call ends.
struct Result {
    PGresult* r;
    ~Result() { PQclear(r); }
};

// No statement of ours takes long; one that does is a server or network
// that stopped answering (a partition sends no reset), and the thread waiting
// for it may be Kea's packet thread.
constexpr std::chrono::milliseconds kStatementDeadline{2000};

std::string trimmed(std::string why) {
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return why;
}

// Runs `sql` with text parameters (null where a parameter is nullopt) and
// waits for its result at most kStatementDeadline; throws unless it returned
// `expected`. A statement left unanswered leaves the connection unusable:
// the caller drops it.
Result run(PGconn* connection, const char* sql, const std::vector<std::optional<std::string>>& parameters,
           ExecStatusType expected) {
    std::vector<const char*> values;
    for (const auto& p : parameters) values.push_back(p ? p->c_str() : nullptr);
    if (!PQsendQueryParams(connection, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                           nullptr, 0)) {
        throw std::runtime_error(trimmed(PQerrorMessage(connection)));
    }
    const auto deadline = std::chrono::steady_clock::now() + kStatementDeadline;
    while (PQisBusy(connection)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                                std::chrono::steady_clock::now());
        pollfd ready{PQsocket(connection), POLLIN, 0};
        const int n = left.count() > 0 ? poll(&ready, 1, static_cast<int>(left.count())) : 0;
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw TimedOut("no answer within " + std::to_string(kStatementDeadline.count()) + " ms");
        if (!PQconsumeInput(connection)) throw std::runtime_error(trimmed(PQerrorMessage(connection)));
    }
    Result result{PQgetResult(connection)};
    // A statement has one result; the null after it ends the exchange.
    while (PGresult* more = PQgetResult(connection)) PQclear(more);
    if (PQresultStatus(result.r) != expected) {
        std::string why = trimmed(PQresultErrorMessage(result.r));
        if (why.empty()) why = trimmed(PQerrorMessage(connection));
        throw std::runtime_error(why.empty() ? "the statement failed" : why);
    }
    return result;
}

std::optional<std::string> text(std::optional<int64_t> value) {
    return value ? std::optional<std::string>(std::to_string(*value)) : std::nullopt;
}

Assignment assignmentFrom(const PGresult* r, int row, int firstColumn) {
    Assignment a;
    a.profile = PQgetvalue(r, row, firstColumn);
    a.once = PQgetvalue(r, row, firstColumn + 1)[0] == 't';
    if (!PQgetisnull(r, row, firstColumn + 2)) a.expiresAt = std::stoll(PQgetvalue(r, row, firstColumn + 2));
    a.createdAt = std::stoll(PQgetvalue(r, row, firstColumn + 3));
    return a;
}

// The live rows only, at the time in parameter $n: an expired assignment is
// as good as none.
std::string live(int n) { return "(expires_at IS NULL OR expires_at >= $" + std::to_string(n) + ")"; }

// Kea's connection settings, with the password read from "password-file"
// (at every connection: a changed password needs no reload).
std::map<std::string, std::string> connectionSettings(std::map<std::string, std::string> parameters) {
    auto file = parameters.find("password-file");
    if (file == parameters.end()) return parameters;
    std::ifstream in(file->second);
    std::string password;
    if (!in || !std::getline(in, password)) {
        throw std::runtime_error("password-file " + file->second + ": cannot read it: " + std::strerror(errno));
    }
    parameters["password"] = password;
    parameters.erase(file);
    return parameters;
}

}  // namespace

DatabaseAssignments::DatabaseAssignments(const AssignmentDatabase& settings)
    : parameters_(settings.parameters), description_(settings.describe()) {}

DatabaseAssignments::~DatabaseAssignments() { dropConnection(); }

void DatabaseAssignments::dropConnection() {
    if (!connection_) return;
    // Kea's connection says goodbye to the server (DEALLOCATE, with no time
    // limit) when it is destroyed; to a server that stopped answering that
    // would never end. Shut the socket first, so it fails at once.
    if (PQstatus(*connection_) == CONNECTION_OK && PQsocket(*connection_) >= 0) {
        ::shutdown(PQsocket(*connection_), SHUT_RDWR);
    }
    connection_.reset();
}

template <typename Work>
auto DatabaseAssignments::withConnection(const char* what, Caller caller, Work work) {
    // Kea's own threads (packets, commands) wait only briefly for another
    // call and never connect: a server that does not answer would hold every
    // client. Only the refresher waits as long as it takes, and connects.
    std::unique_lock<std::timed_mutex> lock(mutex_, std::defer_lock);
    if (caller == Caller::refresher) {
        lock.lock();
    } else if (!lock.try_lock_for(caller == Caller::packet ? std::chrono::milliseconds(250)
                                                              : std::chrono::milliseconds(2500))) {
        throw std::runtime_error(description_ + ": " + what + ": busy (the database is slow to answer)");
    }
    try {
        if (!connection_ || PQstatus(*connection_) != CONNECTION_OK) {
            dropConnection();
            if (caller != Caller::refresher) throw std::runtime_error("not connected (reconnecting every second)");
            auto opened = std::make_unique<isc::db::PgSqlConnection>(connectionSettings(parameters_));
            opened->openDatabase();
            Result version = run(*opened, "SELECT version FROM netboot_schema_version", {}, PGRES_TUPLES_OK);
            const int found = PQntuples(version.r) == 1 ? std::atoi(PQgetvalue(version.r, 0, 0)) : -1;
            if (found != kAssignmentSchemaVersion) {
                throw std::runtime_error("schema version " + std::to_string(found) + ", this hook needs " +
                                         std::to_string(kAssignmentSchemaVersion) + " (netboot-admin db-upgrade)");
            }
            connection_ = std::move(opened);
        }
        return work(static_cast<PGconn*>(*connection_));
    } catch (const TimedOut& e) {
        dropConnection();  // its answer may still come, to a statement nobody waits for
        throw std::runtime_error(description_ + ": " + what + ": " + e.what());
    } catch (const std::exception& e) {
        // A lost server shows up as any error here, and a failed statement
        // may leave a transaction open: either way the connection goes, and
        // the refresher opens a new one.
        if (connection_ && (PQstatus(*connection_) != CONNECTION_OK ||
                            PQtransactionStatus(*connection_) != PQTRANS_IDLE)) {
            dropConnection();
        }
        throw std::runtime_error(description_ + ": " + what + ": " + e.what());
    }
}

AssignmentStore DatabaseAssignments::readAll(int64_t now, bool mayConnect) {
    return withConnection("reading assignments", mayConnect ? Caller::refresher : Caller::command, [&](PGconn* c) {
        const std::string sql = "SELECT kind, identifier, profile, once, expires_at, created_at "
                                "FROM netboot_assignment WHERE " + live(1);
        Result r = run(c, sql.c_str(), {std::to_string(now)}, PGRES_TUPLES_OK);
        AssignmentStore store;
        for (int row = 0; row < PQntuples(r.r); ++row) {
            auto kind = hostKeyKind(PQgetvalue(r.r, row, 0));
            auto key = kind ? parseHostKey(*kind, PQgetvalue(r.r, row, 1)) : std::nullopt;
            if (!key) continue;  // the table's CHECKs keep these out
            store.set(*key, assignmentFrom(r.r, row, 2));
        }
        return store;
    });
}

void DatabaseAssignments::set(const HostKey& key, const Assignment& a, int64_t now) {
    withConnection("saving an assignment", Caller::command, [&](PGconn* c) {
        run(c,
            "INSERT INTO netboot_assignment (kind, identifier, profile, once, expires_at, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, identifier) DO UPDATE SET "
            "profile = EXCLUDED.profile, once = EXCLUDED.once, expires_at = EXCLUDED.expires_at, "
            "created_at = EXCLUDED.created_at",
            {std::string(key.kindName()), key.text(), a.profile, std::string(a.once ? "true" : "false"),
             text(a.expiresAt), std::to_string(a.createdAt)},
            PGRES_COMMAND_OK);
        run(c, "DELETE FROM netboot_assignment WHERE expires_at < $1", {std::to_string(now)}, PGRES_COMMAND_OK);
        return 0;
    });
}

bool DatabaseAssignments::erase(const HostKey& key) {
    return withConnection("deleting an assignment", Caller::command, [&](PGconn* c) {
        Result r = run(c, "DELETE FROM netboot_assignment WHERE kind = $1 AND identifier = $2",
                       {std::string(key.kindName()), key.text()}, PGRES_COMMAND_OK);
        return std::string(PQcmdTuples(r.r)) != "0";
    });
}

std::optional<Assignment> DatabaseAssignments::takeOnce(const HostKey& key, int64_t now) {
    return withConnection("using up a once-assignment", Caller::packet, [&](PGconn* c) -> std::optional<Assignment> {
        // Of two daemons deleting the same row, one gets it. In a
        // transaction committed only once the row came back: a server that
        // stops answering before that rolls it back when its client is gone,
        // rather than using up a "once" that nobody served.
        run(c, "BEGIN", {}, PGRES_COMMAND_OK);
        const std::string sql = "DELETE FROM netboot_assignment WHERE kind = $1 AND identifier = $2 AND once AND " +
                                live(3) + " RETURNING profile, once, expires_at, created_at";
        Result r = run(c, sql.c_str(), {std::string(key.kindName()), key.text(), std::to_string(now)},
                       PGRES_TUPLES_OK);
        run(c, "COMMIT", {}, PGRES_COMMAND_OK);
        if (PQntuples(r.r) != 1) return std::nullopt;
        return assignmentFrom(r.r, 0, 0);
    });
}

}  // namespace netboot
