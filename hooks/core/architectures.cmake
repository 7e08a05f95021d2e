# The architecture registry exists once, as data: kea-config/netboot_site/
# architectures.json, which the renderer reads at run time. This generates the
# core's C++ table from it at configure time (CMake re-runs when it changes);
# a malformed entry stops the build naming it.
set(NETBOOT_ARCH_JSON ${PROJECT_SOURCE_DIR}/kea-config/netboot_site/architectures.json)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${NETBOOT_ARCH_JSON})
file(READ ${NETBOOT_ARCH_JSON} netboot_arch_json)
string(JSON netboot_arch_count LENGTH "${netboot_arch_json}" architectures)
math(EXPR netboot_arch_last "${netboot_arch_count} - 1")
set(netboot_arch_rows "")
foreach(i RANGE ${netboot_arch_last})
  string(JSON code GET "${netboot_arch_json}" architectures ${i} code)
  if(NOT code EQUAL i)
    message(FATAL_ERROR "${NETBOOT_ARCH_JSON}: architectures[${i}].code is ${code}: the codes must be dense from 0, "
                        "the code being the index")
  endif()
  foreach(key name slug family transport)
    string(JSON ${key} GET "${netboot_arch_json}" architectures ${i} ${key})
    if(NOT "${${key}}" MATCHES "^[][A-Za-z0-9 ._/()'-]+$")
      message(FATAL_ERROR "${NETBOOT_ARCH_JSON}: architectures[${i}].${key} '${${key}}' is empty or has a character "
                          "a C++ string or a URL template would need escaped")
    endif()
  endforeach()
  if(NOT transport MATCHES "^(tftp|http)$")
    message(FATAL_ERROR "${NETBOOT_ARCH_JSON}: architectures[${i}].transport '${transport}' is not tftp or http")
  endif()
  math(EXPR hex "${code}" OUTPUT_FORMAT HEXADECIMAL)
  string(APPEND netboot_arch_rows "    {${hex}, \"${name}\", \"${slug}\", \"${family}\", Transport::${transport}},\n")
endforeach()
set(NETBOOT_GENERATED_DIR ${CMAKE_CURRENT_BINARY_DIR}/generated)
set(netboot_generated_note "// Generated from kea-config/netboot_site/architectures.json by hooks/core/architectures.cmake:\n// edit that file, not this one.\n")
file(CONFIGURE OUTPUT ${NETBOOT_GENERATED_DIR}/core/architecture_count.h CONTENT
  "${netboot_generated_note}#pragma once\n#include <cstdint>\nnamespace netboot {\n// How many codes the registry assigns: 0 .. kArchitectureCount - 1.\ninline constexpr uint16_t kArchitectureCount = ${netboot_arch_count};\n}  // namespace netboot\n")
file(CONFIGURE OUTPUT ${NETBOOT_GENERATED_DIR}/core/architecture_rows.inc CONTENT
  "${netboot_generated_note}${netboot_arch_rows}")
