#include "daemon_skeleton.h"

#include <grp.h>
#include <pwd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "config_reader.h"
#include "log.h"

namespace netboot::daemon {

SignalInbox::SignalInbox() {
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t signals;
    sigemptyset(&signals);
    for (int s : {SIGHUP, SIGTERM, SIGINT, SIGUSR1}) {
        sigaddset(&signals, s);
    }
    if (sigprocmask(SIG_BLOCK, &signals, nullptr) != 0) {
        throw std::system_error(errno, std::generic_category(), "sigprocmask");
    }
    fd_ = UniqueFd(signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_) {
        throw std::system_error(errno, std::generic_category(), "signalfd");
    }
}

SignalInbox::Received SignalInbox::next() {
    signalfd_siginfo info{};
    ssize_t n;
    do {
        n = ::read(fd_.get(), &info, sizeof info);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof info)) {
        return {};
    }
    const int number = static_cast<int>(info.ssi_signo);
    switch (number) {
    case SIGHUP: return {Signal::Reload, number};
    case SIGUSR1: return {Signal::Counters, number};
    default: return {Signal::Stop, number};
    }
}

void raiseDescriptorLimit(rlim_t wanted) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) {
        return;
    }
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
}

void dropPrivileges(const std::string& user, const std::string& field) {
    errno = 0;
    const passwd* entry = ::getpwnam(user.c_str());
    if (!entry) {
        throw config::ConfigError(field + ": no such user '" + user + "'");
    }
    if (::geteuid() != 0) {
        if (::geteuid() == entry->pw_uid) {
            return;
        }
        throw config::ConfigError(field + ": switching to '" + user + "' needs root");
    }
    if (::setgroups(0, nullptr) != 0 || ::setgid(entry->pw_gid) != 0 || ::setuid(entry->pw_uid) != 0) {
        throw std::runtime_error("cannot drop privileges to '" + user + "': " + std::strerror(errno));
    }
    if (entry->pw_uid != 0 && ::setuid(0) == 0) {
        throw std::runtime_error("privilege drop did not stick (could regain root)");
    }
    log::line(log::Level::Info, "running as user " + user);
}

bool reload(const std::function<std::string()>& apply) {
    std::string summary;
    try {
        summary = apply();
    } catch (const std::exception& error) {
        log::line(log::Level::Error, "RELOAD_FAILED",
                  std::string("keeping the running configuration: ") + error.what());
        return false;
    }
    log::line(log::Level::Info, "RELOADED", summary);
    return true;
}

}  // namespace netboot::daemon
