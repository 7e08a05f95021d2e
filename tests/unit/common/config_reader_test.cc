// The configuration reader both daemons use: every refusal names the field's
// path and where it was written, and a misspelt key is refused, not ignored.
#include "config_reader.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace {

using netboot::config::ConfigError;
using netboot::config::MapReader;
using netboot::json::JsonValue;
using netboot::json::parseJson;

std::string refusal(const std::function<void()>& read) {
    try {
        read();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(MapReader, ReadsWhatIsThereAndFallsBackOtherwise) {
    const JsonValue top = parseJson(R"({"d": {"n": 7, "on": true, "name": "x", "t": 1.5, "l": [1, 2],
                                              "comment": "free text"}})", "site.json");
    MapReader r(top.get("d"), "d");
    EXPECT_EQ(r.integer("n", 1, 0, 10), 7);
    EXPECT_EQ(r.integer("absent", 3, 0, 10), 3);
    EXPECT_TRUE(r.boolean("on", false));
    EXPECT_EQ(r.string("name"), "x");
    EXPECT_FALSE(r.optionalString("nickname"));
    EXPECT_DOUBLE_EQ(r.seconds("t", 0), 1.5);
    EXPECT_EQ(r.list("l", true).size(), 2u);
    EXPECT_NO_THROW(r.rejectUnknown());  // "comment" is free text
}

TEST(MapReader, RefusalsNameWhereThePathAndTheProblem) {
    const JsonValue top = parseJson("{\"d\": {\"n\": 70,\n  \"colour\": 1, \"s\": 5}}", "site.json");
    EXPECT_EQ(refusal([&] { MapReader(top.get("d"), "d").integer("n", 1, 0, 10); }),
              "site.json:1:13: d.n: must be between 0 and 10, got 70");
    EXPECT_EQ(refusal([&] { MapReader(top.get("d"), "d").string("s"); }), "site.json:2:21: d.s: must be a string");
    EXPECT_EQ(refusal([&] { MapReader(top.get("d"), "d").string("missing"); }),
              "site.json:1:7: d.missing: is required");
    EXPECT_EQ(refusal([&] {
                  MapReader r(top.get("d"), "d");
                  r.integer("n", 1, 0, 100);
                  r.take("s");
                  r.rejectUnknown();
              }),
              "site.json:2:13: d.colour: unknown field");
    EXPECT_EQ(refusal([&] { MapReader(top.get("d")->get("n"), "d.n"); }), "site.json:1:13: d.n: must be an object");
}

TEST(MapReader, AValueFromAFlagIsSaidToComeFromTheCommandLine) {
    JsonValue section;
    section.type = JsonValue::Type::Map;
    JsonValue flag;
    flag.type = JsonValue::Type::String;
    flag.string = "many";
    section.map.emplace_back("retries", flag);
    EXPECT_EQ(refusal([&] { MapReader(&section, "tftpd").integer("retries", 5, 0, 100); }),
              "command line: tftpd.retries: must be an integer from 0 to 100");
}

}  // namespace
