# The SDK: what `cmake --install` puts under a prefix (and @bpfhost/sdk ships).
#
#   include/bpfhost/*.h                     public headers (extension.h + the C host API)
#   lib/libbpfhost.a                        the core, static (bpfhost::bpfhost_static)
#   lib/libbpfhost.so.<ver>                 the core, shared (bpfhost::bpfhost), its
#                                           exports fixed by abi/libbpfhost.map
#   lib/cmake/bpfhost/                      find_package(bpfhost CONFIG): targets,
#                                           version, bpfhost_add_extension()
#   lib/pkgconfig/bpfhost.pc, bpfhost-extension.pc
#   bin/bpfhost-asm
#
# Included last by CMakeLists.txt; self-contained so the rest of that file
# stays as it is. The layout is fixed (lib, not GNUInstallDirs' lib64 or
# multiarch folders): the npm package, the relocatable .pc files and the
# bindings' build.rs rely on it.
include(CMakePackageConfigHelpers)

# One version for the package manifest, the SONAME and the CMake/pkg-config
# packages: changesets bump package.json, so read it there.
file(READ ${CMAKE_CURRENT_SOURCE_DIR}/package.json BPFHOST_PACKAGE_JSON)
string(JSON BPFHOST_VERSION GET "${BPFHOST_PACKAGE_JSON}" version)
string(REGEX MATCH "^([0-9]+)\\.([0-9]+)\\.([0-9]+)" _bh_ver "${BPFHOST_VERSION}")
set(BPFHOST_VERSION_MAJOR ${CMAKE_MATCH_1})
set(BPFHOST_VERSION_MINOR ${CMAKE_MATCH_2})
# Below 1.0 a minor release may break the ABI, so it is part of the SONAME.
if(BPFHOST_VERSION_MAJOR EQUAL 0)
  set(BPFHOST_SOVERSION 0.${BPFHOST_VERSION_MINOR})
else()
  set(BPFHOST_SOVERSION ${BPFHOST_VERSION_MAJOR})
endif()

# The static library's include path must not name the source tree once installed.
set_property(TARGET bpfhost PROPERTY INTERFACE_INCLUDE_DIRECTORIES
  $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:include>)
set_target_properties(bpfhost PROPERTIES EXPORT_NAME bpfhost_static)

# The shared library: the static library's objects (compiled PIC, hidden by
# default), exports limited to the version script (the BPFHOST_API functions:
# the script keeps it so when a flag or a static dependency changes).
set(BPFHOST_ABI_MAP ${CMAKE_CURRENT_SOURCE_DIR}/abi/libbpfhost.map)
add_library(bpfhost_shared SHARED $<TARGET_OBJECTS:bpfhost>)
target_link_libraries(bpfhost_shared PUBLIC Threads::Threads ${CMAKE_DL_LIBS})
target_link_options(bpfhost_shared PRIVATE
  -Wl,--version-script=${BPFHOST_ABI_MAP} -Wl,--no-undefined -Wl,--exclude-libs,ALL)
target_include_directories(bpfhost_shared PUBLIC
  $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:include>)
set_target_properties(bpfhost_shared PROPERTIES
  OUTPUT_NAME bpfhost EXPORT_NAME bpfhost
  VERSION ${BPFHOST_VERSION} SOVERSION ${BPFHOST_SOVERSION}
  LINK_DEPENDS ${BPFHOST_ABI_MAP})
add_library(bpfhost::bpfhost ALIAS bpfhost_shared)
add_library(bpfhost::bpfhost_static ALIAS bpfhost)

# bpfhost::extension: headers only, what a module may see of the core.
add_library(bpfhost_extension INTERFACE)
target_include_directories(bpfhost_extension INTERFACE
  $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:include>)
set_target_properties(bpfhost_extension PROPERTIES EXPORT_NAME extension)
add_library(bpfhost::extension ALIAS bpfhost_extension)

# bpfhost_add_extension() in this tree too (the same file the package installs).
include(${CMAKE_CURRENT_SOURCE_DIR}/cmake/bpfhostExtension.cmake)

set(BPFHOST_CMAKE_DIR lib/cmake/bpfhost)
install(TARGETS bpfhost bpfhost_shared bpfhost_extension EXPORT bpfhostTargets
  ARCHIVE DESTINATION lib
  LIBRARY DESTINATION lib
  RUNTIME DESTINATION bin)
install(DIRECTORY include/ DESTINATION include FILES_MATCHING PATTERN "*.h")
install(EXPORT bpfhostTargets NAMESPACE bpfhost:: DESTINATION ${BPFHOST_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/bpfhostConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/bpfhostConfig.cmake INSTALL_DESTINATION ${BPFHOST_CMAKE_DIR})
# Pre-1.0 minors break: a request for 0.1 accepts 0.1.x only.
if(BPFHOST_VERSION_MAJOR EQUAL 0)
  set(_bh_compat SameMinorVersion)
else()
  set(_bh_compat SameMajorVersion)
endif()
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/bpfhostConfigVersion.cmake
  VERSION ${BPFHOST_VERSION} COMPATIBILITY ${_bh_compat})
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/bpfhostConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/bpfhostConfigVersion.cmake
  ${CMAKE_CURRENT_SOURCE_DIR}/cmake/bpfhostExtension.cmake
  ${CMAKE_CURRENT_SOURCE_DIR}/cmake/bpfhostCheckExports.cmake
  ${CMAKE_CURRENT_SOURCE_DIR}/cmake/bpfhost_extension.map
  DESTINATION ${BPFHOST_CMAKE_DIR})
if(CMAKE_DL_LIBS)
  set(BPFHOST_PC_DL -l${CMAKE_DL_LIBS})
endif()
foreach(pc bpfhost bpfhost-extension)
  configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/${pc}.pc.in ${CMAKE_CURRENT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${pc}.pc DESTINATION lib/pkgconfig)
endforeach()

# The ABI guard: the shared library's exports are exactly abi/libbpfhost.symbols,
# which is exactly the BPFHOST_API functions of the public headers.
if(BPFHOST_BUILD_TESTS)
  add_test(NAME abi_symbols COMMAND ${CMAKE_COMMAND}
    -DLIBRARY=$<TARGET_FILE:bpfhost_shared> -DNM=${CMAKE_NM}
    -DSYMBOLS=${CMAKE_CURRENT_SOURCE_DIR}/abi/libbpfhost.symbols
    -DHEADERS=${CMAKE_CURRENT_SOURCE_DIR}/include/bpfhost
    -P ${CMAKE_CURRENT_SOURCE_DIR}/abi/check_abi.cmake)
endif()
