// Unit tests of the hook's pure core: the IANA table, fact extraction from
// raw option bytes, templates, the boot policy and the reply plan.
#include "core/arch.h"
#include "core/facts.h"
#include "core/policy.h"
#include "core/reply.h"
#include "core/url_template.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

using namespace netboot;

namespace {

using Raw = std::vector<uint8_t>;

Raw str(const std::string& s) { return Raw(s.begin(), s.end()); }
Raw be16(uint16_t v) { return Raw{static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }

// Owns the bytes a RawOptions points at.
struct Packet {
    IpFamily family = IpFamily::v4;
    std::optional<Raw> arch, vendor, user;
    bool encapsulated = false;

    ClientFacts facts() const {
        auto view = [](const std::optional<Raw>& r) -> std::optional<Bytes> {
            if (!r) return std::nullopt;
            return Bytes{r->data(), r->size()};
        };
        return extractFacts(RawOptions{family, view(arch), view(vendor), view(user), encapsulated});
    }
};

Raw vendor6(const std::string& text, uint32_t enterprise = 343) {
    Raw r{static_cast<uint8_t>(enterprise >> 24), static_cast<uint8_t>(enterprise >> 16),
          static_cast<uint8_t>(enterprise >> 8), static_cast<uint8_t>(enterprise)};
    Raw len = be16(static_cast<uint16_t>(text.size()));
    r.insert(r.end(), len.begin(), len.end());
    Raw t = str(text);
    r.insert(r.end(), t.begin(), t.end());
    return r;
}

}  // namespace

TEST(Architecture, EveryAssignedCodeIsInTheTable) {
    for (unsigned code = 0; code <= 0x29; ++code) {
        auto arch = lookupArchitecture(static_cast<uint16_t>(code));
        ASSERT_TRUE(arch) << code;
        EXPECT_EQ(arch->code, code);
        EXPECT_FALSE(arch->name.empty());
        EXPECT_FALSE(arch->slug.empty());
        EXPECT_TRUE(isKnownFamily(arch->family));
    }
    for (unsigned code = 0x2a; code <= 0xffff; ++code) {
        EXPECT_FALSE(lookupArchitecture(static_cast<uint16_t>(code))) << code;
    }
}

TEST(Architecture, SlugsAreUnique) {
    std::set<std::string_view> slugs;
    for (auto a = architecturesBegin(); a != architecturesEnd(); ++a) {
        EXPECT_TRUE(slugs.insert(a->slug).second) << a->slug;
    }
}

TEST(Architecture, OnlyCodeZeroIsLegacyBiosOverTftp) {
    for (auto a = architecturesBegin(); a != architecturesEnd(); ++a) {
        const bool biosTftp = a->family == "bios" && a->transport == Transport::tftp;
        EXPECT_EQ(biosTftp, a->code == 0) << a->code;
    }
}

TEST(Architecture, FamiliesAndTransports) {
    struct Expect { uint16_t code; const char* family; Transport transport; };
    const Expect table[] = {
        {0x00, "bios", Transport::tftp},        {0x06, "efi-ia32", Transport::tftp},
        {0x07, "efi-x64", Transport::tftp},     {0x09, "efi-x64", Transport::tftp},
        {0x0a, "efi-arm32", Transport::tftp},   {0x0b, "efi-arm64", Transport::tftp},
        {0x0f, "efi-ia32", Transport::http},    {0x10, "efi-x64", Transport::http},
        {0x12, "efi-arm32", Transport::http},   {0x13, "efi-arm64", Transport::http},
        {0x14, "bios", Transport::http},        {0x19, "efi-riscv32", Transport::tftp},
        {0x1b, "efi-riscv64", Transport::tftp}, {0x1c, "efi-riscv64", Transport::http},
        {0x27, "efi-loongarch64", Transport::tftp}, {0x28, "efi-loongarch64", Transport::http},
        {0x29, "rpiboot", Transport::tftp},
    };
    for (const auto& e : table) {
        auto arch = lookupArchitecture(e.code);
        ASSERT_TRUE(arch);
        EXPECT_EQ(arch->family, e.family) << e.code;
        EXPECT_EQ(arch->transport, e.transport) << e.code;
    }
}

TEST(Facts, NoOptionsNoSignal) {
    Packet p;
    ClientFacts f = p.facts();
    EXPECT_FALSE(f.netbootSignal());
    EXPECT_TRUE(f.malformed.empty());
}

TEST(Facts, ArchListFirstRecognisedWins) {
    Packet p;
    p.arch = Raw{0x12, 0x34, 0x00, 0x0b, 0x00, 0x07};
    ClientFacts f = p.facts();
    ASSERT_TRUE(f.arch);
    EXPECT_EQ(f.arch->code, 0x0b);
    EXPECT_FALSE(f.unknownArch);
}

TEST(Facts, UnassignedArchIsUnknownNotBios) {
    Packet p;
    p.arch = be16(0xffff);
    ClientFacts f = p.facts();
    EXPECT_FALSE(f.arch);
    EXPECT_TRUE(f.unknownArch);
}

TEST(Facts, MalformedArch) {
    Packet odd;
    odd.arch = Raw{0x00, 0x07, 0x00};
    ClientFacts f = odd.facts();
    EXPECT_FALSE(f.malformed.empty());
    ASSERT_TRUE(f.arch);  // the whole code before the stray byte is still read
    EXPECT_EQ(f.arch->code, 7);
    Packet empty;
    empty.arch = Raw{};
    EXPECT_FALSE(empty.facts().malformed.empty());
    EXPECT_FALSE(empty.facts().arch);
}

TEST(Facts, VendorClassKindsV4) {
    Packet p;
    p.vendor = str("PXEClient:Arch:00007:UNDI:003000");
    EXPECT_EQ(p.facts().vendor, VendorKind::pxe);
    p.vendor = str("HTTPClient:Arch:00016:UNDI:003000");
    EXPECT_EQ(p.facts().vendor, VendorKind::http);
    EXPECT_EQ(p.facts().transport(), Transport::http);
    p.vendor = str("MSFT 5.0");
    EXPECT_EQ(p.facts().vendor, VendorKind::other);
    EXPECT_FALSE(p.facts().netbootSignal());
}

TEST(Facts, ArchFromVendorClassWhenOptionMissing) {
    Packet p;
    p.vendor = str("HTTPClient:Arch:00016:UNDI:003000");
    ClientFacts f = p.facts();
    ASSERT_TRUE(f.arch);
    EXPECT_EQ(f.arch->code, 0x10);
    p.vendor = str("PXEClient:Arch:0000x:UNDI:003000");
    f = p.facts();
    EXPECT_FALSE(f.arch);
    EXPECT_FALSE(f.malformed.empty());
    p.vendor = str("PXEClient:Arch:99999");
    EXPECT_FALSE(p.facts().malformed.empty());
    p.vendor = str("PXEClient:Arch:00048:UNDI:003000");  // 48 = 0x30, unassigned
    EXPECT_TRUE(p.facts().unknownArch);
}

TEST(Facts, ArchOptionBeatsVendorClassArch) {
    Packet p;
    p.arch = be16(0x0b);
    p.vendor = str("PXEClient:Arch:00007:UNDI:003000");
    EXPECT_EQ(p.facts().arch->code, 0x0b);
}

TEST(Facts, HttpVendorClassMakesHttpTransportEvenForPxeArch) {
    Packet p;
    p.arch = be16(0x07);
    p.vendor = str("HTTPClient");
    EXPECT_EQ(p.facts().transport(), Transport::http);
}

TEST(Facts, IpxeUserClassV4RawAndRfc3004) {
    Packet p;
    p.arch = be16(7);
    p.user = str("iPXE");
    EXPECT_TRUE(p.facts().ipxe);
    p.user = Raw{4, 'i', 'P', 'X', 'E'};
    EXPECT_TRUE(p.facts().ipxe);
    p.user = Raw{3, 'f', 'o', 'o', 4, 'i', 'P', 'X', 'E'};
    EXPECT_TRUE(p.facts().ipxe);
    p.user = str("iPXE2");
    EXPECT_FALSE(p.facts().ipxe);
    EXPECT_TRUE(p.facts().malformed.empty());  // raw text of another vendor is legal
    p.user = Raw{9, 'i', 'P', 'X', 'E'};
    EXPECT_FALSE(p.facts().ipxe);
    EXPECT_FALSE(p.facts().malformed.empty());
    p.user = Raw{};
    EXPECT_FALSE(p.facts().malformed.empty());
}

TEST(Facts, Option175MeansIpxeOnlyInV4) {
    Packet p;
    p.encapsulated = true;
    EXPECT_TRUE(p.facts().ipxe);
    EXPECT_TRUE(p.facts().netbootSignal());
    p.family = IpFamily::v6;
    EXPECT_FALSE(p.facts().ipxe);
}

TEST(Facts, IpxeUserClassV6LengthPrefixed) {
    Packet p;
    p.family = IpFamily::v6;
    p.user = Raw{0, 4, 'i', 'P', 'X', 'E'};
    EXPECT_TRUE(p.facts().ipxe);
    p.user = Raw{0, 3, 'f', 'o', 'o', 0, 4, 'i', 'P', 'X', 'E'};
    EXPECT_TRUE(p.facts().ipxe);
    p.user = str("iPXE");  // not RFC 8415: 'i','P' read as length 0x6950
    EXPECT_FALSE(p.facts().ipxe);
    EXPECT_FALSE(p.facts().malformed.empty());
    p.user = Raw{0};
    EXPECT_FALSE(p.facts().malformed.empty());
}

TEST(Facts, VendorClassV6) {
    Packet p;
    p.family = IpFamily::v6;
    p.vendor = vendor6("HTTPClient:Arch:00016:UNDI:003000", 9999);
    ClientFacts f = p.facts();
    EXPECT_EQ(f.vendor, VendorKind::http);
    EXPECT_EQ(f.enterprise, 9999u);
    ASSERT_TRUE(f.arch);
    EXPECT_EQ(f.arch->code, 0x10);
    p.vendor = Raw{0, 0, 1};
    EXPECT_FALSE(p.facts().malformed.empty());
    EXPECT_EQ(p.facts().enterprise, kDefaultEnterprise);
    p.vendor = Raw{0, 0, 1, 0x57, 0, 50, 'H', 'T', 'T', 'P'};  // tuple longer than option
    EXPECT_FALSE(p.facts().malformed.empty());
}

TEST(Facts, EverySignalCombination) {
    // arch (none, PXE code, HTTP code, unassigned) x vendor (none, PXE, HTTP,
    // other) x iPXE (no, yes): signal and transport follow the documented rules.
    const std::optional<Raw> arches[] = {std::nullopt, be16(7), be16(0x10), be16(0x30)};
    const std::optional<Raw> vendors[] = {std::nullopt, str("PXEClient"), str("HTTPClient"), str("udhcp 1.36")};
    for (const auto& arch : arches) {
        for (const auto& vendor : vendors) {
            for (bool ipxe : {false, true}) {
                Packet p;
                p.arch = arch;
                p.vendor = vendor;
                if (ipxe) p.user = str("iPXE");
                ClientFacts f = p.facts();
                const bool vendorSignal = vendor && (vendor == str("PXEClient") || vendor == str("HTTPClient"));
                EXPECT_EQ(f.netbootSignal(), arch.has_value() || vendorSignal || ipxe);
                const bool http = (arch && *arch == be16(0x10)) || (vendor && *vendor == str("HTTPClient"));
                EXPECT_EQ(f.transport() == Transport::http, http);
                EXPECT_EQ(f.ipxe, ipxe);
            }
        }
    }
}

TEST(Printable, EscapesAndCaps) {
    Raw r{'a', 0, 0xff, '\\'};
    EXPECT_EQ(printable(Bytes{r.data(), r.size()}), "a\\x00\\xff\\x5c");
    Raw big(100, 'x');
    EXPECT_EQ(printable(Bytes{big.data(), big.size()}, 4), "xxxx...");
}

TEST(Template, ExpandsPlaceholders) {
    UrlTemplate t = UrlTemplate::parse("http://{server}/{family}/{arch}/{mac}.ipxe");
    EXPECT_TRUE(t.isUrl());
    EXPECT_TRUE(t.names("mac"));
    EXPECT_FALSE(UrlTemplate::parse("ipxe.efi").names("server"));
    EXPECT_EQ(t.expand({"[2001:db8::1]", "52:54:00:00:00:01", "efi-x64", "efi-x64"}),
              "http://[2001:db8::1]/efi-x64/efi-x64/52:54:00:00:00:01.ipxe");
}

TEST(Template, RefusesBadText) {
    EXPECT_THROW(UrlTemplate::parse(""), std::invalid_argument);
    EXPECT_THROW(UrlTemplate::parse("http://{srv}/"), std::invalid_argument);
    EXPECT_THROW(UrlTemplate::parse("http://{server/"), std::invalid_argument);
    EXPECT_THROW(UrlTemplate::parse("http://server}/"), std::invalid_argument);
}

namespace {

PolicyLayer hookDefaults() {
    PolicyLayer d;
    d.tftpBootFiles.emplace("bios", UrlTemplate::parse("undionly.kpxe"));
    d.tftpBootFiles.emplace("efi-x64", UrlTemplate::parse("ipxe.efi"));
    d.httpBootFiles.emplace("efi-x64", UrlTemplate::parse("ipxe.efi"));
    d.httpBootFiles.emplace("efi-arm64", UrlTemplate::parse("https://boot.example/{arch}.efi"));
    d.ipxeScriptUrl = UrlTemplate::parse("http://{server}/menu.ipxe?mac={mac}");
    return d;
}

ClientFacts client(IpFamily family, uint16_t arch, bool ipxe = false, bool httpVendor = false) {
    ClientFacts f;
    f.family = family;
    f.arch = lookupArchitecture(arch);
    f.ipxe = ipxe;
    if (httpVendor) f.vendor = VendorKind::http;
    return f;
}

const ExchangeContext v4{"192.0.2.1", "52:54:00:00:00:01", ""};
const ExchangeContext v6{"2001:db8::1", "52:54:00:00:00:01", ""};

}  // namespace

TEST(Policy, V4Tftp) {
    BootPolicy policy({}, hookDefaults());
    BootDecision d = policy.decide(client(IpFamily::v4, 7), v4);
    EXPECT_EQ(d.answer, BootDecision::Answer::tftp);
    EXPECT_EQ(d.bootFile, "ipxe.efi");
    EXPECT_EQ(d.nextServer, "192.0.2.1");
    EXPECT_FALSE(d.echoHttpClient);
    d = policy.decide(client(IpFamily::v4, 0), v4);
    EXPECT_EQ(d.bootFile, "undionly.kpxe");
}

TEST(Policy, V6TftpUrlIsBracketed) {
    BootPolicy policy({}, hookDefaults());
    BootDecision d = policy.decide(client(IpFamily::v6, 9), v6);
    EXPECT_EQ(d.answer, BootDecision::Answer::tftp);
    EXPECT_EQ(d.bootFileUrl, "tftp://[2001:db8::1]/ipxe.efi");
}

TEST(Policy, HttpBootRelativeAndAbsolute) {
    BootPolicy policy({}, hookDefaults());
    BootDecision d = policy.decide(client(IpFamily::v6, 0x10), v6);
    EXPECT_EQ(d.answer, BootDecision::Answer::http);
    EXPECT_EQ(d.bootFileUrl, "http://[2001:db8::1]/ipxe.efi");
    EXPECT_TRUE(d.echoHttpClient);
    d = policy.decide(client(IpFamily::v4, 0x13), v4);
    EXPECT_EQ(d.bootFile, "https://boot.example/efi-arm64-http.efi");
    PolicyLayer base = hookDefaults();
    base.httpBaseUrl = UrlTemplate::parse("http://{server}:8080/boot/");
    d = BootPolicy({}, base).decide(client(IpFamily::v4, 0x10), v4);
    EXPECT_EQ(d.bootFile, "http://192.0.2.1:8080/boot/ipxe.efi");
}

TEST(Policy, IpxeGetsScriptNeverTheBinary) {
    BootPolicy policy({}, hookDefaults());
    for (uint16_t arch : {0, 7, 0x10}) {
        BootDecision d = policy.decide(client(IpFamily::v4, arch, true), v4);
        EXPECT_EQ(d.answer, BootDecision::Answer::ipxeScript);
        EXPECT_EQ(d.bootFile, "http://192.0.2.1/menu.ipxe?mac=52:54:00:00:00:01");
        EXPECT_FALSE(d.echoHttpClient);
    }
    PolicyLayer noScript = hookDefaults();
    noScript.ipxeScriptUrl.reset();
    BootDecision d = BootPolicy({}, noScript).decide(client(IpFamily::v4, 7, true), v4);
    EXPECT_EQ(d.answer, BootDecision::Answer::none);
}

TEST(Policy, NoLoaderForFamilyMeansNoAnswer) {
    BootPolicy policy({}, hookDefaults());
    for (uint16_t arch : {0x06, 0x0b, 0x1b, 0x27}) {  // UEFI families without a TFTP loader here
        BootDecision d = policy.decide(client(IpFamily::v4, arch), v4);
        EXPECT_EQ(d.answer, BootDecision::Answer::none) << arch;
        EXPECT_TRUE(d.bootFile.empty());
    }
    ClientFacts unknown;
    unknown.unknownArch = true;
    EXPECT_EQ(policy.decide(unknown, v4).answer, BootDecision::Answer::none);
    EXPECT_EQ(policy.decide(ClientFacts{}, v4).answer, BootDecision::Answer::none);
}

TEST(Policy, PrecedenceHostThenSubnetThenHook) {
    BootPolicy policy({}, hookDefaults());
    PolicyLayer subnet;
    subnet.tftpBootFiles.emplace("efi-x64", UrlTemplate::parse("subnet.efi"));
    subnet.serverAddress = "198.51.100.5";
    PolicyLayer host;
    host.tftpBootFiles.emplace("efi-x64", UrlTemplate::parse("host.efi"));
    BootDecision d = policy.decide(client(IpFamily::v4, 7), v4, {&host, &subnet});
    EXPECT_EQ(d.bootFile, "host.efi");
    EXPECT_EQ(d.nextServer, "198.51.100.5");  // the host layer does not set it: the subnet's applies
    d = policy.decide(client(IpFamily::v4, 7), v4, {nullptr, &subnet});
    EXPECT_EQ(d.bootFile, "subnet.efi");
    d = policy.decide(client(IpFamily::v4, 0), v4, {&host, &subnet});
    EXPECT_EQ(d.bootFile, "undionly.kpxe");  // per-family: BIOS still from the hook
}

TEST(Policy, SecureBootSwapsTheLoaderOfServedFamiliesOnly) {
    PolicyLayer defaults = hookDefaults();
    defaults.secureBootFiles.emplace("efi-x64", UrlTemplate::parse("shimx64.efi"));
    BootPolicy policy({}, defaults);
    // Files alone change nothing: a level must say Secure Boot.
    BootDecision d = policy.decide(client(IpFamily::v4, 7), v4);
    EXPECT_EQ(d.bootFile, "ipxe.efi");
    EXPECT_FALSE(d.endsChain);
    PolicyLayer on;
    on.secureBoot = true;
    d = policy.decide(client(IpFamily::v4, 7), v4, {nullptr, &on});
    EXPECT_EQ(d.answer, BootDecision::Answer::tftp);
    EXPECT_EQ(d.bootFile, "shimx64.efi");
    EXPECT_TRUE(d.endsChain);  // shim and GRUB never ask for an iPXE script
    d = policy.decide(client(IpFamily::v6, 7), v6, {nullptr, &on});
    EXPECT_EQ(d.bootFileUrl, "tftp://[2001:db8::1]/shimx64.efi");
    d = policy.decide(client(IpFamily::v4, 0x10), v4, {nullptr, &on});
    EXPECT_EQ(d.answer, BootDecision::Answer::http);
    EXPECT_EQ(d.bootFile, "http://192.0.2.1/shimx64.efi");
    // No signed loader for BIOS: it keeps its own; iPXE still gets its script.
    d = policy.decide(client(IpFamily::v4, 0), v4, {nullptr, &on});
    EXPECT_EQ(d.bootFile, "undionly.kpxe");
    EXPECT_FALSE(d.endsChain);
    d = policy.decide(client(IpFamily::v4, 7, true), v4, {nullptr, &on});
    EXPECT_EQ(d.answer, BootDecision::Answer::ipxeScript);
    EXPECT_TRUE(d.endsChain);
    // A family not served on a transport is not served by Secure Boot either.
    PolicyLayer noHttp = defaults;
    noHttp.httpBootFiles.clear();
    d = BootPolicy({}, noHttp).decide(client(IpFamily::v4, 0x10), v4, {nullptr, &on});
    EXPECT_EQ(d.answer, BootDecision::Answer::none);
    EXPECT_FALSE(d.endsChain);
    // The most specific level wins: a host says no below a subnet's yes.
    PolicyLayer off;
    off.secureBoot = false;
    EXPECT_EQ(policy.decide(client(IpFamily::v4, 7), v4, {&off, &on}).bootFile, "ipxe.efi");
}

TEST(Policy, SecureBootProfileLoaderNamesTheProfile) {
    PolicyLayer defaults = hookDefaults();
    defaults.secureBootFiles.emplace("efi-x64", UrlTemplate::parse("shimx64.efi"));
    defaults.secureBoot = true;
    PolicyLayer rescue;
    rescue.ipxeScriptUrl = UrlTemplate::parse("http://{server}/profile-rescue.ipxe");
    rescue.secureBootFiles.emplace("efi-x64", UrlTemplate::parse("profile-rescue/shimx64.efi"));
    BootPolicy policy({}, defaults, {{"rescue", rescue}});
    BootDecision d = policy.decide(client(IpFamily::v4, 7), v4, {policy.profile("rescue")});
    EXPECT_EQ(d.bootFile, "profile-rescue/shimx64.efi");
    EXPECT_TRUE(d.endsChain);
    // The same profile on a machine without Secure Boot: iPXE, then the script.
    PolicyLayer off;
    off.secureBoot = false;
    d = policy.decide(client(IpFamily::v4, 7), v4, {policy.profile("rescue"), &off});
    EXPECT_EQ(d.bootFile, "ipxe.efi");
    EXPECT_FALSE(d.endsChain);
    d = policy.decide(client(IpFamily::v4, 7, true), v4, {policy.profile("rescue"), &off});
    EXPECT_EQ(d.bootFile, "http://192.0.2.1/profile-rescue.ipxe");
    // A profile may itself say Secure Boot: it wins over the machine's level.
    PolicyLayer signedRescue = rescue;
    signedRescue.secureBoot = true;
    BootPolicy withSigned({}, defaults, {{"signed-rescue", signedRescue}});
    d = withSigned.decide(client(IpFamily::v4, 7), v4, {withSigned.profile("signed-rescue"), &off});
    EXPECT_EQ(d.bootFile, "profile-rescue/shimx64.efi");
    EXPECT_TRUE(d.endsChain);
}

TEST(Policy, DisabledLayer) {
    BootPolicy policy({}, hookDefaults());
    PolicyLayer off;
    off.enabled = false;
    PolicyLayer on;
    on.enabled = true;
    EXPECT_EQ(policy.decide(client(IpFamily::v4, 7), v4, {&off}).answer, BootDecision::Answer::none);
    EXPECT_EQ(policy.decide(client(IpFamily::v4, 7), v4, {&on, &off}).answer, BootDecision::Answer::tftp);
}

TEST(Policy, KeaBootFileRules) {
    BootPolicy policy({}, hookDefaults());
    ExchangeContext kea = v4;
    kea.keaBootFile = "custom.efi";
    BootDecision d = policy.decide(client(IpFamily::v4, 7), kea);
    EXPECT_EQ(d.answer, BootDecision::Answer::keepKea);
    // An HTTPClient must not get a TFTP name (the xCAT #7743 trap).
    d = policy.decide(client(IpFamily::v4, 0x10), kea);
    EXPECT_EQ(d.answer, BootDecision::Answer::http);
    EXPECT_EQ(d.bootFile, "http://192.0.2.1/ipxe.efi");
    kea.keaBootFile = "http://192.0.2.9/own.efi";
    d = policy.decide(client(IpFamily::v4, 0x10), kea);
    EXPECT_EQ(d.answer, BootDecision::Answer::keepKea);
    EXPECT_TRUE(d.echoHttpClient);
    // iPXE must not get a binary again; a script of the operator's is fine.
    kea.keaBootFile = "ipxe.efi";
    EXPECT_EQ(policy.decide(client(IpFamily::v4, 7, true), kea).answer, BootDecision::Answer::ipxeScript);
    kea.keaBootFile = "http://192.0.2.9/own.ipxe";
    EXPECT_EQ(policy.decide(client(IpFamily::v4, 7, true), kea).answer, BootDecision::Answer::keepKea);
    GlobalSettings override;
    override.respectKeaBootFile = false;
    kea.keaBootFile = "custom.efi";
    EXPECT_EQ(BootPolicy(override, hookDefaults()).decide(client(IpFamily::v4, 7), kea).bootFile, "ipxe.efi");
}

TEST(Policy, MissingServerAddress) {
    BootPolicy policy({}, hookDefaults());
    ExchangeContext none{"", "", ""};
    EXPECT_EQ(policy.decide(client(IpFamily::v6, 7), none).answer, BootDecision::Answer::none);
    EXPECT_EQ(policy.decide(client(IpFamily::v4, 0x10), none).answer, BootDecision::Answer::none);
    // A v4 TFTP path needs no server for `file`; siaddr is then left alone.
    BootDecision d = policy.decide(client(IpFamily::v4, 7), none);
    EXPECT_EQ(d.answer, BootDecision::Answer::tftp);
    EXPECT_TRUE(d.nextServer.empty());
    PolicyLayer fixed = hookDefaults();
    fixed.serverAddress = "2001:db8::53";
    EXPECT_EQ(BootPolicy({}, fixed).decide(client(IpFamily::v6, 7), none).bootFileUrl,
              "tftp://[2001:db8::53]/ipxe.efi");
}

TEST(Policy, MacUnknownInTemplates) {
    BootPolicy policy({}, hookDefaults());
    ExchangeContext noMac{"192.0.2.1", "", ""};
    EXPECT_EQ(policy.decide(client(IpFamily::v4, 7, true), noMac).bootFile,
              "http://192.0.2.1/menu.ipxe?mac=unknown");
}

// The client's MAC over DHCPv6 (issue 16): every source a real client gives.
namespace {

struct Sources {
    std::optional<Raw> duid, linkLocal, relay, kea;

    ClientMac derive() const {
        auto view = [](const std::optional<Raw>& r) -> std::optional<Bytes> {
            if (!r) return std::nullopt;
            return Bytes{r->data(), r->size()};
        };
        return deriveClientMac6(MacSources6{view(duid), view(linkLocal), view(relay), view(kea)});
    }
};

std::string macOf(const ClientMac& mac) { return hexText(mac.mac.data(), mac.mac.size()); }

Raw address6(std::initializer_list<uint8_t> bytes) { return Raw(bytes); }

// fe80::5054:ff:fe12:3456, what QEMU's 52:54:00:12:34:56 (locally
// administered: the U/L bit of the interface ID is clear) gives.
const Raw kLinkLocalQemu = address6({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56});
// DUID-UUID (type 4) as iPXE builds it from the system UUID.
const Raw kDuidUuid = {0x00, 0x04, 0x8f, 0x3c, 0x1e, 0x6a, 0x22, 0x41, 0x4e, 0x0c,
                       0x9b, 0x53, 0x6e, 0x2f, 0x00, 0x11, 0x22, 0x33};

}  // namespace

TEST(ClientMac6, IpxeDuidUuidAndLocallyAdministeredLinkLocal) {
    Sources s;
    s.duid = kDuidUuid;
    s.linkLocal = kLinkLocalQemu;
    const ClientMac mac = s.derive();
    EXPECT_EQ(macOf(mac), "52:54:00:12:34:56");
    EXPECT_EQ(mac.source, MacSource::linkLocal);
    EXPECT_EQ(macSourceName(mac.source), "link-local");
}

TEST(ClientMac6, UniversalLinkLocalFlipsTheBitBack) {
    Sources s;
    // 00:00:5e:00:53:01 (documentation range, universal) -> 0200:5eff:fe00:5301.
    s.linkLocal = address6({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x53, 0x01});
    EXPECT_EQ(macOf(s.derive()), "00:00:5e:00:53:01");
}

TEST(ClientMac6, LinkLocalWithoutEui64OrNotLinkLocalGivesNothing) {
    Sources s;
    // RFC 7217 stable-privacy interface ID: no ff:fe in the middle.
    s.linkLocal = address6({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x8c, 0x1d, 0x33, 0x41, 0x9a, 0x02, 0x7e, 0x10});
    EXPECT_EQ(s.derive().source, MacSource::none);
    // A global address, even with an EUI-64 interface ID.
    s.linkLocal = address6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56});
    EXPECT_EQ(s.derive().source, MacSource::none);
    // A group (multicast) MAC is never a station's.
    s.linkLocal = address6({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x03, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x00, 0x01});
    EXPECT_EQ(s.derive().source, MacSource::none);
    s.linkLocal = Raw{0xfe, 0x80};
    EXPECT_EQ(s.derive().source, MacSource::none);
}

TEST(ClientMac6, DuidLlAndLltComeFirst) {
    Sources s;
    s.linkLocal = kLinkLocalQemu;
    s.duid = Raw{0x00, 0x03, 0x00, 0x01, 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc};
    ClientMac mac = s.derive();
    EXPECT_EQ(macOf(mac), "52:54:00:aa:bb:cc");
    EXPECT_EQ(mac.source, MacSource::duidLl);
    s.duid = Raw{0x00, 0x01, 0x00, 0x01, 0x2e, 0x11, 0x22, 0x33, 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcd};
    mac = s.derive();
    EXPECT_EQ(macOf(mac), "52:54:00:aa:bb:cd");
    EXPECT_EQ(mac.source, MacSource::duidLlt);
    // Cut short or all zeros: not a MAC, the next source counts.
    for (const Raw& bad : {Raw{0x00, 0x03, 0x00, 0x01}, Raw{0x00, 0x01, 0x00, 0x01, 1, 2, 3, 4},
                           Raw{0x00, 0x03, 0x00, 0x01, 0, 0, 0, 0, 0, 0}, Raw{0x00}, Raw{}}) {
        s.duid = bad;
        EXPECT_EQ(s.derive().source, MacSource::linkLocal);
    }
}

TEST(ClientMac6, RelayOption79BeforeLinkLocal) {
    Sources s;
    s.duid = kDuidUuid;
    s.linkLocal = kLinkLocalQemu;
    s.relay = Raw{0x00, 0x01, 0x52, 0x54, 0x00, 0x00, 0x00, 0x79};
    ClientMac mac = s.derive();
    EXPECT_EQ(macOf(mac), "52:54:00:00:00:79");
    EXPECT_EQ(mac.source, MacSource::relayOption);
    s.relay = Raw{0x00, 0x01};  // no address
    EXPECT_EQ(s.derive().source, MacSource::linkLocal);
    s.relay = Raw(40, 0x11);  // longer than any link-layer address
    EXPECT_EQ(s.derive().source, MacSource::linkLocal);
}

TEST(ClientMac6, KeaIsTheLastResort) {
    Sources s;
    s.duid = kDuidUuid;
    s.kea = Raw{0x00, 0x00, 0x5e, 0x00, 0x53, 0x02};
    ClientMac mac = s.derive();
    EXPECT_EQ(macOf(mac), "00:00:5e:00:53:02");
    EXPECT_EQ(mac.source, MacSource::kea);
    EXPECT_EQ(Sources{}.derive().source, MacSource::none);
    EXPECT_TRUE(Sources{}.derive().mac.empty());
}

TEST(ClientMac6, NoMacFallsBackToTheIdentifierNotToUnknown) {
    const Raw duid = kDuidUuid;
    EXPECT_EQ(macOrIdentifier({0x52, 0x54, 0, 1, 2, 3}, Bytes{duid.data(), duid.size()}, "duid-"),
              "52:54:00:01:02:03");
    EXPECT_EQ(macOrIdentifier({}, Bytes{duid.data(), duid.size()}, "duid-"),
              "duid-00:04:8f:3c:1e:6a:22:41:4e:0c:9b:53:6e:2f:00:11:22:33");
    EXPECT_EQ(macOrIdentifier({}, std::nullopt, "duid-"), "");
    // Two such clients never render the same {mac}.
    Raw other = duid;
    other[5] ^= 1;  // a byte of the UUID (back() trips GCC 16's -Warray-bounds)
    EXPECT_NE(macOrIdentifier({}, Bytes{duid.data(), duid.size()}, "duid-"),
              macOrIdentifier({}, Bytes{other.data(), other.size()}, "duid-"));
}

namespace {

std::string optionCodes(const ReplyPlan& plan) {
    std::string codes;
    for (const ReplyOption& o : plan.options) {
        codes += (codes.empty() ? "" : " ") + std::to_string(o.code) + (o.onlyIfRequested ? "?" : "");
    }
    return codes;
}

}  // namespace

TEST(Reply, V4TftpSetsFileSiaddrAnd66And67) {
    BootPolicy policy({}, hookDefaults());
    const BootDecision d = policy.decide(client(IpFamily::v4, 7), v4);
    ReplyPlan plan = planReply(d, IpFamily::v4, client(IpFamily::v4, 7), GlobalSettings{});
    EXPECT_EQ(plan.file, "ipxe.efi");
    EXPECT_FALSE(plan.fileTooLong);
    EXPECT_EQ(plan.nextServer, "192.0.2.1");
    EXPECT_EQ(optionCodes(plan), "66 67");
    EXPECT_EQ(plan.options[0].payload, "192.0.2.1");
    EXPECT_EQ(plan.options[1].payload, std::string("ipxe.efi\0", 9));  // old UNDI ROMs read past the end
    GlobalSettings asked;
    asked.alwaysSendBootOptions = false;
    asked.nulTerminateBootFileOption = false;
    plan = planReply(d, IpFamily::v4, client(IpFamily::v4, 7), asked);
    EXPECT_EQ(optionCodes(plan), "66? 67?");
    EXPECT_EQ(plan.options[1].payload, "ipxe.efi");
}

TEST(Reply, V4BootFileTooLongForTheFieldGoesIn67Only) {
    BootDecision d;
    d.answer = BootDecision::Answer::ipxeScript;
    d.bootFile = "http://192.0.2.1/" + std::string(111, 'x');  // 128 characters
    GlobalSettings asked;
    asked.alwaysSendBootOptions = false;
    const ReplyPlan plan = planReply(d, IpFamily::v4, client(IpFamily::v4, 7, true), asked);
    EXPECT_EQ(plan.file, "");
    EXPECT_TRUE(plan.fileTooLong);
    EXPECT_EQ(optionCodes(plan), "67");  // sent unasked: nowhere else to put it
    d.bootFile.pop_back();
    EXPECT_FALSE(planReply(d, IpFamily::v4, client(IpFamily::v4, 7, true), asked).fileTooLong);
}

TEST(Reply, HttpBootEchoesHttpClientWithTheClientsEnterprise) {
    BootPolicy policy({}, hookDefaults());
    ClientFacts facts = client(IpFamily::v6, 0x10, false, true);
    facts.enterprise = 0x01020304;
    const ReplyPlan plan = planReply(policy.decide(facts, v6), IpFamily::v6, facts, GlobalSettings{});
    EXPECT_FALSE(plan.file);
    EXPECT_EQ(optionCodes(plan), "59 16");
    EXPECT_EQ(plan.options[0].payload, "http://[2001:db8::1]/ipxe.efi");
    EXPECT_EQ(plan.options[1].payload, std::string("\x01\x02\x03\x04\x00\x0aHTTPClient", 16));
    const ClientFacts v4facts = client(IpFamily::v4, 0x10, false, true);
    EXPECT_EQ(optionCodes(planReply(policy.decide(v4facts, v4), IpFamily::v4, v4facts, GlobalSettings{})),
              "67 60");  // an HTTP URL: no TFTP server, so no siaddr and no 66
}

TEST(Reply, KeaBootFileKeptAndNoAnswerLeaveKeasFields) {
    BootDecision keep;
    keep.answer = BootDecision::Answer::keepKea;
    keep.echoHttpClient = true;
    ReplyPlan plan = planReply(keep, IpFamily::v4, client(IpFamily::v4, 0x10), GlobalSettings{});
    EXPECT_FALSE(plan.file);
    EXPECT_TRUE(plan.nextServer.empty());
    EXPECT_EQ(optionCodes(plan), "60");
    EXPECT_EQ(optionCodes(planReply(keep, IpFamily::v6, client(IpFamily::v6, 0x10), GlobalSettings{})), "16");
    plan = planReply(BootDecision{}, IpFamily::v4, client(IpFamily::v4, 7), GlobalSettings{});
    EXPECT_FALSE(plan.file);
    EXPECT_TRUE(plan.options.empty());
}

TEST(Reply, OnceIsUsedUpOnlyByTheAcknowledgedEndOfTheChain) {
    BootDecision d;
    d.endsChain = true;
    EXPECT_TRUE(usesUpOnce(d, true));
    EXPECT_FALSE(usesUpOnce(d, false));  // an offer or advertise
    d.endsChain = false;
    EXPECT_FALSE(usesUpOnce(d, true));  // the firmware's stage before iPXE
}
