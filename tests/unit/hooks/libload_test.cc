// Loads the built libdhcp_netboot.so through Kea's own HooksManager, as
// kea-dhcp4/6 do, and calls its callouts on packets: the adapter's tests
// below the real-server integration suite (and the ones ASan runs).
#include <dhcp/dhcp4.h>
#include <dhcp/dhcp6.h>
#include <dhcp/option4_addrlst.h>
#include <dhcp/option_custom.h>
#include <dhcp/option_definition.h>
#include <dhcp/option_string.h>
#include <dhcp/pkt4.h>
#include <dhcp/pkt6.h>
#include <hooks/callout_manager.h>
#include <hooks/hooks_manager.h>
#include <log/logger_support.h>
#include <log/logger_unittest_support.h>
#include <process/daemon.h>
#include <stats/stats_mgr.h>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/syscall.h>
#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <thread>
#include <unistd.h>

using namespace isc::dhcp;
using namespace isc::hooks;
using isc::data::Element;

namespace {

const char* const kLibrary = NETBOOT_HOOK_LIBRARY;

// The hook's answer of type `type` to a DHCPv6 query.
Pkt6Ptr respond6(const Pkt6Ptr& query, uint8_t type) {
    Pkt6Ptr response(new Pkt6(type, query->getTransid()));
    CalloutHandlePtr handle = HooksManager::createCalloutHandle();
    handle->setArgument("query6", query);
    handle->setArgument("response6", response);
    HooksManager::callCallouts(HooksManager::registerHook("pkt6_send"), *handle);
    return response;
}

class HookLoad : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        setenv("KEA_LOCKFILE_DIR", "none", 1);
        isc::log::initLogger();
        HooksManager::registerHook("pkt4_send");
        HooksManager::registerHook("pkt6_send");
        HooksManager::registerHook("subnet4_select");
        HooksManager::registerHook("subnet6_select");
    }

    void TearDown() override {
        HooksManager::prepareUnloadLibraries();
        HooksManager::unloadLibraries();
    }

    bool load(const std::string& daemon, const std::string& params) {
        isc::process::Daemon::setProcName(daemon);
        HookLibsCollection libs{{kLibrary, Element::fromJSON(params)}};
        return HooksManager::loadLibraries(libs);
    }

    static OptionPtr raw4(uint16_t code, const std::vector<uint8_t>& data) {
        return OptionPtr(new Option(Option::V4, code, data));
    }

    // The hook's OFFER to a client of architecture `arch`, from the server
    // `serverId` names, with `keaFile` as Kea's own boot file.
    static Pkt4Ptr offer4(uint8_t arch, const OptionPtr& serverId = raw4(DHO_DHCP_SERVER_IDENTIFIER, {192, 0, 2, 1}),
                          const std::string& keaFile = "") {
        Pkt4Ptr query(new Pkt4(DHCPDISCOVER, 1234));
        query->addOption(raw4(DHO_SYSTEM, {0, arch}));
        Pkt4Ptr response(new Pkt4(DHCPOFFER, 1234));
        response->addOption(serverId);
        if (!keaFile.empty()) response->setFile(reinterpret_cast<const uint8_t*>(keaFile.data()), keaFile.size());
        CalloutHandlePtr handle = HooksManager::createCalloutHandle();
        handle->setArgument("query4", query);
        handle->setArgument("response4", response);
        HooksManager::callCallouts(HooksManager::registerHook("pkt4_send"), *handle);
        return response;
    }
    static std::string file(const Pkt4Ptr& response) {
        const OptionBuffer file = response->getFile();
        return std::string(file.begin(), std::find(file.begin(), file.end(), 0));
    }
};

const char* const kParams = R"({"tftp-boot-files": {"efi-x64": "ipxe.efi"},
                                 "http-boot-files": {"efi-x64": "ipxe.efi"},
                                 "ipxe-script-url": "http://{server}/boot.ipxe"})";

}  // namespace

TEST_F(HookLoad, ValidatesLikeKeaTest) {
    EXPECT_TRUE(HooksManager::validateLibraries({kLibrary}).empty());
}

TEST_F(HookLoad, RefusesBadParameters) {
    EXPECT_FALSE(load("kea-dhcp4", R"({"tftp-boot-files": {"efi-x64": 1}})"));
}

TEST_F(HookLoad, RefusesOtherDaemons) {
    EXPECT_FALSE(load("kea-ctrl-agent", kParams));
}

TEST_F(HookLoad, AnswersV4PxeAndHttp) {
    ASSERT_TRUE(load("kea-dhcp4", kParams));
    for (uint8_t arch : {7, 0x10}) {
        Pkt4Ptr response = offer4(arch);
        const std::string text = file(response);
        if (arch == 7) {
            EXPECT_EQ(text, "ipxe.efi");
            EXPECT_EQ(response->getSiaddr().toText(), "192.0.2.1");
            ASSERT_TRUE(response->getOption(DHO_TFTP_SERVER_NAME));
        } else {
            EXPECT_EQ(text, "http://192.0.2.1/ipxe.efi");
            OptionPtr vc = response->getOption(DHO_VENDOR_CLASS_IDENTIFIER);
            ASSERT_TRUE(vc);
            EXPECT_EQ(std::string(vc->getData().begin(), vc->getData().end()), "HTTPClient");
        }
        OptionPtr o67 = response->getOption(DHO_BOOT_FILE_NAME);
        ASSERT_TRUE(o67);
        EXPECT_EQ(o67->getData().back(), 0);
    }
}

// Answers are prepared once and shared by every client in the same
// situation: what an answer depends on must still tell them apart.
TEST_F(HookLoad, SharedAnswersFollowWhatTheyDependOn) {
    ASSERT_TRUE(load("kea-dhcp4", kParams));
    struct Answer {
        std::string file;
        std::string siaddr;
        std::string option66;
    };
    auto offer = [&](uint8_t arch, const OptionPtr& serverId, const std::string& keaFile = "") {
        Pkt4Ptr response = offer4(arch, serverId, keaFile);
        OptionPtr o66 = response->getOption(DHO_TFTP_SERVER_NAME);
        return Answer{file(response), response->getSiaddr().toText(),
                      o66 ? std::string(o66->getData().begin(), o66->getData().end()) : std::string("none")};
    };
    // The server identifier as Kea makes it (an address list), as option-data
    // makes it (an address field), and as raw bytes.
    const OptionPtr first(new Option4AddrLst(DHO_DHCP_SERVER_IDENTIFIER, isc::asiolink::IOAddress("192.0.2.1")));
    OptionDefinition def("dhcp-server-identifier", DHO_DHCP_SERVER_IDENTIFIER, "dhcp4", "ipv4-address");
    OptionCustomPtr second(new OptionCustom(def, Option::V4));
    second->writeAddress(isc::asiolink::IOAddress("198.51.100.1"));
    const OptionPtr raw = raw4(DHO_DHCP_SERVER_IDENTIFIER, {192, 0, 2, 1});

    Answer a = offer(7, first);
    EXPECT_EQ(a.file, "ipxe.efi");
    EXPECT_EQ(a.siaddr, "192.0.2.1");
    EXPECT_EQ(a.option66, "192.0.2.1");
    a = offer(7, second);
    EXPECT_EQ(a.file, "ipxe.efi");
    EXPECT_EQ(a.siaddr, "198.51.100.1");
    EXPECT_EQ(a.option66, "198.51.100.1");
    EXPECT_EQ(offer(0x10, raw).file, "http://192.0.2.1/ipxe.efi");
    EXPECT_EQ(offer(0x10, second).file, "http://198.51.100.1/ipxe.efi");
    a = offer(7, raw);
    EXPECT_EQ(a.file, "ipxe.efi");
    EXPECT_EQ(a.siaddr, "192.0.2.1");
    // A boot file set by the operator's own Kea configuration stays.
    a = offer(7, first, "kea.efi");
    EXPECT_EQ(a.file, "kea.efi");
    EXPECT_EQ(a.option66, "none");
    EXPECT_EQ(offer(7, first).file, "ipxe.efi");
}

// The hook keeps its statistics and updates them in place: Kea's
// statistic-remove and statistic-reset must still take effect.
TEST_F(HookLoad, StatisticsFollowKeasRemoveAndReset) {
    ASSERT_TRUE(load("kea-dhcp4", kParams));
    auto offer = [] { offer4(7); };
    isc::stats::StatsMgr& stats = isc::stats::StatsMgr::instance();
    const std::string name = "netboot.efi-x64.tftp";
    auto value = [&] {
        isc::stats::ObservationPtr o = stats.getObservation(name);
        return o ? o->getInteger().first : -1;
    };
    stats.removeAll();
    offer();
    offer();
    EXPECT_EQ(value(), 2);
    ASSERT_TRUE(stats.del(name));
    EXPECT_EQ(value(), -1);
    offer();
    EXPECT_EQ(value(), 1);
    ASSERT_TRUE(stats.reset(name));
    EXPECT_EQ(value(), 0);
    offer();
    offer();
    EXPECT_EQ(value(), 2);
    stats.removeAll();
    offer();
    EXPECT_EQ(value(), 1);
}

TEST_F(HookLoad, LeavesNakAndNonNetbootAlone) {
    ASSERT_TRUE(load("kea-dhcp4", kParams));
    const int index = HooksManager::registerHook("pkt4_send");
    Pkt4Ptr query(new Pkt4(DHCPREQUEST, 1));
    query->addOption(raw4(DHO_SYSTEM, {0, 7}));
    Pkt4Ptr nak(new Pkt4(DHCPNAK, 1));
    CalloutHandlePtr handle = HooksManager::createCalloutHandle();
    handle->setArgument("query4", query);
    handle->setArgument("response4", nak);
    HooksManager::callCallouts(index, *handle);
    EXPECT_FALSE(nak->getOption(DHO_BOOT_FILE_NAME));

    Pkt4Ptr phone(new Pkt4(DHCPDISCOVER, 2));
    Pkt4Ptr offer(new Pkt4(DHCPOFFER, 2));
    handle = HooksManager::createCalloutHandle();
    handle->setArgument("query4", phone);
    handle->setArgument("response4", offer);
    HooksManager::callCallouts(index, *handle);
    EXPECT_FALSE(offer->getOption(DHO_BOOT_FILE_NAME));
    EXPECT_EQ(offer->getSiaddr().toText(), "0.0.0.0");
}

TEST_F(HookLoad, AnswersV6HttpWithEnterpriseEcho) {
    ASSERT_TRUE(load("kea-dhcp6", R"({"server-address": "2001:db8::1", "http-boot-files": {"efi-x64": "ipxe.efi"}})"));
    // 9999, not edk2's 343, then 343: each answer must echo its own.
    for (const std::pair<uint8_t, uint8_t> enterprise : {std::make_pair(0x27, 0x0f), std::make_pair(0x01, 0x57)}) {
        Pkt6Ptr query(new Pkt6(DHCPV6_SOLICIT, 77));
        query->addOption(OptionPtr(new Option(Option::V6, D6O_CLIENT_ARCH_TYPE, OptionBuffer{0, 0x10})));
        const std::string vc = "HTTPClient:Arch:00016:UNDI:003000";
        OptionBuffer vcData(6 + vc.size());
        vcData[2] = enterprise.first;
        vcData[3] = enterprise.second;
        vcData[5] = static_cast<uint8_t>(vc.size());
        std::copy(vc.begin(), vc.end(), vcData.begin() + 6);
        query->addOption(OptionPtr(new Option(Option::V6, D6O_VENDOR_CLASS, vcData)));
        Pkt6Ptr response = respond6(query, DHCPV6_ADVERTISE);
        OptionPtr url = response->getOption(D6O_BOOTFILE_URL);
        ASSERT_TRUE(url);
        EXPECT_EQ(std::string(url->getData().begin(), url->getData().end()), "http://[2001:db8::1]/ipxe.efi");
        OptionPtr echo = response->getOption(D6O_VENDOR_CLASS);
        ASSERT_TRUE(echo);
        const OptionBuffer expected{0, 0, enterprise.first, enterprise.second, 0, 10,
                                    'H', 'T', 'T', 'P', 'C', 'l', 'i', 'e', 'n', 't'};
        EXPECT_EQ(echo->getData(), expected);
        EXPECT_FALSE(response->getOption(D6O_BOOTFILE_PARAM));
    }
}

TEST_F(HookLoad, MalformedOptionsNeverThrowOutOfTheCallout) {
    ASSERT_TRUE(load("kea-dhcp4", kParams));
    const int index = HooksManager::registerHook("pkt4_send");
    const std::vector<std::vector<uint8_t>> arches = {{}, {7}, {0, 7, 0}, std::vector<uint8_t>(255, 0xff)};
    for (const auto& arch : arches) {
        Pkt4Ptr query(new Pkt4(DHCPDISCOVER, 3));
        query->addOption(raw4(DHO_SYSTEM, arch));
        query->addOption(raw4(DHO_USER_CLASS, {9, 'i'}));
        query->addOption(raw4(DHO_VENDOR_CLASS_IDENTIFIER, {0xff, 0xfe}));
        Pkt4Ptr response(new Pkt4(DHCPOFFER, 3));
        CalloutHandlePtr handle = HooksManager::createCalloutHandle();
        handle->setArgument("query4", query);
        handle->setArgument("response4", response);
        EXPECT_NO_THROW(HooksManager::callCallouts(index, *handle));
        EXPECT_EQ(handle->getStatus(), CalloutHandle::NEXT_STEP_CONTINUE);
    }
}

TEST_F(HookLoad, NoSubnetCalloutWithoutOverrides) {
    // The staging configuration of this test process has no subnets or
    // reservations with a netboot user-context: no per-packet subnet callout.
    ASSERT_TRUE(load("kea-dhcp4", kParams));
    EXPECT_FALSE(HooksManager::calloutsPresent(HooksManager::registerHook("subnet4_select")));
    EXPECT_TRUE(HooksManager::calloutsPresent(HooksManager::registerHook("pkt4_send")));
}

namespace {

// What real iPXE sends over DHCPv6 (issue 16): a DUID-UUID and iPXE's user
// class, from `source` (a direct client) or through one relay.
Pkt6Ptr ipxe6Query(uint8_t type) {
    Pkt6Ptr query(new Pkt6(type, 16));
    query->addOption(OptionPtr(new Option(Option::V6, D6O_CLIENTID,
                                          OptionBuffer{0, 4, 0x8f, 0x3c, 0x1e, 0x6a, 0x22, 0x41, 0x4e, 0x0c, 0x9b,
                                                       0x53, 0x6e, 0x2f, 0x00, 0x11, 0x22, 0x33})));
    query->addOption(OptionPtr(new Option(Option::V6, D6O_CLIENT_ARCH_TYPE, OptionBuffer{0, 7})));
    query->addOption(OptionPtr(new Option(Option::V6, D6O_USER_CLASS, OptionBuffer{0, 4, 'i', 'P', 'X', 'E'})));
    return query;
}

std::string scriptFor(const Pkt6Ptr& query) {
    OptionPtr url = respond6(query, DHCPV6_REPLY)->getOption(D6O_BOOTFILE_URL);
    return url ? std::string(url->getData().begin(), url->getData().end()) : std::string();
}

const char* const kMacParams = R"({"server-address": "2001:db8::1",
                                    "ipxe-script-url": "http://{server}/boot/{mac}.ipxe"})";

}  // namespace

TEST_F(HookLoad, V6IpxeMacFromLocallyAdministeredLinkLocal) {
    ASSERT_TRUE(load("kea-dhcp6", kMacParams));
    Pkt6Ptr query = ipxe6Query(DHCPV6_INFORMATION_REQUEST);
    query->setRemoteAddr(isc::asiolink::IOAddress("fe80::5054:ff:fe12:3456"));  // QEMU's 52:54:00:12:34:56
    EXPECT_EQ(scriptFor(query), "http://[2001:db8::1]/boot/52:54:00:12:34:56.ipxe");
}

TEST_F(HookLoad, V6IpxeMacFromRelayOption79OrPeerAddress) {
    ASSERT_TRUE(load("kea-dhcp6", kMacParams));
    Pkt6Ptr query = ipxe6Query(DHCPV6_SOLICIT);
    query->setRemoteAddr(isc::asiolink::IOAddress("2001:db8::2"));  // the relay
    Pkt6::RelayInfo relay;
    relay.msg_type_ = DHCPV6_RELAY_FORW;
    relay.linkaddr_ = isc::asiolink::IOAddress("2001:db8:1::1");
    relay.peeraddr_ = isc::asiolink::IOAddress("fe80::5054:ff:fe00:80");
    query->addRelayInfo(relay);
    EXPECT_EQ(scriptFor(query), "http://[2001:db8::1]/boot/52:54:00:00:00:80.ipxe");
    query->relay_info_.back().peeraddr_ = isc::asiolink::IOAddress("fe80::1");
    query->relay_info_.back().options_.insert(
        std::make_pair(D6O_CLIENT_LINKLAYER_ADDR,
                       OptionPtr(new Option(Option::V6, D6O_CLIENT_LINKLAYER_ADDR,
                                            OptionBuffer{0, 1, 0x52, 0x54, 0x00, 0x00, 0x00, 0x79}))));
    EXPECT_EQ(scriptFor(query), "http://[2001:db8::1]/boot/52:54:00:00:00:79.ipxe");
}

TEST_F(HookLoad, V6WithoutMacRendersTheDuidNotUnknown) {
    ASSERT_TRUE(load("kea-dhcp6", kMacParams));
    Pkt6Ptr query = ipxe6Query(DHCPV6_INFORMATION_REQUEST);
    query->setRemoteAddr(isc::asiolink::IOAddress("fe80::8c1d:3341:9a02:7e10"));  // RFC 7217: no MAC in it
    EXPECT_EQ(scriptFor(query), "http://[2001:db8::1]/boot/duid-00:04:8f:3c:1e:6a:22:41:4e:0c:9b:53:6e:2f:00:11:22:33.ipxe");
}

// The state file while Kea runs (issue 16), through the netboot-* commands
// as kea-ctrl-agent delivers them.
namespace {

class StateFile : public HookLoad {
protected:
    void SetUp() override {
        char dir[] = "/tmp/netboot-state-XXXXXX";
        ASSERT_TRUE(mkdtemp(dir));
        dir_ = dir;
        path_ = dir_ + "/assignments.json";
    }
    void TearDown() override {
        HookLoad::TearDown();
        std::remove(path_.c_str());
        std::remove((path_ + ".tmp").c_str());
        rmdir(dir_.c_str());
    }

    bool loadWith(const std::string& profiles,
                  const std::string& script = "http://{server}/boot/{mac}.ipxe") {
        return load("kea-dhcp6", R"({"server-address": "2001:db8::1", "ipxe-script-url": ")" + script +
                                     R"(", "state-file": ")" + path_ + R"(", "profiles": )" + profiles + "}");
    }

    static isc::data::ConstElementPtr command(const std::string& name, const std::string& args = "{}") {
        CalloutHandlePtr handle = HooksManager::createCalloutHandle();
        isc::data::ConstElementPtr command = Element::fromJSON(R"({"command": ")" + name + R"(", "arguments": )" +
                                                               args + "}");
        handle->setArgument("command", command);
        HooksManager::callCommandHandlers(name, *handle);
        isc::data::ConstElementPtr response;
        handle->getArgument("response", response);
        return response;
    }
    static int result(const isc::data::ConstElementPtr& answer) { return answer->get("result")->intValue(); }
    static std::string text(const isc::data::ConstElementPtr& answer) { return answer->get("text")->stringValue(); }
    static std::string state() { return command("netboot-status")->get("arguments")->get("state")->stringValue(); }

    void write(const std::string& content) const {
        const std::string temp = path_ + ".new";
        FILE* f = std::fopen(temp.c_str(), "w");
        ASSERT_TRUE(f);
        std::fputs(content.c_str(), f);
        std::fclose(f);
        ASSERT_EQ(std::rename(temp.c_str(), path_.c_str()), 0);
    }
    std::string read() const {
        std::string content;
        if (FILE* f = std::fopen(path_.c_str(), "r")) {
            char buffer[4096];
            size_t n;
            while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) content.append(buffer, n);
            std::fclose(f);
        }
        return content;
    }

    // iPXE's REPLY for a client whose DUID-LL names `mac`.
    static std::string ipxeReply(const std::vector<uint8_t>& mac) {
        Pkt6Ptr query = ipxe6Query(DHCPV6_INFORMATION_REQUEST);
        // Built in one go: GCC 12 warns (-Warray-bounds, a false positive)
        // about inserting into a vector initialised from a 4-byte list.
        OptionBuffer duid(4 + mac.size());
        duid[1] = 3;  // DUID-LL
        duid[3] = 1;  // hardware type Ethernet
        std::copy(mac.begin(), mac.end(), duid.begin() + 4);
        query->delOption(D6O_CLIENTID);
        query->addOption(OptionPtr(new Option(Option::V6, D6O_CLIENTID, duid)));
        return scriptFor(query);
    }

    std::string dir_;
    std::string path_;
};

const char* const kRescue = R"({"rescue": {"ipxe-script-url": "http://{server}/rescue.ipxe"}})";

}  // namespace

TEST_F(StateFile, ReadOnlyEndsWhenTheFileIsReadableAgain) {
    write("{\"version\": 1, \"assignments\": [");
    ASSERT_TRUE(loadWith(kRescue));
    EXPECT_NE(state(), "ok");
    const std::string set = R"({"hw-address": "52:54:00:16:00:01", "profile": "rescue"})";
    EXPECT_NE(text(command("netboot-assignment-set", set)).find("read-only"), std::string::npos);
    std::remove(path_.c_str());  // moved away by the operator
    EXPECT_EQ(result(command("netboot-assignment-set", set)), 0);
    EXPECT_EQ(state(), "ok");
}

TEST_F(StateFile, ChangedOnDiskIsReadAgainNotOverwritten) {
    ASSERT_TRUE(loadWith(kRescue));
    ASSERT_EQ(result(command("netboot-assignment-set", R"({"hw-address": "52:54:00:16:00:0a", "profile": "rescue"})")), 0);
    write(R"({"version": 1, "assignments": [{"hw-address": "52:54:00:16:00:0b", "profile": "rescue"}]})");
    ASSERT_EQ(result(command("netboot-assignment-set", R"({"hw-address": "52:54:00:16:00:0c", "profile": "rescue"})")), 0);
    const std::string now = read();
    EXPECT_NE(now.find("52:54:00:16:00:0b"), std::string::npos) << now;
    EXPECT_NE(now.find("52:54:00:16:00:0c"), std::string::npos) << now;
    EXPECT_EQ(now.find("52:54:00:16:00:0a"), std::string::npos) << now;
    auto status = command("netboot-status")->get("arguments");
    ASSERT_TRUE(status->get("state-notice"));
    // Damaged on disk: noticed, never written over, read-only.
    write("garbage");
    EXPECT_NE(text(command("netboot-assignment-del", R"({"hw-address": "52:54:00:16:00:0b"})")).find("read-only"),
              std::string::npos);
    EXPECT_EQ(read(), "garbage");
    EXPECT_NE(state().find(path_), std::string::npos);
}

TEST_F(StateFile, UnknownProfileIsReportedKeptAndNeverConsumed) {
    write(R"({"version": 1, "assignments": [{"hw-address": "52:54:00:16:00:30", "profile": "gone", "once": true}]})");
    ASSERT_TRUE(loadWith(kRescue));
    EXPECT_NE(state().find("52:54:00:16:00:30"), std::string::npos);
    auto listed = command("netboot-assignment-list")->get("arguments")->get("assignments");
    ASSERT_EQ(listed->size(), 1u);
    ASSERT_TRUE(listed->get(0)->get("profile-missing"));
    EXPECT_TRUE(listed->get(0)->get("profile-missing")->boolValue());
    EXPECT_EQ(ipxeReply({0x52, 0x54, 0x00, 0x16, 0x00, 0x30}), "http://[2001:db8::1]/boot/52:54:00:16:00:30.ipxe");
    EXPECT_EQ(result(command("netboot-assignment-get", R"({"hw-address": "52:54:00:16:00:30"})")), 0);
    EXPECT_NE(read().find("gone"), std::string::npos);
}

// Where only a profile names {mac}, the machines sent to it each get their
// own answer, and everyone else the shared one.
TEST_F(StateFile, ProfileNamingMacAnswersEachMachineItsOwn) {
    ASSERT_TRUE(loadWith(R"({"rescue": {"ipxe-script-url": "http://{server}/rescue/{mac}.ipxe"}})",
                         "http://{server}/boot.ipxe"));
    for (const char* mac : {"52:54:00:16:00:41", "52:54:00:16:00:42"}) {
        ASSERT_EQ(result(command("netboot-assignment-set",
                                 std::string(R"({"hw-address": ")") + mac + R"(", "profile": "rescue"})")), 0);
    }
    EXPECT_EQ(ipxeReply({0x52, 0x54, 0x00, 0x16, 0x00, 0x41}), "http://[2001:db8::1]/rescue/52:54:00:16:00:41.ipxe");
    EXPECT_EQ(ipxeReply({0x52, 0x54, 0x00, 0x16, 0x00, 0x42}), "http://[2001:db8::1]/rescue/52:54:00:16:00:42.ipxe");
    EXPECT_EQ(ipxeReply({0x52, 0x54, 0x00, 0x16, 0x00, 0x43}), "http://[2001:db8::1]/boot.ipxe");
    EXPECT_EQ(ipxeReply({0x52, 0x54, 0x00, 0x16, 0x00, 0x44}), "http://[2001:db8::1]/boot.ipxe");
    // netboot-status names each machine and the profile it was sent.
    auto recent = command("netboot-status")->get("arguments")->get("recent");
    ASSERT_EQ(recent->size(), 4u);
    EXPECT_EQ(recent->get(0)->get("client")->stringValue(), "52:54:00:16:00:44");
    EXPECT_EQ(recent->get(0)->get("profile")->stringValue(), "default");
    EXPECT_EQ(recent->get(3)->get("client")->stringValue(), "52:54:00:16:00:41");
    EXPECT_EQ(recent->get(3)->get("profile")->stringValue(), "rescue");
    EXPECT_EQ(recent->get(3)->get("boot-file")->stringValue(), "http://[2001:db8::1]/rescue/52:54:00:16:00:41.ipxe");
    // The same keys as the log's decision events (docs/decision-events.md).
    EXPECT_EQ(recent->get(3)->get("v")->intValue(), 1);
    EXPECT_EQ(recent->get(3)->get("family")->stringValue(), "dhcp6");
    EXPECT_EQ(recent->get(3)->get("mac")->stringValue(), "52:54:00:16:00:41");
    EXPECT_EQ(recent->get(3)->get("mac-source")->stringValue(), "duid-ll");
    EXPECT_EQ(recent->get(3)->get("assignment")->stringValue(), "persistent");
    EXPECT_FALSE(recent->get(0)->get("assignment"));
    EXPECT_TRUE(recent->get(0)->get("ipxe")->boolValue());
}

// While an assignment is being written (here: stuck opening its temporary
// file, a FIFO nobody reads), the packet path keeps answering from what is
// in memory: writers hold their own lock, never the one the packet path reads under.
TEST_F(StateFile, PacketsAreAnsweredWhileTheFileIsBeingWritten) {
    ASSERT_TRUE(loadWith(kRescue));
    ASSERT_EQ(result(command("netboot-assignment-set", R"({"hw-address": "52:54:00:16:00:51", "profile": "rescue"})")),
              0);
    const std::string temp = path_ + ".tmp";
    ASSERT_EQ(mkfifo(temp.c_str(), 0600), 0);
    std::promise<pid_t> writerTid;
    std::future<isc::data::ConstElementPtr> blocked = std::async(std::launch::async, [&] {
        writerTid.set_value(static_cast<pid_t>(syscall(SYS_gettid)));
        return command("netboot-assignment-set", R"({"hw-address": "52:54:00:16:00:52", "profile": "rescue"})");
    });
    // Wait (bounded) until the writer sits in openat(2) on the FIFO.
    const std::string syscallFile = "/proc/self/task/" + std::to_string(writerTid.get_future().get()) + "/syscall";
    bool inOpen = false;
    for (int i = 0; i < 1000 && !inOpen; ++i) {
        std::ifstream f(syscallFile);
        std::string number;
        f >> number;
        inOpen = number == std::to_string(SYS_openat);
        if (!inOpen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::future<std::string> answer = std::async(std::launch::async, [] {
        return ipxeReply({0x52, 0x54, 0x00, 0x16, 0x00, 0x51});
    });
    const bool answered = answer.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
    // Let the writer go: its fsync of a FIFO fails, so nothing is saved.
    const int reader = open(temp.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(reader, 0);
    const isc::data::ConstElementPtr refused = blocked.get();
    close(reader);
    ASSERT_TRUE(inOpen) << "the writer never reached openat on " << temp;
    ASSERT_TRUE(answered) << "the packet path waited for the state file's write";
    EXPECT_EQ(answer.get(), "http://[2001:db8::1]/rescue.ipxe");
    EXPECT_EQ(result(refused), 1) << text(refused);
    EXPECT_NE(result(command("netboot-assignment-get", R"({"hw-address": "52:54:00:16:00:52"})")), 0);
    EXPECT_EQ(result(command("netboot-assignment-get", R"({"hw-address": "52:54:00:16:00:51"})")), 0);
}
