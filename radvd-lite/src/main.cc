// radvd-lite: IPv6 Router Advertisements for netboot links.
#include <getopt.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "config.h"
#include "daemon.h"
#include "log.h"

namespace {

constexpr const char* kDefaultConfig = "/etc/radvd-lite/radvd-lite.conf";

// Kept word for word in README.md ("Command line").
constexpr const char* kUsage =
    "Usage: radvd-lite [-c FILE] [-t [--kea-config FILE]] [-d]\n"
    "IPv6 Router Advertisement daemon for netboot links (RFC 4861, 4191, 7772, 8106).\n"
    "\n"
    "  -c, --config FILE      configuration (Kea-style JSON with comments)\n"
    "                         default /etc/radvd-lite/radvd-lite.conf\n"
    "  -t, --test             check the configuration, print warnings, exit:\n"
    "                         0 valid, 1 invalid\n"
    "      --kea-config FILE  with -t: compare advertised prefixes with the\n"
    "                         subnet6 entries of this kea-dhcp6 config\n"
    "  -d, --debug            log every packet sent, received and dropped\n"
    "  -V, --version          print the version and exit\n"
    "  -h, --help             print this help and exit\n"
    "\n"
    "Signals: SIGHUP reloads the configuration (a bad one is logged and the\n"
    "running one kept), SIGUSR1 logs the counters, SIGTERM/SIGINT stop after\n"
    "the final RAs with router lifetime 0. Logs go to stderr.\n";

}  // namespace

int main(int argc, char** argv) {
    using namespace radvd_lite;
    netboot::log::setProgram("radvd-lite");
    std::string config_path = kDefaultConfig;
    std::string kea_config;
    bool test_only = false;
    static const option options[] = {
        {"config", required_argument, nullptr, 'c'}, {"test", no_argument, nullptr, 't'},
        {"kea-config", required_argument, nullptr, 'k'}, {"debug", no_argument, nullptr, 'd'},
        {"version", no_argument, nullptr, 'V'},      {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "c:tdVh", options, nullptr)) != -1) {
        switch (opt) {
        case 'c': config_path = optarg; break;
        case 't': test_only = true; break;
        case 'k': kea_config = optarg; break;
        case 'd': netboot::log::setLevel(netboot::log::Level::Debug); break;
        case 'V': std::printf("radvd-lite %s\n", NETBOOT_VERSION); return 0;
        case 'h': std::fputs(kUsage, stdout); return 0;
        default: std::fputs(kUsage, stderr); return 2;
        }
    }
    if (optind != argc) {
        std::fprintf(stderr, "radvd-lite: unexpected argument \"%s\"\n%s", argv[optind], kUsage);
        return 2;
    }
    if (!kea_config.empty() && !test_only) {
        std::fprintf(stderr, "radvd-lite: --kea-config only works with -t\n");
        return 2;
    }

    Config config;
    try {
        config = loadConfigFile(config_path);
    } catch (const ConfigError& e) {
        netboot::log::line(netboot::log::Level::Error, "CONFIG_ERROR", e.what());
        return 1;
    }
    for (const std::string& w : configWarnings(config)) {
        netboot::log::line(netboot::log::Level::Warn, "CONFIG_WARNING", w);
    }
    if (test_only) {
        if (!kea_config.empty()) {
            try {
                for (const std::string& w : keaCrossCheck(config, kea_config)) {
                    netboot::log::line(netboot::log::Level::Warn, "KEA_MISMATCH", w);
                }
            } catch (const ConfigError& e) {
                netboot::log::line(netboot::log::Level::Error, "KEA_CONFIG_ERROR", e.what());
                return 1;
            }
        }
        netboot::log::line(netboot::log::Level::Info, "CONFIG_OK", config_path + ": " + std::to_string(config.interfaces.size()) +
                                                 " interface(s)");
        return 0;
    }
    Daemon daemon(config_path, std::move(config));
    return daemon.run();
}
