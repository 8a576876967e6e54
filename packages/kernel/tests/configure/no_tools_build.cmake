# no_optional_tools: a machine without clang-19, llvm-19, bpftool and
# libbpf-dev (a fresh Debian 12 before tools/install-deps.sh). Configures
# SOURCE_DIR into WORK_DIR with BPFHOST_ASSUME_MISSING naming all of them and
# requires: a configure message for each thing turned off (EXPECT, '|'-separated
# regexes), a -Werror build with no warning at all, and ctest passing with the
# tests in SKIPPED ('|'-separated) reported as skipped. Stress tests are left out
# (they do not depend on the tools and run in the normal build).
# Run as: cmake -DSOURCE_DIR=... -DWORK_DIR=... -DEXPECT=... -DSKIPPED=... -P no_tools_build.cmake
# '|' separates list items: add_test would split a ';' list into arguments.
string(REPLACE "|" ";" EXPECT "${EXPECT}")
string(REPLACE "|" ";" SKIPPED "${SKIPPED}")
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR} -G Ninja
          -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPFHOST_WERROR=ON
          "-DBPFHOST_ASSUME_MISSING=clang-19;llvm-19;bpftool;libbpf-dev"
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configure without the optional tools failed (${rc}):\n${out}${err}")
endif()
foreach(re IN LISTS EXPECT)
  if(NOT out MATCHES "${re}")
    message(FATAL_ERROR "configure did not say '${re}':\n${out}")
  endif()
endforeach()

execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR} -j2
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the -Werror build without the optional tools failed (${rc}):\n${out}${err}")
endif()
if("${out}${err}" MATCHES "warning:")
  message(FATAL_ERROR "the build without the optional tools has warnings:\n${out}${err}")
endif()

execute_process(COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS= ctest --test-dir ${WORK_DIR} -LE stress -j2
          --output-on-failure
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  # Name the failing tests first: CI logs keep a message's head and tail only.
  string(REGEX MATCH "The following tests FAILED:.*" failed "${out}")
  message(FATAL_ERROR "ctest without the optional tools failed (${rc}).\n${failed}\n"
          "Full output:\n${out}${err}\n(end of output) ${failed}")
endif()
foreach(t IN LISTS SKIPPED)
  if(NOT out MATCHES "${t} \\(Skipped\\)")
    message(FATAL_ERROR "${t} was not reported as skipped:\n${out}")
  endif()
endforeach()
list(LENGTH SKIPPED nskipped)
message("no_optional_tools: configured and built ${SOURCE_DIR} warning-free under -Werror without clang-19, llvm-19, bpftool and libbpf-dev; ctest passed with ${nskipped} tests skipped")
