#include "ra.h"

#include <gtest/gtest.h>

#include "config.h"

namespace radvd_lite {
namespace {

Ipv6Address addr(const std::string& text) {
    Ipv6Address a{};
    uint8_t length = 0;
    EXPECT_TRUE(parsePrefix(text + "/128", a, length)) << text;
    return a;
}

const Ipv6Address kLinkLocal = addr("fe80::1");
const Ipv6Address kGlobal = addr("2001:db8::7");
const Ipv6Address kUnspecified{};

Advertisement fullAdvertisement() {
    Advertisement ra;
    ra.cur_hop_limit = 64;
    ra.managed = true;
    ra.other_config = true;
    ra.preference = RouterPreference::High;
    ra.router_lifetime = 1800;
    ra.reachable_time = 30000;
    ra.retrans_timer = 1000;
    ra.source_link_layer = MacAddress{0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
    ra.mtu = 1500;
    ra.prefixes.push_back(PrefixInfo{addr("2001:db8:1::"), 64, true, true, 86400, 14400});
    ra.routes.push_back(RouteInfo{addr("2001:db8:2::"), 48, RouterPreference::Low, 1800});
    ra.rdnss.push_back(RdnssInfo{{addr("2001:db8::53"), addr("2001:db8::54")}, 1800});
    ra.dnssl.push_back(DnsslInfo{{"boot.example.org", "example.org"}, 1800});
    return ra;
}

TEST(RadvdLiteRaEncode, HeaderFieldsAndFlagsAreByteExact) {
    Advertisement ra;
    ra.cur_hop_limit = 64;
    ra.managed = true;
    ra.other_config = false;
    ra.preference = RouterPreference::Low;
    ra.router_lifetime = 0x0708;
    ra.reachable_time = 0x01020304;
    ra.retrans_timer = 0x05060708;
    const Bytes expected = {134, 0, 0, 0, 64, 0x80 | 0x18, 0x07, 0x08, 1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT_EQ(encodeRouterAdvertisement(ra), expected);
}

TEST(RadvdLiteRaEncode, OptionsAreByteExactInRadvdOrder) {
    const Bytes packet = encodeRouterAdvertisement(fullAdvertisement());
    Bytes expected = {134, 0, 0, 0, 64, 0xc0 | 0x08, 0x07, 0x08, 0, 0, 0x75, 0x30, 0, 0, 0x03, 0xe8};
    // Prefix Information: type 3, length 4, /64, L+A, 86400, 14400, reserved.
    const Bytes pio = {3, 4, 64, 0xc0, 0, 1, 0x51, 0x80, 0, 0, 0x38, 0x40, 0, 0, 0, 0,
                       0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    // Route Information: /48 needs 8 prefix octets -> length 2; Prf low = 11.
    const Bytes rio = {24, 2, 48, 0x18, 0, 0, 0x07, 0x08, 0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0};
    Bytes rdnss = {25, 5, 0, 0, 0, 0, 0x07, 0x08};
    for (uint8_t last : {0x53, 0x54}) {
        const Bytes a = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last};
        rdnss.insert(rdnss.end(), a.begin(), a.end());
    }
    // DNSSL: 8 header + 18 + 13 name octets = 39 -> padded to 40 (length 5).
    Bytes dnssl = {31, 5, 0, 0, 0, 0, 0x07, 0x08};
    static const char kNames[] = "\x04" "boot" "\x07" "example" "\x03" "org" "\x00"
                                 "\x07" "example" "\x03" "org" "\x00";
    const std::string names(kNames, sizeof kNames - 1);
    dnssl.insert(dnssl.end(), names.begin(), names.end());
    dnssl.push_back(0);
    const Bytes mtu = {5, 1, 0, 0, 0, 0, 0x05, 0xdc};
    const Bytes slla = {1, 1, 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
    for (const Bytes* part : std::initializer_list<const Bytes*>{&pio, &rio, &rdnss, &dnssl, &mtu, &slla}) {
        expected.insert(expected.end(), part->begin(), part->end());
    }
    ASSERT_EQ(packet.size(), expected.size());
    for (size_t i = 0; i < packet.size(); ++i) {
        EXPECT_EQ(packet[i], expected[i]) << "octet " << i;
    }
    EXPECT_EQ(packet.size() % 8, 0u);
}

TEST(RadvdLiteRaEncode, RouteInformationUsesShortestPrefixField) {
    for (const auto& [length, option_length] : {std::pair<uint8_t, uint8_t>{0, 1}, {1, 2}, {64, 2}, {65, 3}, {128, 3}}) {
        Advertisement ra;
        ra.routes.push_back(RouteInfo{addr("2001:db8::"), length, RouterPreference::Medium, 60});
        const Bytes packet = encodeRouterAdvertisement(ra);
        ASSERT_EQ(packet.size(), 16u + option_length * 8u) << int(length);
        EXPECT_EQ(packet[17], option_length);
        auto decoded = decodeRouterAdvertisement(packet.data(), packet.size());
        ASSERT_TRUE(decoded);
        EXPECT_EQ(decoded->routes.at(0).length, length);
    }
}

TEST(RadvdLiteRaEncode, DecodeReturnsWhatWasEncoded) {
    const Advertisement ra = fullAdvertisement();
    const Bytes packet = encodeRouterAdvertisement(ra);
    auto decoded = decodeRouterAdvertisement(packet.data(), packet.size());
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, ra);
}

TEST(RadvdLiteRaEncode, DnsslIsZeroPaddedToEightOctets) {
    for (const std::string name : {"a", "ab", "abcdefg", "x.example", "a.b.c.d.e.f"}) {
        Advertisement ra;
        ra.dnssl.push_back(DnsslInfo{{name}, 10});
        const Bytes packet = encodeRouterAdvertisement(ra);
        EXPECT_EQ(packet.size() % 8, 0u) << name;
        EXPECT_EQ(packet[17] * 8u, packet.size() - 16) << name;
        auto decoded = decodeRouterAdvertisement(packet.data(), packet.size());
        ASSERT_TRUE(decoded) << name;
        EXPECT_EQ(decoded->dnssl.at(0).domains, std::vector<std::string>{name});
    }
}

TEST(RadvdLiteDomainName, RejectsEmptyAndOversizedLabels) {
    Bytes out;
    EXPECT_TRUE(encodeDomainName("example.org.", out));
    EXPECT_EQ(out.size(), 13u);
    EXPECT_FALSE(encodeDomainName("", out));
    EXPECT_FALSE(encodeDomainName("a..b", out));
    EXPECT_FALSE(encodeDomainName(".a", out));
    EXPECT_FALSE(encodeDomainName(std::string(64, 'a') + ".org", out));
    EXPECT_TRUE(encodeDomainName(std::string(63, 'a') + ".org", out));
}

TEST(RadvdLiteNdOptions, WalksTlvs) {
    const Bytes options = {1, 1, 1, 2, 3, 4, 5, 6, 99, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    std::vector<NdOption> parsed;
    ASSERT_EQ(parseNdOptions(options.data(), options.size(), parsed), Malformed::None);
    ASSERT_EQ(parsed.size(), 2u);
    EXPECT_EQ(parsed[0].type, 1);
    EXPECT_EQ(parsed[0].body_size, 6u);
    EXPECT_EQ(parsed[1].type, 99);
    EXPECT_EQ(parsed[1].body_size, 14u);
}

TEST(RadvdLiteNdOptions, ZeroLengthAndTruncatedOptionsAreMalformed) {
    std::vector<NdOption> parsed;
    const Bytes zero = {1, 0, 1, 2, 3, 4, 5, 6};
    EXPECT_EQ(parseNdOptions(zero.data(), zero.size(), parsed), Malformed::ZeroLengthOption);
    const Bytes truncated = {1, 2, 1, 2, 3, 4, 5, 6};
    EXPECT_EQ(parseNdOptions(truncated.data(), truncated.size(), parsed), Malformed::TruncatedOption);
    const Bytes odd = {1, 1, 1, 2, 3, 4, 5, 6, 3};
    EXPECT_EQ(parseNdOptions(odd.data(), odd.size(), parsed), Malformed::TruncatedOption);
}

Bytes routerSolicitation(Bytes options = {}) {
    Bytes rs(8 + options.size(), 0);
    rs[0] = 133;
    for (size_t i = 0; i < options.size(); ++i) {
        rs[8 + i] = options[i];
    }
    return rs;
}

const Bytes kSlla = {1, 1, 0x02, 0, 0, 0, 0, 1};

TEST(RadvdLiteInbound, AcceptsValidSolicitationAndReadsSourceLinkLayer) {
    const Bytes rs = routerSolicitation(kSlla);
    const InboundPacket in = classifyInbound(rs.data(), rs.size(), 255, kLinkLocal);
    EXPECT_EQ(in.malformed, Malformed::None);
    EXPECT_EQ(in.type, NdType::RouterSolicitation);
    ASSERT_TRUE(in.source_link_layer);
    EXPECT_EQ((*in.source_link_layer)[5], 1);
    // From :: without the option is valid too (RFC 4861 6.1.1).
    const Bytes bare = routerSolicitation();
    EXPECT_EQ(classifyInbound(bare.data(), bare.size(), 255, kUnspecified).malformed, Malformed::None);
}

TEST(RadvdLiteInbound, RejectsEachRfc4861ValidityViolation) {
    const Bytes rs = routerSolicitation(kSlla);
    EXPECT_EQ(classifyInbound(rs.data(), rs.size(), 254, kLinkLocal).malformed, Malformed::BadHopLimit);
    EXPECT_EQ(classifyInbound(rs.data(), rs.size(), -1, kLinkLocal).malformed, Malformed::BadHopLimit);
    Bytes coded = rs;
    coded[1] = 1;
    EXPECT_EQ(classifyInbound(coded.data(), coded.size(), 255, kLinkLocal).malformed, Malformed::BadCode);
    EXPECT_EQ(classifyInbound(rs.data(), 6, 255, kLinkLocal).malformed, Malformed::TooShort);
    EXPECT_EQ(classifyInbound(rs.data(), 2, 255, kLinkLocal).malformed, Malformed::TooShort);
    const Bytes zero = routerSolicitation({1, 0, 0, 0, 0, 0, 0, 0});
    EXPECT_EQ(classifyInbound(zero.data(), zero.size(), 255, kLinkLocal).malformed, Malformed::ZeroLengthOption);
    EXPECT_EQ(classifyInbound(rs.data(), rs.size(), 255, kUnspecified).malformed,
              Malformed::SourceLinkLayerFromUnspecified);
    const Bytes unknown = {200, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(classifyInbound(unknown.data(), unknown.size(), 255, kLinkLocal).malformed, Malformed::UnexpectedType);
}

TEST(RadvdLiteInbound, AdvertisementFromOtherRouterMustComeFromLinkLocal) {
    const Bytes ra = encodeRouterAdvertisement(fullAdvertisement());
    EXPECT_EQ(classifyInbound(ra.data(), ra.size(), 255, kLinkLocal).malformed, Malformed::None);
    EXPECT_EQ(classifyInbound(ra.data(), ra.size(), 255, kGlobal).malformed, Malformed::BadSourceAddress);
    EXPECT_EQ(classifyInbound(ra.data(), 15, 255, kLinkLocal).malformed, Malformed::TooShort);
}

TEST(RadvdLiteInbound, NeighborSolicitationChecks) {
    Bytes ns(24, 0);
    ns[0] = 135;
    ns[8] = 0x20;
    EXPECT_EQ(classifyInbound(ns.data(), ns.size(), 255, kLinkLocal).malformed, Malformed::None);
    EXPECT_EQ(classifyInbound(ns.data(), 20, 255, kLinkLocal).malformed, Malformed::TooShort);
    Bytes multicast_target = ns;
    multicast_target[8] = 0xff;
    EXPECT_EQ(classifyInbound(multicast_target.data(), multicast_target.size(), 255, kLinkLocal).malformed,
              Malformed::BadTarget);
    Bytes dad_probe_with_lla = ns;
    dad_probe_with_lla.insert(dad_probe_with_lla.end(), {1, 1, 0, 0, 0, 0, 0, 0});
    EXPECT_EQ(classifyInbound(dad_probe_with_lla.data(), dad_probe_with_lla.size(), 255, kUnspecified).malformed,
              Malformed::SourceLinkLayerFromUnspecified);
}

TEST(RadvdLiteDecode, RejectsBadOptionContents) {
    const Bytes good = encodeRouterAdvertisement(fullAdvertisement());
    ASSERT_TRUE(decodeRouterAdvertisement(good.data(), good.size()));
    // RDNSS with no address (length 1).
    Bytes empty_rdnss = {134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 1, 0, 0, 0, 0, 0, 1};
    EXPECT_FALSE(decodeRouterAdvertisement(empty_rdnss.data(), empty_rdnss.size()));
    // DNSSL whose label runs past the option.
    Bytes bad_dnssl = {134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                       31, 2, 0, 0, 0, 0, 0, 1, 9, 'a', 'b', 0, 0, 0, 0, 0};
    EXPECT_FALSE(decodeRouterAdvertisement(bad_dnssl.data(), bad_dnssl.size()));
    // DNSSL with only padding, no domain name (found by the fuzzer: it
    // decoded, but re-encoded into an option too short to decode).
    Bytes nameless_dnssl = {134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                            31, 3, 0x80, 0x18, 0, 0, 0x3c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_FALSE(decodeRouterAdvertisement(nameless_dnssl.data(), nameless_dnssl.size()));
    // Prefix length above 128.
    Bytes pio = encodeRouterAdvertisement(fullAdvertisement());
    pio[18] = 129;
    EXPECT_FALSE(decodeRouterAdvertisement(pio.data(), pio.size()));
}

}  // namespace
}  // namespace radvd_lite

namespace radvd_lite {
namespace {

TEST(RadvdLiteInconsistency, IdenticalOrUnspecifiedFieldsAgree) {
    Advertisement ours;
    ours.managed = true;
    ours.reachable_time = 30000;
    Advertisement theirs = ours;
    EXPECT_TRUE(inconsistencies(ours, theirs).empty());
    theirs.reachable_time = 0;  // unspecified: no conflict
    theirs.cur_hop_limit = 0;
    theirs.router_lifetime = 0;  // not compared (RFC 4861 6.2.7)
    EXPECT_TRUE(inconsistencies(ours, theirs).empty());
}

TEST(RadvdLiteInconsistency, ReportsEachConflictingField) {
    Advertisement ours;
    ours.managed = true;
    ours.mtu = 1500;
    ours.prefixes.push_back(PrefixInfo{});
    Advertisement theirs = ours;
    theirs.managed = false;
    theirs.mtu = 9000;
    theirs.cur_hop_limit = 255;
    theirs.prefixes[0].valid_lifetime = 1;
    const auto found = inconsistencies(ours, theirs);
    ASSERT_EQ(found.size(), 4u);
    EXPECT_EQ(found[0], "cur-hop-limit 255 (ours 64)");
    EXPECT_EQ(found[1], "managed-flag 0 (ours 1)");
    EXPECT_EQ(found[2], "link-mtu 9000 (ours 1500)");
    EXPECT_EQ(found[3], "valid-lifetime of a shared prefix 1 (ours 86400)");
}

}  // namespace
}  // namespace radvd_lite
