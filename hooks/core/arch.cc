#include "arch.h"

#include <algorithm>
#include <iterator>

namespace netboot {

namespace {

constexpr Transport T = Transport::tftp;
constexpr Transport H = Transport::http;

// Codes 0x00-0x24 from the IANA registry; 0x25-0x29 (LoongArch, rpiboot) as
// assigned after it and used by OpenWrt and the Loongson firmware.
// 0x09 is "EBC" in the registry, but RFC 4578 originally named it x86-64 and
// firmware in the field still sends it for x64 UEFI: it shares x64's loader.
constexpr Architecture kRegistry[] = {
    {0x00, "x86 BIOS", "bios", "bios", T},
    {0x01, "NEC/PC98 (deprecated)", "pc98", "pc98", T},
    {0x02, "Itanium", "efi-ia64", "efi-ia64", T},
    {0x03, "DEC Alpha (deprecated)", "alpha", "alpha", T},
    {0x04, "Arc x86 (deprecated)", "arc-x86", "arc-x86", T},
    {0x05, "Intel Lean Client (deprecated)", "lean-client", "lean-client", T},
    {0x06, "x86 UEFI", "efi-ia32", "efi-ia32", T},
    {0x07, "x64 UEFI", "efi-x64", "efi-x64", T},
    {0x08, "EFI Xscale (deprecated)", "efi-xscale", "efi-xscale", T},
    {0x09, "EBC (x64 UEFI in the field)", "efi-x64-ebc", "efi-x64", T},
    {0x0a, "ARM 32-bit UEFI", "efi-arm32", "efi-arm32", T},
    {0x0b, "ARM 64-bit UEFI", "efi-arm64", "efi-arm64", T},
    {0x0c, "PowerPC Open Firmware", "ppc-openfirmware", "ppc-openfirmware", T},
    {0x0d, "PowerPC ePAPR", "ppc-epapr", "ppc-epapr", T},
    {0x0e, "POWER OPAL v3", "power-opal", "power-opal", T},
    {0x0f, "x86 UEFI boot from HTTP", "efi-ia32-http", "efi-ia32", H},
    {0x10, "x64 UEFI boot from HTTP", "efi-x64-http", "efi-x64", H},
    {0x11, "EBC boot from HTTP", "efi-x64-ebc-http", "efi-x64", H},
    {0x12, "ARM 32-bit UEFI boot from HTTP", "efi-arm32-http", "efi-arm32", H},
    {0x13, "ARM 64-bit UEFI boot from HTTP", "efi-arm64-http", "efi-arm64", H},
    {0x14, "PC/AT BIOS boot from HTTP", "bios-http", "bios", H},
    {0x15, "ARM 32-bit U-Boot", "uboot-arm32", "uboot-arm32", T},
    {0x16, "ARM 64-bit U-Boot", "uboot-arm64", "uboot-arm64", T},
    {0x17, "ARM 32-bit U-Boot boot from HTTP", "uboot-arm32-http", "uboot-arm32", H},
    {0x18, "ARM 64-bit U-Boot boot from HTTP", "uboot-arm64-http", "uboot-arm64", H},
    {0x19, "RISC-V 32-bit UEFI", "efi-riscv32", "efi-riscv32", T},
    {0x1a, "RISC-V 32-bit UEFI boot from HTTP", "efi-riscv32-http", "efi-riscv32", H},
    {0x1b, "RISC-V 64-bit UEFI", "efi-riscv64", "efi-riscv64", T},
    {0x1c, "RISC-V 64-bit UEFI boot from HTTP", "efi-riscv64-http", "efi-riscv64", H},
    {0x1d, "RISC-V 128-bit UEFI", "efi-riscv128", "efi-riscv128", T},
    {0x1e, "RISC-V 128-bit UEFI boot from HTTP", "efi-riscv128-http", "efi-riscv128", H},
    {0x1f, "s390 Basic", "s390-basic", "s390-basic", T},
    {0x20, "s390 Extended", "s390-extended", "s390-extended", T},
    {0x21, "MIPS 32-bit UEFI", "efi-mips32", "efi-mips32", T},
    {0x22, "MIPS 64-bit UEFI", "efi-mips64", "efi-mips64", T},
    {0x23, "Sunway 32-bit UEFI", "efi-sunway32", "efi-sunway32", T},
    {0x24, "Sunway 64-bit UEFI", "efi-sunway64", "efi-sunway64", T},
    {0x25, "LoongArch 32-bit UEFI", "efi-loongarch32", "efi-loongarch32", T},
    {0x26, "LoongArch 32-bit UEFI boot from HTTP", "efi-loongarch32-http", "efi-loongarch32", H},
    {0x27, "LoongArch 64-bit UEFI", "efi-loongarch64", "efi-loongarch64", T},
    {0x28, "LoongArch 64-bit UEFI boot from HTTP", "efi-loongarch64-http", "efi-loongarch64", H},
    {0x29, "ARM rpiboot", "rpiboot", "rpiboot", T},
};

static_assert(std::size(kRegistry) == kArchitectureCount, "one entry per assigned code");

}  // namespace

std::string_view transportName(Transport transport) {
    return transport == Transport::http ? "http" : "tftp";
}

std::optional<Architecture> lookupArchitecture(uint16_t code) {
    // The table is dense from 0, so the code is its index.
    if (code < std::size(kRegistry)) {
        return kRegistry[code];
    }
    return std::nullopt;
}

bool isKnownFamily(std::string_view family) {
    return std::any_of(std::begin(kRegistry), std::end(kRegistry),
                       [family](const Architecture& a) { return a.family == family; });
}

const Architecture* architecturesBegin() { return std::begin(kRegistry); }
const Architecture* architecturesEnd() { return std::end(kRegistry); }

}  // namespace netboot
