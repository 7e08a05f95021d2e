// Kea's configuration files allow //, /* */ and # comments, but only Kea's
// own daemon parsers understand them; isc::data::Element's JSON reader does
// not. This reads such a file the way kea-dhcp4 does.
#pragma once

#include <cc/data.h>

#include <string>

namespace netboot {

// The text with every comment outside string literals replaced by spaces
// (newlines kept, so line numbers in error messages stay right).
std::string stripJsonComments(const std::string& text);

// Reads and parses a Kea-style JSON file; throws std::runtime_error naming
// the file on I/O errors and isc::data::JSONError on syntax errors.
isc::data::ConstElementPtr readKeaJsonFile(const std::string& path);

}  // namespace netboot
