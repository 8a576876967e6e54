# bpfhost_add_extension(<name> SOURCES <src>...)
#
# Builds an extension module <name>.so: a MODULE library (dlopen()ed by
# bpfhost_extension_load(), never linked against), position independent,
# compiled with hidden visibility, linked to bpfhost::extension (extension.h
# and nothing of the core's code), no "lib" prefix. The linker keeps exactly
# one dynamic symbol, bpfhost_extension_entry (a version script, and
# --exclude-libs so static libraries the module links stay inside), and a
# post-build step fails the build when the module exports anything else or
# lacks the entry point (mark its definition BPFHOST_EXTENSION_EXPORT).
# Add include directories, definitions and libraries with the usual
# target_* commands on <name>.

# Where this file's companions are, for calls from any directory.
set(_BPFHOST_EXTENSION_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "bpfhostExtension.cmake's folder")

function(bpfhost_add_extension name)
  cmake_parse_arguments(PARSE_ARGV 1 _bh "" "" "SOURCES")
  if(_bh_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "bpfhost_add_extension(${name}): unexpected arguments '${_bh_UNPARSED_ARGUMENTS}' "
                        "(usage: bpfhost_add_extension(NAME SOURCES file.c ...))")
  endif()
  if(NOT _bh_SOURCES)
    message(FATAL_ERROR "bpfhost_add_extension(${name}): no SOURCES given "
                        "(usage: bpfhost_add_extension(NAME SOURCES file.c ...))")
  endif()
  if(NOT TARGET bpfhost::extension)
    message(FATAL_ERROR "bpfhost_add_extension(${name}): target bpfhost::extension is missing: "
                        "call find_package(bpfhost CONFIG REQUIRED) first")
  endif()
  set(map "${_BPFHOST_EXTENSION_DIR}/bpfhost_extension.map")

  add_library(${name} MODULE ${_bh_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    POSITION_INDEPENDENT_CODE ON
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${map}")
  target_link_libraries(${name} PRIVATE bpfhost::extension)
  target_link_options(${name} PRIVATE "LINKER:--version-script=${map}" "LINKER:--exclude-libs,ALL")

  if(CMAKE_NM)
    add_custom_command(TARGET ${name} POST_BUILD
      COMMAND ${CMAKE_COMMAND} -DMODULE=$<TARGET_FILE:${name}> -DNM=${CMAKE_NM}
              -P "${_BPFHOST_EXTENSION_DIR}/bpfhostCheckExports.cmake"
      COMMENT "bpfhost: ${name} exports bpfhost_extension_entry only"
      VERBATIM)
  else()
    message(STATUS "bpfhost_add_extension(${name}): no nm found, the exported symbols are not checked")
  endif()
endfunction()
