// Run-time assignments: key parsing, lookup order, expiry, command
// arguments and the state file format.
#include "config/assignment_json.h"
#include "config/policy_config.h"
#include "core/assignments.h"
#include "kea/state_file.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace netboot;
using isc::data::Element;

TEST(HostKeyParse, AcceptsCommonSpellings) {
    for (const char* text : {"52:54:00:12:34:56", "52-54-00-12-34-56", "525400123456", "52:54:0:12:34:56"}) {
        auto key = parseHostKey(HostKey::Kind::hwAddress, text);
        ASSERT_TRUE(key) << text;
        EXPECT_EQ(key->text(), "52:54:00:12:34:56") << text;
    }
    EXPECT_EQ(parseHostKey(HostKey::Kind::duid, "00:03:00:01:AA:BB")->text(), "00:03:00:01:aa:bb");
}

TEST(HostKeyParse, RefusesMalformed) {
    for (const char* text : {"", ":", "52:54:", "5254001", "52:5g", "123:45", "52::54", "52:54:00:12:34:56:"}) {
        EXPECT_FALSE(parseHostKey(HostKey::Kind::hwAddress, text)) << text;
    }
    EXPECT_FALSE(parseHostKey(HostKey::Kind::duid, std::string(129 * 2, 'a')));
}

TEST(AssignmentStore, FindsFirstLiveKeyInOrder) {
    AssignmentStore store;
    const HostKey mac = *parseHostKey(HostKey::Kind::hwAddress, "52:54:00:00:00:01");
    const HostKey duid = *parseHostKey(HostKey::Kind::duid, "00:04:01:02");
    store.set(duid, {"install", false, std::nullopt, 0});
    store.set(mac, {"rescue", true, 100, 0});
    auto found = store.find({mac, duid}, 50);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->second.profile, "rescue");
    found = store.find({mac, duid}, 100);  // still during its last second
    ASSERT_TRUE(found);
    EXPECT_EQ(found->second.profile, "rescue");
    EXPECT_EQ(store.prune(100), 0u);
    found = store.find({mac, duid}, 101);  // expired after 100: the DUID's applies
    ASSERT_TRUE(found);
    EXPECT_EQ(found->second.profile, "install");
    EXPECT_EQ(store.prune(101), 1u);
    EXPECT_FALSE(store.get(mac, 0));
    EXPECT_TRUE(store.erase(duid));
    EXPECT_TRUE(store.empty());
}

namespace {

BootPolicy policyWithRescue() {
    PolicyLayer d;
    d.ipxeScriptUrl = UrlTemplate::parse("http://{server}/boot.ipxe");
    PolicyLayer rescue;
    rescue.ipxeScriptUrl = UrlTemplate::parse("http://{server}/rescue.ipxe");
    return BootPolicy({}, d, {{"rescue", rescue}});
}

std::string setError(const std::string& json) {
    try {
        parseSetArguments(Element::fromJSON(json), policyWithRescue(), 1000);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(SetArguments, Valid) {
    SetRequest r = parseSetArguments(
        Element::fromJSON(R"({"hw-address": "52:54:00:00:00:01", "profile": "rescue", "once": true, "expires-in": 60})"),
        policyWithRescue(), 1000);
    EXPECT_EQ(r.key.kindName(), "hw-address");
    EXPECT_EQ(r.assignment.profile, "rescue");
    EXPECT_TRUE(r.assignment.once);
    EXPECT_EQ(*r.assignment.expiresAt, 1060);
    EXPECT_NO_THROW(parseSetArguments(Element::fromJSON(R"({"duid": "00:01:02", "profile": "default"})"),
                                      policyWithRescue(), 0));
}

TEST(SetArguments, ErrorsNameTheField) {
    EXPECT_EQ(setError(R"({"hw-address": "52:54:00:00:00:01", "profile": "x"})").rfind("profile: unknown profile 'x' (known: default, rescue)", 0), 0u);
    EXPECT_EQ(setError(R"({"hw-address": "zz", "profile": "rescue"})").rfind("hw-address:", 0), 0u);
    EXPECT_EQ(setError(R"({"hw-address": "52:54:00:00:00:01", "client-id": "01:02", "profile": "rescue"})")
                  .rfind("client-id: give only one", 0), 0u);
    EXPECT_EQ(setError(R"({"hw-address": "52:54:00:00:00:01", "profile": "rescue", "expires-in": 0})")
                  .rfind("expires-in:", 0), 0u);
    EXPECT_EQ(setError(R"({"hw-address": "52:54:00:00:00:01", "profile": "rescue", "expires-in": 1.5})")
                  .rfind("expires-in:", 0), 0u);
    EXPECT_EQ(setError(R"({"hw-address": "52:54:00:00:00:01"})").rfind("profile: missing", 0), 0u);
    EXPECT_EQ(setError(R"({"hw-address": "52:54:00:00:00:01", "profile": "rescue", "onse": true})").rfind("onse:", 0), 0u);
    EXPECT_EQ(setError(R"({"profile": "rescue"})").rfind("arguments: name the machine", 0), 0u);
}

TEST(StateFile, RoundTripsAndReportsDamageByPath) {
    AssignmentStore store;
    store.set(*parseHostKey(HostKey::Kind::hwAddress, "52:54:00:00:00:01"), {"rescue", true, 2000, 1000});
    store.set(*parseHostKey(HostKey::Kind::clientId, "01:52:54:00:00:00:02"), {"default", false, std::nullopt, 5});
    AssignmentStore back = storeFromElement(storeToElement(store), "f");
    ASSERT_EQ(back.entries().size(), 2u);
    auto a = back.get(*parseHostKey(HostKey::Kind::hwAddress, "52:54:00:00:00:01"), 0);
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->once);
    EXPECT_EQ(*a->expiresAt, 2000);
    EXPECT_EQ(a->createdAt, 1000);
    try {
        storeFromElement(Element::fromJSON(R"({"version": 1, "assignments": [{"hw-address": "52:54:00:00:00:01"}]})"),
                         "/var/lib/kea/x.json");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("/var/lib/kea/x.json.assignments[0].profile", 0), 0u) << e.what();
    }
    EXPECT_THROW(storeFromElement(Element::fromJSON(R"({"version": 2, "assignments": []})"), "f"), ConfigError);
}

TEST(HookConfig, ProfilesAndStateFile) {
    HookConfig c = parseHookConfig(Element::fromJSON(R"({"ipxe-script-url": "http://x/",
        "profiles": {"rescue": {"ipxe-script-url": "http://x/rescue.ipxe"}}, "state-file": "/tmp/a.json"})"),
                                   IpFamily::v4);
    EXPECT_TRUE(c.policy.hasProfile("rescue"));
    EXPECT_TRUE(c.policy.hasProfile("default"));
    EXPECT_FALSE(c.policy.hasProfile("x"));
    EXPECT_EQ(c.stateFile, "/tmp/a.json");
    // Inside Debian's AppArmor rule `owner /var/lib/kea/kea-leases{4,6}.csv* rw`
    // (tests/apparmor checks it against the installed profile).
    EXPECT_EQ(parseHookConfig(Element::fromJSON(R"({"ipxe-script-url": "http://x/"})"), IpFamily::v6).stateFile,
              "/var/lib/kea/kea-leases6.csv.netboot-assignments.json");
    EXPECT_EQ(parseHookConfig(Element::fromJSON(R"({"ipxe-script-url": "http://x/"})"), IpFamily::v4).stateFile,
              "/var/lib/kea/kea-leases4.csv.netboot-assignments.json");
    EXPECT_THROW(parseHookConfig(Element::fromJSON(R"({"ipxe-script-url": "http://x/", "profiles": {"default": {}}})"),
                                 IpFamily::v4), ConfigError);
    EXPECT_THROW(parseHookConfig(Element::fromJSON(R"({"ipxe-script-url": "http://x/", "state-file": "rel.json"})"),
                                 IpFamily::v4), ConfigError);
}

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char name[] = "/tmp/netboot-state-XXXXXX";
        path = ::mkdtemp(name);
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

AssignmentStore oneAssignment(const char* profile) {
    AssignmentStore store;
    store.set(*parseHostKey(HostKey::Kind::hwAddress, "52:54:00:00:00:01"), {profile, false, std::nullopt, 1});
    return store;
}

bool exists(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

TEST(StateFile, OldDefaultIsReadUntilTheNewOneExists) {
    EXPECT_EQ(stateMigrationSource(defaultStateFile(IpFamily::v4)), legacyDefaultStateFile(IpFamily::v4));
    EXPECT_EQ(stateMigrationSource(defaultStateFile(IpFamily::v6)), legacyDefaultStateFile(IpFamily::v6));
    EXPECT_EQ(stateMigrationSource("/srv/state.json"), "");  // the operator's own path: read as it is
    EXPECT_EQ(stateMigrationSource(legacyDefaultStateFile(IpFamily::v4)), "");

    TempDir dir;
    const std::string now = dir.path + "/new.json", old = dir.path + "/old.json";
    LoadedState none = readStateFile(now, old);
    EXPECT_TRUE(none.error.empty()) << none.error;
    EXPECT_TRUE(none.store.empty());

    writeStateFile(old, oneAssignment("rescue"));
    LoadedState migrated = readStateFile(now, old);
    EXPECT_TRUE(migrated.error.empty()) << migrated.error;
    EXPECT_EQ(migrated.readFrom, old);
    ASSERT_EQ(migrated.store.entries().size(), 1u);
    EXPECT_EQ(migrated.store.entries().begin()->second.profile, "rescue");

    // The first write goes to the new path; from then on the old file is ignored.
    writeStateFile(now, oneAssignment("install"));
    LoadedState current = readStateFile(now, old);
    EXPECT_EQ(current.readFrom, now);
    ASSERT_EQ(current.store.entries().size(), 1u);
    EXPECT_EQ(current.store.entries().begin()->second.profile, "install");
    writeStateFile(now, AssignmentStore());
    EXPECT_TRUE(readStateFile(now, old).store.empty());  // emptied, not resurrected from the old file
}

// Debian's AppArmor profiles give kea-dhcp4/6 no `r` on /var/lib/kea/, so
// the directory fsync after the rename cannot open the directory there. That
// must not fail the write. Imitated with a directory its writer may write
// and search but not read (mode 0300), as an unprivileged user.
TEST(StateFile, WritesWhereTheDirectoryCannotBeOpened) {
    TempDir dir;
    const std::string inner = dir.path + "/kea";
    ASSERT_EQ(::mkdir(inner.c_str(), 0300), 0);
    const bool root = ::geteuid() == 0;
    if (root) {
        ASSERT_EQ(::chmod(dir.path.c_str(), 0711), 0);
        ASSERT_EQ(::chown(inner.c_str(), 65534, 65534), 0);
    }
    const std::string path = inner + "/kea-leases4.csv.netboot-assignments.json";
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (root && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(10);
        // The situation under AppArmor: the directory cannot be opened.
        if (::open(inner.c_str(), O_RDONLY | O_DIRECTORY) >= 0 || errno != EACCES) ::_exit(11);
        try {
            writeStateFile(path, oneAssignment("rescue"));
        } catch (...) {
            ::_exit(12);
        }
        LoadedState back = readStateFile(path, "");
        ::_exit(back.error.empty() && back.store.entries().size() == 1 ? 0 : 13);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10: cannot drop to nobody, 11: directory readable after all, "
                                         "12: writeStateFile threw, 13: not read back";
    EXPECT_TRUE(exists(path));
    EXPECT_FALSE(exists(stateTempFile(path)));
}

TEST(Policy, AssignedProfileIsTheMostSpecificLayer) {
    BootPolicy policy = policyWithRescue();
    ClientFacts ipxe;
    ipxe.arch = lookupArchitecture(7);
    ipxe.ipxe = true;
    PolicyLayer host;
    host.ipxeScriptUrl = UrlTemplate::parse("http://{server}/host.ipxe");
    const ExchangeContext ex{"192.0.2.1", "", ""};
    EXPECT_EQ(policy.decide(ipxe, ex, {policy.profile("rescue"), &host, nullptr}).bootFile,
              "http://192.0.2.1/rescue.ipxe");
    EXPECT_EQ(policy.decide(ipxe, ex, {nullptr, &host, nullptr}).bootFile, "http://192.0.2.1/host.ipxe");
}

// A write that fails part-way (here: the file size limit, as a full disk
// would) changes nothing: the old file stays, and no temp file is left to
// hold the space the next write needs.
TEST(StateFile, AFailedWriteLeavesTheOldFileAndNoTempFile) {
    TempDir dir;
    const std::string path = dir.path + "/kea-leases4.csv.netboot-assignments.json";
    writeStateFile(path, oneAssignment("rescue"));
    AssignmentStore big;
    for (int i = 0; i < 200; ++i) {
        char mac[32];
        std::snprintf(mac, sizeof mac, "52:54:00:00:%02x:%02x", i / 256, i % 256);
        big.set(*parseHostKey(HostKey::Kind::hwAddress, mac), {"rescue", false, std::nullopt, 1});
    }
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing
        rlimit limit{4096, 4096};
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(10);
        try {
            writeStateFile(path, big);
        } catch (const std::exception& e) {
            ::_exit(std::string(e.what()).find("cannot write") == 0 ? 0 : 11);
        }
        ::_exit(12);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10: no rlimit, 11: another error, 12: the write did not fail";
    LoadedState back = readStateFile(path, "");
    EXPECT_TRUE(back.error.empty()) << back.error;
    EXPECT_EQ(back.store.entries().size(), 1u);
    EXPECT_FALSE(exists(stateTempFile(path)));
}
