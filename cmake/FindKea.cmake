# Finds ISC Kea's development files as Debian's kea-dev ships them (no
# pkg-config, no CMake package). Defines imported targets Kea::<lib> for
#   exceptions util log hooks cc stats asiolink dhcp++ dhcpsrv process
#   cfgclient database
# and Kea_INCLUDE_DIR, Kea_VERSION, Kea_HOOKS_DIR.
find_path(Kea_INCLUDE_DIR hooks/hooks.h PATH_SUFFIXES kea)
set(_kea_libs exceptions util log hooks cc stats asiolink dhcp++ dhcpsrv process cfgclient database)
set(_kea_missing "")
foreach(lib ${_kea_libs})
  find_library(Kea_${lib}_LIBRARY NAMES kea-${lib})
  if(Kea_${lib}_LIBRARY AND NOT TARGET Kea::${lib})
    add_library(Kea::${lib} SHARED IMPORTED)
    set_target_properties(Kea::${lib} PROPERTIES
      IMPORTED_LOCATION ${Kea_${lib}_LIBRARY}
      INTERFACE_INCLUDE_DIRECTORIES ${Kea_INCLUDE_DIR}
      INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${Kea_INCLUDE_DIR})
  elseif(NOT Kea_${lib}_LIBRARY)
    list(APPEND _kea_missing kea-${lib})
  endif()
endforeach()
if(Kea_INCLUDE_DIR AND EXISTS ${Kea_INCLUDE_DIR}/config.h)
  file(STRINGS ${Kea_INCLUDE_DIR}/config.h _kea_ver REGEX "#define +PACKAGE_VERSION +\"")
  string(REGEX REPLACE ".*\"([^\" ]+).*" "\\1" Kea_VERSION "${_kea_ver}")
endif()
get_filename_component(_kea_libdir "${Kea_hooks_LIBRARY}" DIRECTORY)
set(Kea_HOOKS_DIR "${_kea_libdir}/kea/hooks")
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Kea REQUIRED_VARS Kea_INCLUDE_DIR Kea_hooks_LIBRARY Kea_cc_LIBRARY
  VERSION_VAR Kea_VERSION
  REASON_FAILURE_MESSAGE "install Debian's kea-dev and libboost-dev (missing: ${_kea_missing})")
