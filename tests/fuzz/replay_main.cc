// Stand-in for libFuzzer's main() in builds without clang's libFuzzer:
// replays every file of the seed corpus, then a fixed, deterministic series of
// mutations of each (truncation, bit flips, byte stores, splices, random
// bytes), so a plain g++ build still drives every fuzz target through odd
// input. Usage: <target> [corpus-dir-or-file...]
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Bytes = std::vector<uint8_t>;

void collect(const std::filesystem::path& path, std::vector<Bytes>& seeds) {
    if (std::filesystem::is_directory(path)) {
        for (const auto& entry : std::filesystem::directory_iterator(path)) {
            collect(entry.path(), seeds);
        }
        return;
    }
    std::ifstream in(path, std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void run(const Bytes& input) {
    LLVMFuzzerTestOneInput(input.data(), input.size());
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<Bytes> seeds{Bytes{}};
    for (int i = 1; i < argc; ++i) {
        if (argv[i][0] != '-') {
            collect(argv[i], seeds);
        }
    }
    std::mt19937 rng(20261122);
    size_t executions = 0;
    for (const Bytes& seed : seeds) {
        run(seed);
        ++executions;
        for (size_t cut = 0; cut < seed.size(); ++cut) {
            run(Bytes(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(cut)));
            ++executions;
        }
        for (int round = 0; round < 4000; ++round) {
            Bytes m = seed;
            const int edits = 1 + static_cast<int>(rng() % 4);
            for (int e = 0; e < edits; ++e) {
                switch (rng() % 5) {
                case 0:
                    if (!m.empty()) m[rng() % m.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
                    break;
                case 1:
                    if (!m.empty()) m[rng() % m.size()] = static_cast<uint8_t>(rng());
                    break;
                case 2:
                    if (!m.empty()) m.resize(rng() % m.size());
                    break;
                case 3:
                    m.insert(m.begin() + static_cast<std::ptrdiff_t>(m.empty() ? 0 : rng() % m.size()),
                             static_cast<uint8_t>(rng()));
                    break;
                default: {
                    const Bytes& other = seeds[rng() % seeds.size()];
                    if (!other.empty()) {
                        size_t from = rng() % other.size();
                        m.insert(m.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
                    }
                }
                }
            }
            run(m);
            ++executions;
        }
    }
    std::printf("replayed %zu inputs from %zu seeds\n", executions, seeds.size());
    return 0;
}
