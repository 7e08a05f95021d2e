// What every daemon of the project does around its own work: signals as
// events it reads when it is ready for them, the open-file limit, giving up
// root after binding, and reloading a configuration without losing the
// running one.
#pragma once

#include <sys/resource.h>

#include <functional>
#include <string>

#include "fd.h"

namespace netboot::daemon {

enum class Signal {
    None,      // nothing pending
    Stop,      // SIGTERM, SIGINT
    Reload,    // SIGHUP
    Counters,  // SIGUSR1
};

// Blocks the four signals above for the process and hands them out through a
// descriptor, so a poll loop or an Asio reactor waits on them like on a
// socket and handles them between packets, never inside one. SIGPIPE is
// ignored: a closed peer shows as EPIPE where it happens. Create it before
// any thread starts (the mask is inherited). Throws std::system_error.
class SignalInbox {
public:
    SignalInbox();
    int fd() const { return fd_.get(); }
    struct Received {
        Signal signal = Signal::None;
        int number = 0;  // for the log: SIGTERM and SIGINT both mean Stop
    };
    // The next pending signal, or Signal::None; never blocks.
    Received next();

private:
    UniqueFd fd_;
};

// One descriptor per transfer or socket: lift the soft limit towards
// `wanted` (never above the hard limit) so a configured maximum is reachable.
void raiseDescriptorLimit(rlim_t wanted);

// After binding privileged ports: become `user` for good (groups, gid, uid),
// and prove root cannot be regained. Already running as that user (a systemd
// unit with User= and AmbientCapabilities=) is fine. Throws
// config::ConfigError naming `field` for a bad user, std::runtime_error when
// the switch fails.
void dropPrivileges(const std::string& user, const std::string& field);

// Runs `apply` (load, check and install a fresh configuration, return a
// one-line summary of it) and logs RELOADED with the summary; on an exception
// logs RELOAD_FAILED with the reason, and the running configuration stays.
// Returns whether the new one is in use.
bool reload(const std::function<std::string()>& apply);

}  // namespace netboot::daemon
