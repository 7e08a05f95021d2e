// The daemon skeleton (common/daemon_skeleton.h) and descriptor helpers
// (common/fd.h) both daemons run on.
#include "daemon_skeleton.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "config_reader.h"
#include "fd.h"

namespace {

using netboot::daemon::Signal;

TEST(SignalInbox, HandsOutSignalsInOrderAndNothingWhenNoneArePending) {
    netboot::daemon::SignalInbox inbox;
    EXPECT_EQ(inbox.next().signal, Signal::None);
    ASSERT_EQ(::raise(SIGHUP), 0);  // blocked: pending, not fatal
    ASSERT_EQ(::raise(SIGUSR1), 0);
    ASSERT_EQ(::raise(SIGTERM), 0);
    // signalfd hands out pending standard signals lowest number first.
    EXPECT_EQ(inbox.next().signal, Signal::Reload);
    EXPECT_EQ(inbox.next().signal, Signal::Counters);
    const auto stop = inbox.next();
    EXPECT_EQ(stop.signal, Signal::Stop);
    EXPECT_EQ(stop.number, SIGTERM);
    EXPECT_EQ(inbox.next().signal, Signal::None);
}

TEST(SignalInbox, IgnoresSigpipeSoAClosedPeerIsAnErrorNotADeath) {
    netboot::daemon::SignalInbox inbox;
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    netboot::UniqueFd reader(pipe_fds[0]);
    netboot::UniqueFd writer(pipe_fds[1]);
    reader = netboot::UniqueFd();  // closes the read end
    EXPECT_EQ(::write(writer.get(), "x", 1), -1);
    EXPECT_EQ(errno, EPIPE);
}

TEST(Reload, KeepsTheRunningConfigurationWhenTheNewOneIsRefused) {
    std::string running = "old";
    EXPECT_FALSE(netboot::daemon::reload([&]() -> std::string {
        throw netboot::config::ConfigError("x.conf:3:4: field: bad");
    }));
    EXPECT_EQ(running, "old");
    EXPECT_TRUE(netboot::daemon::reload([&]() {
        running = "new";
        return std::string("x.conf: 1 interface(s)");
    }));
    EXPECT_EQ(running, "new");
}

TEST(DropPrivileges, NamesTheFieldForAnUnknownUser) {
    try {
        netboot::daemon::dropPrivileges("no-such-user-netboot", "netboot-tftpd.user");
        FAIL() << "an unknown user was accepted";
    } catch (const netboot::config::ConfigError& error) {
        EXPECT_EQ(std::string(error.what()), "netboot-tftpd.user: no such user 'no-such-user-netboot'");
    }
}

TEST(DescriptorLimit, RaisesTheSoftLimitButNeverAboveTheHardOne) {
    rlimit before{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &before), 0);
    netboot::daemon::raiseDescriptorLimit(before.rlim_cur + 1);
    rlimit after{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
    EXPECT_EQ(after.rlim_cur, std::min(before.rlim_cur + 1, before.rlim_max));
    netboot::daemon::raiseDescriptorLimit(RLIM_INFINITY);
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
    EXPECT_EQ(after.rlim_cur, before.rlim_max);
}

class TemporaryFile : public ::testing::Test {
protected:
    void SetUp() override {
        char name[] = "/tmp/netboot-fd-test.XXXXXX";
        fd_ = netboot::UniqueFd(::mkstemp(name));
        ASSERT_TRUE(fd_);
        ::unlink(name);
    }
    netboot::UniqueFd fd_;
};

TEST_F(TemporaryFile, WritesAndReadsAtOffsetsAndStopsShortOnlyAtTheEnd) {
    const std::string text = "0123456789";
    ASSERT_TRUE(netboot::writeFullyAt(fd_.get(), text.data(), text.size(), 5));
    char out[32] = {};
    EXPECT_EQ(netboot::readFullyAt(fd_.get(), out, 4, 7), 4u);
    EXPECT_EQ(std::string(out, 4), "2345");
    // 15 bytes in the file: asking for 32 from offset 10 gets the last 5.
    EXPECT_EQ(netboot::readFullyAt(fd_.get(), out, sizeof out, 10), 5u);
    EXPECT_EQ(std::string(out, 5), "56789");
    EXPECT_EQ(netboot::readFullyAt(fd_.get(), out, sizeof out, 100), 0u);
}

TEST(UniqueFd, ClosesWhatItOwnsAndNothingItReleased) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    { netboot::UniqueFd owner(pipe_fds[0]); }
    EXPECT_EQ(::fcntl(pipe_fds[0], F_GETFD), -1);
    int kept;
    {
        netboot::UniqueFd owner(pipe_fds[1]);
        kept = owner.release();
    }
    EXPECT_NE(::fcntl(kept, F_GETFD), -1);
    ::close(kept);
}

TEST(WriteFullyAt, ReportsAFailedWrite) {
    netboot::UniqueFd read_only(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(read_only);
    EXPECT_FALSE(netboot::writeFullyAt(read_only.get(), "x", 1, 0));
    EXPECT_EQ(errno, EBADF);
}

}  // namespace
