// netboot-tftpd: configuration, signals, privilege drop; the serving itself
// lives in Server.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>

#include "config.h"
#include "daemon_skeleton.h"
#include "log.h"
#include "resolver.h"
#include "server.h"

#ifndef NETBOOT_VERSION
#error "NETBOOT_VERSION comes from the build (common/CMakeLists.txt)"
#endif

namespace {

using namespace netboot::tftpd;

std::string summary(const Settings& settings) {
    return "root " + settings.root + ", " + std::to_string(settings.listen.size()) + " listen address" +
           (settings.listen.size() == 1 ? "" : "es");
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
        std::printf("netboot-tftpd: configuration OK (%s)\n", summary(initial).c_str());
        return 0;
    }
    netboot::log::setLevel(initial.log_level);
    // One descriptor per transfer.
    netboot::daemon::raiseDescriptorLimit(static_cast<rlim_t>(initial.max_transfers) * 2 + 64);
    std::unique_ptr<netboot::daemon::SignalInbox> inbox;
    try {
        inbox = std::make_unique<netboot::daemon::SignalInbox>();
    } catch (const std::exception& error) {
        netboot::log::line(netboot::log::Level::Error, error.what());
        return 1;
    }

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
            // Under systemd the unit can instead start as the user with
            // AmbientCapabilities=CAP_NET_BIND_SERVICE and configure no user.
            netboot::daemon::dropPrivileges(*settings->user, "netboot-tftpd.user");
        }
    } catch (const std::exception& error) {
        netboot::log::line(netboot::log::Level::Error, error.what());
        return 1;
    }

    auto reload = [&]() {
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
        return summary(*settings);
    };

    // Signals arrive as a readable descriptor, handled between transfers.
    boost::asio::posix::stream_descriptor signals(io, inbox->fd());
    std::function<void()> wait_signals = [&]() {
        signals.async_wait(boost::asio::posix::stream_descriptor::wait_read, [&](const boost::system::error_code& ec) {
            if (ec) {
                return;
            }
            for (auto received = inbox->next(); received.signal != netboot::daemon::Signal::None;
                 received = inbox->next()) {
                switch (received.signal) {
                case netboot::daemon::Signal::Stop:
                    netboot::log::line(netboot::log::Level::Info, "STOPPING",
                                       std::string("on ") + ::strsignal(received.number));
                    server->stop();
                    netboot::log::line(netboot::log::Level::Info, server->counters_line());
                    io.stop();
                    return;
                case netboot::daemon::Signal::Counters:
                    netboot::log::line(netboot::log::Level::Info, server->counters_line());
                    break;
                case netboot::daemon::Signal::Reload: netboot::daemon::reload(reload); break;
                case netboot::daemon::Signal::None: break;
                }
            }
            wait_signals();
        });
    };
    wait_signals();

    server->start();
    io.run();
    signals.release();  // the inbox owns the descriptor
    return 0;
}
