// What differs, for this hook, between the Kea releases it is built against
// (2.2, 2.6, 3.0). With cmake/FindKea.cmake, the only place that knows.
// Chosen from Kea's own KEA_HOOKS_VERSION, so no #if is needed anywhere.
#pragma once

#include <dhcpsrv/subnet.h>
#include <hooks/hooks.h>

#include <type_traits>

namespace netboot::kea {

// subnet4_select / subnet6_select pass the selected subnet as a pointer to a
// const subnet from Kea 2.7.5 on. CalloutHandle::getArgument() matches the
// type exactly: reading it with the other type throws, and since Kea 2.3.8
// an exception escaping a callout drops the client's packet.
constexpr bool kSelectedSubnetIsConst = KEA_HOOKS_VERSION >= 20705;
using SelectedSubnet4Ptr =
    std::conditional_t<kSelectedSubnetIsConst, isc::dhcp::ConstSubnet4Ptr, isc::dhcp::Subnet4Ptr>;
using SelectedSubnet6Ptr =
    std::conditional_t<kSelectedSubnetIsConst, isc::dhcp::ConstSubnet6Ptr, isc::dhcp::Subnet6Ptr>;

}  // namespace netboot::kea
