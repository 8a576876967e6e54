# cmake -DMODULE=<module.so> -DNM=<nm> -P bpfhostCheckExports.cmake
# Fails unless the module's defined dynamic symbols are exactly
# bpfhost_extension_entry (a function): what bpfhost_extension_load() needs,
# and nothing a host's own symbols could clash with.
cmake_minimum_required(VERSION 3.20)
execute_process(COMMAND "${NM}" -D --defined-only "${MODULE}"
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -D ${MODULE} failed: ${err}")
endif()
string(REPLACE "\n" ";" lines "${out}")
set(entry FALSE)
set(extra "")
foreach(line IN LISTS lines)
  if(line MATCHES "^[0-9a-fA-F]* *([A-Za-z]) ([^ @]+)")
    if(CMAKE_MATCH_2 STREQUAL "bpfhost_extension_entry" AND CMAKE_MATCH_1 STREQUAL "T")
      set(entry TRUE)
    else()
      list(APPEND extra "${CMAKE_MATCH_2}")
    endif()
  endif()
endforeach()
if(NOT entry)
  message(FATAL_ERROR "${MODULE} does not export the function bpfhost_extension_entry: define it "
                      "with BPFHOST_EXTENSION_EXPORT (extension.h), e.g. "
                      "BPFHOST_EXTENSION_EXPORT int bpfhost_extension_entry(const struct bpfhost_registrar *r, struct bpfhost_module *m)")
endif()
if(extra)
  message(FATAL_ERROR "${MODULE} exports more than bpfhost_extension_entry: ${extra}. "
                      "Make them static or drop their visibility attribute.")
endif()
