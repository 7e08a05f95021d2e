# Finds ISC Kea's development files as Debian ships them (kea-dev), for the
# Kea releases kea-netboot supports: 2.2 (Debian 12), 2.6 (Debian 13) and
# 3.0 (sid). This file and hooks/kea/kea_compat.h are the only places that
# know how those releases differ.
#
# Defines imported targets Kea::<lib> under names that do not change between
# releases:
#   exceptions util log hooks cc stats asiolink dhcp dhcpsrv process database
# (Kea::dhcp is libkea-dhcp++ before 3.0 and libkea-dhcp from 3.0) and
# Kea_INCLUDE_DIR, Kea_VERSION, Kea_HOOKS_DIR.
#
# Kea 2.6 and later install kea.pc: the version and include directory come
# from it. Debian 12's kea-dev has no kea.pc; there they come from config.h.
# (pkg-config's --cflags would also demand the .pc files of kea.pc's
# Requires -- MariaDB, PostgreSQL -- which a hook does not need.)
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --modversion kea
    OUTPUT_VARIABLE _kea_pc_version OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _kea_pc_rc ERROR_QUIET)
  execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --variable=includedir kea
    OUTPUT_VARIABLE _kea_pc_includedir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --variable=libdir kea
    OUTPUT_VARIABLE _kea_pc_libdir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
if(PKG_CONFIG_FOUND AND _kea_pc_rc EQUAL 0)
  set(Kea_VERSION ${_kea_pc_version})
  find_path(Kea_INCLUDE_DIR hooks/hooks.h HINTS ${_kea_pc_includedir} PATH_SUFFIXES kea)
else()
  find_path(Kea_INCLUDE_DIR hooks/hooks.h PATH_SUFFIXES kea)
  if(Kea_INCLUDE_DIR AND EXISTS ${Kea_INCLUDE_DIR}/config.h)
    file(STRINGS ${Kea_INCLUDE_DIR}/config.h _kea_ver REGEX "#define +PACKAGE_VERSION +\"")
    string(REGEX REPLACE ".*\"([^\" ]+).*" "\\1" Kea_VERSION "${_kea_ver}")
  endif()
endif()

# The releases this tree is built and tested against. Kea's hook ABI and
# configuration change with every minor release, so an unknown one is refused
# here rather than failing later in a compiler error or at load time.
set(_kea_supported 2.2 2.6 3.0)
if(Kea_VERSION)
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" _kea_minor "${Kea_VERSION}")
  if(NOT _kea_minor IN_LIST _kea_supported)
    message(FATAL_ERROR "Kea ${Kea_VERSION} (${Kea_INCLUDE_DIR}) is not supported: kea-netboot builds against "
      "Kea 2.2 (Debian 12), 2.6 (Debian 13) and 3.0 (Debian sid). Adding a release means "
      "reading its changes into cmake/FindKea.cmake and hooks/kea/kea_compat.h and running the tests against it.")
  endif()
endif()

# Kea 3.0 renamed libkea-dhcp++ to libkea-dhcp.
set(_kea_lib_dhcp kea-dhcp++)
if(Kea_VERSION VERSION_GREATER_EQUAL 3.0)
  set(_kea_lib_dhcp kea-dhcp)
endif()
# Kea 3.0's headers (asiolink/crypto_tls.h, reached from the DHCP headers)
# refuse to compile unless Kea's own config.h, which names the TLS backend,
# came first; that backend is OpenSSL (libssl-dev), whose functions the
# headers' inline Boost.Asio SSL code then calls from our own objects.
set(_kea_compile_options "")
set(_kea_link_libraries "")
if(Kea_VERSION VERSION_GREATER_EQUAL 3.0)
  find_package(OpenSSL REQUIRED)
  set(_kea_compile_options "SHELL:-include ${Kea_INCLUDE_DIR}/config.h")
  set(_kea_link_libraries OpenSSL::SSL OpenSSL::Crypto)
endif()
set(_kea_libs exceptions util log hooks cc stats asiolink dhcp dhcpsrv process database pgsql)
set(_kea_missing "")
foreach(lib ${_kea_libs})
  set(_file kea-${lib})
  if(lib STREQUAL dhcp)
    set(_file ${_kea_lib_dhcp})
  endif()
  find_library(Kea_${lib}_LIBRARY NAMES ${_file} HINTS ${_kea_pc_libdir})
  if(Kea_${lib}_LIBRARY AND NOT TARGET Kea::${lib})
    add_library(Kea::${lib} SHARED IMPORTED)
    set_target_properties(Kea::${lib} PROPERTIES
      IMPORTED_LOCATION ${Kea_${lib}_LIBRARY}
      INTERFACE_INCLUDE_DIRECTORIES ${Kea_INCLUDE_DIR}
      INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${Kea_INCLUDE_DIR}
      INTERFACE_COMPILE_OPTIONS "${_kea_compile_options}"
      INTERFACE_LINK_LIBRARIES "${_kea_link_libraries}")
  elseif(NOT Kea_${lib}_LIBRARY)
    list(APPEND _kea_missing lib${_file})
  endif()
endforeach()
get_filename_component(_kea_libdir "${Kea_hooks_LIBRARY}" DIRECTORY)
set(Kea_HOOKS_DIR "${_kea_libdir}/kea/hooks")
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Kea REQUIRED_VARS Kea_INCLUDE_DIR Kea_hooks_LIBRARY Kea_cc_LIBRARY Kea_dhcp_LIBRARY
  VERSION_VAR Kea_VERSION
  REASON_FAILURE_MESSAGE "install Debian's kea-dev and libboost-dev (missing: ${_kea_missing})")
