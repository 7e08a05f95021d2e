#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "resolver.h"

using namespace netboot::tftpd;
namespace fs = std::filesystem;

namespace {

class tftpdResolver : public ::testing::Test {
protected:
    void SetUp() override {
        char scratch[] = "/tmp/tftpd-resolver-XXXXXX";
        ASSERT_NE(::mkdtemp(scratch), nullptr);
        base_ = scratch;
        root_ = base_ / "root";
        fs::create_directories(root_ / "grub" / "x86_64-efi");
        write(root_ / "ipxe.efi", "IPXE");
        write(root_ / "grub" / "grub.cfg", "menu");
        write(root_ / "Boot" / "BCD", "bcd");
        write(base_ / "secret", "SECRET");
        fs::create_symlink("ipxe.efi", root_ / "inside-link");
        fs::create_symlink("../secret", root_ / "relative-escape");
        fs::create_symlink(base_ / "secret", root_ / "absolute-escape");
        fs::create_directory_symlink(base_, root_ / "dir-escape");
        ASSERT_EQ(::mkfifo((root_ / "fifo").c_str(), 0644), 0);
    }
    void TearDown() override { fs::remove_all(base_); }

    static void write(const fs::path& path, const std::string& text) {
        fs::create_directories(path.parent_path());
        std::ofstream(path) << text;
    }

    static std::string read_all(const OpenedFile& file) {
        std::string data(file.size, '\0');
        EXPECT_EQ(::pread(file.fd.get(), data.data(), data.size(), 0), static_cast<ssize_t>(data.size()));
        return data;
    }

    ErrorCode refusal(const RootResolver& resolver, const std::string& request) {
        auto result = resolver.open_for_read(request);
        EXPECT_TRUE(std::holds_alternative<ProtocolError>(result)) << request;
        return std::holds_alternative<ProtocolError>(result) ? std::get<ProtocolError>(result).code
                                                             : ErrorCode::NotDefined;
    }

    fs::path base_;
    fs::path root_;
};

}  // namespace

TEST_F(tftpdResolver, ServesRegularFilesWithNormalisedNames) {
    RootResolver resolver(root_, false);
    for (const std::string request : {"ipxe.efi", "/ipxe.efi", "./ipxe.efi", "//ipxe.efi", "inside-link"}) {
        auto result = resolver.open_for_read(request);
        ASSERT_TRUE(std::holds_alternative<OpenedFile>(result)) << request;
        EXPECT_EQ(read_all(std::get<OpenedFile>(result)), "IPXE");
    }
    auto result = resolver.open_for_read("\\grub\\grub.cfg");
    ASSERT_TRUE(std::holds_alternative<OpenedFile>(result));
    EXPECT_EQ(std::get<OpenedFile>(result).relative_path, "grub/grub.cfg");
    result = resolver.open_for_read(root_.string() + "/grub/grub.cfg");  // full server path
    ASSERT_TRUE(std::holds_alternative<OpenedFile>(result));
}

TEST_F(tftpdResolver, RefusesEveryEscape) {
    RootResolver resolver(root_, false);
    EXPECT_EQ(refusal(resolver, "../secret"), ErrorCode::AccessViolation);
    EXPECT_EQ(refusal(resolver, "grub/../../secret"), ErrorCode::AccessViolation);
    EXPECT_EQ(refusal(resolver, "..\\secret"), ErrorCode::AccessViolation);
    EXPECT_EQ(refusal(resolver, "grub/.."), ErrorCode::AccessViolation);
    EXPECT_EQ(refusal(resolver, "relative-escape"), ErrorCode::AccessViolation);
    EXPECT_EQ(refusal(resolver, "absolute-escape"), ErrorCode::AccessViolation);
    EXPECT_EQ(refusal(resolver, "dir-escape/secret"), ErrorCode::AccessViolation);
    EXPECT_EQ(refusal(resolver, "fifo"), ErrorCode::AccessViolation);
    EXPECT_EQ(refusal(resolver, "grub"), ErrorCode::AccessViolation);
    EXPECT_EQ(refusal(resolver, "/"), ErrorCode::AccessViolation);
    EXPECT_EQ(refusal(resolver, "."), ErrorCode::AccessViolation);
}

TEST_F(tftpdResolver, AbsolutePathsStayInsideTheRoot) {
    RootResolver resolver(root_, false);
    EXPECT_EQ(refusal(resolver, base_.string() + "/secret"), ErrorCode::FileNotFound);
    EXPECT_EQ(refusal(resolver, "/etc/passwd"), ErrorCode::FileNotFound);
    write(root_ / "etc" / "passwd", "decoy");
    auto result = resolver.open_for_read("/etc/passwd");
    ASSERT_TRUE(std::holds_alternative<OpenedFile>(result));
    EXPECT_EQ(read_all(std::get<OpenedFile>(result)), "decoy");
}

TEST_F(tftpdResolver, DeviceFilesAreRefused) {
    // A symlink to a device inside the root would be an escape anyway; a
    // real device node needs mknod, so only test it when we may create one.
    if (::geteuid() == 0) {
        ASSERT_EQ(::mknod((root_ / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
        RootResolver resolver(root_, false);
        EXPECT_EQ(refusal(resolver, "null"), ErrorCode::AccessViolation);
    }
    int unix_socket = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    ASSERT_GE(unix_socket, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", (root_ / "sock").c_str());
    ASSERT_EQ(::bind(unix_socket, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    RootResolver resolver(root_, false);
    EXPECT_EQ(refusal(resolver, "sock"), ErrorCode::AccessViolation);
    ::close(unix_socket);
}

TEST_F(tftpdResolver, MissingFileIsNotFound) {
    RootResolver resolver(root_, false);
    EXPECT_EQ(refusal(resolver, "nothing.efi"), ErrorCode::FileNotFound);
    EXPECT_EQ(refusal(resolver, "ipxe.efi/sub"), ErrorCode::FileNotFound);
}

TEST_F(tftpdResolver, CaseInsensitiveFallbackOnlyWhenEnabled) {
    RootResolver strict(root_, false);
    EXPECT_EQ(refusal(strict, "boot/bcd"), ErrorCode::FileNotFound);
    RootResolver relaxed(root_, true);
    auto result = relaxed.open_for_read("\\boot\\bcd");
    ASSERT_TRUE(std::holds_alternative<OpenedFile>(result));
    EXPECT_EQ(std::get<OpenedFile>(result).relative_path, "Boot/BCD");
    EXPECT_EQ(refusal(relaxed, "../SECRET"), ErrorCode::AccessViolation);
    EXPECT_EQ(refusal(relaxed, "DIR-ESCAPE/secret"), ErrorCode::AccessViolation);
}

TEST_F(tftpdResolver, RootMustBeADirectory) {
    EXPECT_THROW(RootResolver((root_ / "ipxe.efi").string(), false), std::runtime_error);
    EXPECT_THROW(RootResolver((base_ / "missing").string(), false), std::runtime_error);
}
