// netboot-tftpd: configuration, signals, privilege drop; the serving itself
// lives in Server.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

#include "config.h"
#include "log.h"
#include "resolver.h"
#include "server.h"

#ifndef NETBOOT_VERSION
#error "NETBOOT_VERSION comes from the build (common/CMakeLists.txt)"
#endif

namespace {

using namespace netboot::tftpd;

// One descriptor per transfer: lift the soft limit so max-transfers is reachable.
void raise_descriptor_limit(uint32_t max_transfers) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return;
    }
    const rlim_t wanted = static_cast<rlim_t>(max_transfers) * 2 + 64;
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur = std::min(wanted, limit.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// After binding port 69: give up root for good. Under systemd the unit can
// instead run as the user from the start with AmbientCapabilities=
// CAP_NET_BIND_SERVICE, and then no "user" is configured.
void drop_privileges(const std::string& user) {
    errno = 0;
    const passwd* entry = ::getpwnam(user.c_str());
    if (!entry) {
        throw ConfigError("netboot-tftpd.user: no such user '" + user + "'");
    }
    if (::geteuid() != 0) {
        if (::geteuid() == entry->pw_uid) {
            return;
        }
        throw ConfigError("netboot-tftpd.user: switching to '" + user + "' needs root");
    }
    if (::setgroups(0, nullptr) != 0 || ::setgid(entry->pw_gid) != 0 || ::setuid(entry->pw_uid) != 0) {
        throw ConfigError(std::string("cannot drop privileges to '") + user + "': " + std::strerror(errno));
    }
    if (entry->pw_uid != 0 && ::setuid(0) == 0) {
        throw ConfigError("privilege drop did not stick (could regain root)");
    }
    netboot::log::line(netboot::log::Level::Info, "running as user " + user);
}

}  // namespace

int main(int argc, char** argv) {
    netboot::log::setProgram("netboot-tftpd");
    CommandLine command_line;
    Settings initial;
    try {
        command_line = parse_command_line(argc, argv);
        if (command_line.help) {
            std::fputs(usage_text(), stdout);
            return 0;
        }
        if (command_line.version) {
            std::puts(NETBOOT_VERSION);
            return 0;
        }
        initial = load_settings(command_line);
        // The root is part of what -t checks: a typo there fails every boot.
        RootResolver check(initial.root, initial.case_insensitive);
        if (initial.upload_directory) {
            UploadDirectory check_uploads(*initial.upload_directory);
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "netboot-tftpd: %s\n", error.what());
        return 1;
    }
    if (command_line.test_only) {
        std::printf("netboot-tftpd: configuration OK (root %s, %zu listen address%s)\n", initial.root.c_str(),
                    initial.listen.size(), initial.listen.size() == 1 ? "" : "es");
        return 0;
    }
    netboot::log::setLevel(initial.log_level);
    raise_descriptor_limit(initial.max_transfers);
    std::signal(SIGPIPE, SIG_IGN);

    // One thread runs everything, so the reactor needs no per-operation locking.
    boost::asio::io_context io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO);
    auto settings = std::make_shared<const Settings>(initial);
    std::unique_ptr<Server> server;
    try {
        auto resolver = std::make_shared<const RootResolver>(settings->root, settings->case_insensitive);
        std::shared_ptr<const UploadDirectory> uploads;
        if (settings->upload_directory) {
            uploads = std::make_shared<const UploadDirectory>(*settings->upload_directory);
        }
        server = std::make_unique<Server>(io, settings, resolver, uploads);
        server->bind();
        if (settings->user) {
            drop_privileges(*settings->user);
        }
    } catch (const std::exception& error) {
        netboot::log::line(netboot::log::Level::Error, error.what());
        return 1;
    }

    boost::asio::signal_set stop_signals(io, SIGTERM, SIGINT);
    stop_signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
        if (ec) {
            return;
        }
        netboot::log::line(netboot::log::Level::Info, std::string("stopping on ") + ::strsignal(signal_number));
        server->stop();
        netboot::log::line(netboot::log::Level::Info, server->counters_line());
        io.stop();
    });

    boost::asio::signal_set info_signals(io, SIGHUP, SIGUSR1);
    std::function<void()> wait_info;
    wait_info = [&]() {
        info_signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
            if (ec) {
                return;
            }
            if (signal_number == SIGUSR1) {
                netboot::log::line(netboot::log::Level::Info, server->counters_line());
            } else {
                try {
                    auto fresh = std::make_shared<const Settings>(load_settings(command_line));
                    auto resolver = std::make_shared<const RootResolver>(fresh->root, fresh->case_insensitive);
                    std::shared_ptr<const UploadDirectory> uploads;
                    if (fresh->upload_directory) {
                        uploads = std::make_shared<const UploadDirectory>(*fresh->upload_directory);
                    }
                    bool listen_changed = fresh->listen.size() != settings->listen.size();
                    for (size_t i = 0; !listen_changed && i < fresh->listen.size(); ++i) {
                        listen_changed = fresh->listen[i].address != settings->listen[i].address ||
                                         fresh->listen[i].port != settings->listen[i].port;
                    }
                    if (listen_changed || fresh->user != settings->user) {
                        netboot::log::line(netboot::log::Level::Warn, "reload: listen addresses and user change only on restart");
                    }
                    netboot::log::setLevel(fresh->log_level);
                    server->reconfigure(fresh, resolver, uploads);
                    settings = fresh;
                    netboot::log::line(netboot::log::Level::Info, "configuration reloaded");
                } catch (const std::exception& error) {
                    netboot::log::line(netboot::log::Level::Error, std::string("reload failed, keeping the running configuration: ") +
                                                  error.what());
                }
            }
            wait_info();
        });
    };
    wait_info();

    server->start();
    io.run();
    return 0;
}
