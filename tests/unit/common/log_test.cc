// The log line every daemon writes (common/log.h): what tools and tests
// grep for depends on its shape.
#include "log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <string>
#include <unistd.h>

namespace {

// What `write` puts on stderr.
template <typename Write>
std::string captured(Write write) {
    std::fflush(stderr);
    FILE* file = std::tmpfile();
    const int saved = dup(fileno(stderr));
    dup2(fileno(file), fileno(stderr));
    write();
    std::fflush(stderr);
    dup2(saved, fileno(stderr));
    close(saved);
    std::string text;
    std::rewind(file);
    char buffer[512];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, file)) text.append(buffer, n);
    std::fclose(file);
    return text;
}

}  // namespace

TEST(Log, OneLineWithTimeProgramLevelTagAndMessage) {
    netboot::log::setProgram("netboot-test");
    netboot::log::setLevel(netboot::log::Level::Info);
    const std::string tagged = captured([] { netboot::log::line(netboot::log::Level::Warn, "CONFIG_WARNING", "a=1 b=2"); });
    EXPECT_TRUE(std::regex_match(tagged, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z netboot-test WARN CONFIG_WARNING a=1 b=2\n)")))
        << tagged;
    const std::string plain = captured([] { netboot::log::line(netboot::log::Level::Info, "transfer client=x"); });
    EXPECT_TRUE(std::regex_match(plain, std::regex(R"(\S+Z netboot-test INFO transfer client=x\n)"))) << plain;
}

TEST(Log, BelowTheLevelNothingIsWritten) {
    netboot::log::setLevel(netboot::log::Level::Warn);
    EXPECT_FALSE(netboot::log::enabled(netboot::log::Level::Info));
    EXPECT_TRUE(netboot::log::enabled(netboot::log::Level::Error));
    EXPECT_EQ(captured([] { netboot::log::line(netboot::log::Level::Info, "TAG", "hidden"); }), "");
    netboot::log::setLevel(netboot::log::Level::Debug);
    EXPECT_NE(captured([] { netboot::log::line(netboot::log::Level::Debug, "TAG", "shown"); }).find(" DEBUG TAG shown"),
              std::string::npos);
}
