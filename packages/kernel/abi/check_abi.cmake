# cmake -DLIBRARY=libbpfhost.so -DNM=nm -DSYMBOLS=abi/libbpfhost.symbols
#       -DHEADERS=include/bpfhost -P check_abi.cmake
# The ABI guard. Three sets must be equal:
#   - the functions the public headers mark BPFHOST_API,
#   - the checked-in list (abi/libbpfhost.symbols, one name a line),
#   - what the built shared library exports (nm -D --defined-only).
# A function that disappears, one exported without being listed (or listed
# without being declared) fails the test with the names.
cmake_minimum_required(VERSION 3.20)
file(STRINGS "${SYMBOLS}" listed REGEX "^[A-Za-z_][A-Za-z0-9_]*$")
list(SORT listed)

file(GLOB headers "${HEADERS}/*.h")
set(declared "")
foreach(h IN LISTS headers)
  file(READ "${h}" text)
  string(REGEX REPLACE "(^|\n)[ \t]*#[^\n]*" "\n" text "${text}")  # the macro's own #define
  string(REGEX MATCHALL "BPFHOST_API[^(;#{}]*\\(" decls "${text}")
  foreach(d IN LISTS decls)
    if(d MATCHES "([A-Za-z_][A-Za-z0-9_]*)[ \t\n]*\\($")
      list(APPEND declared "${CMAKE_MATCH_1}")
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES declared)
list(SORT declared)

execute_process(COMMAND "${NM}" -D --defined-only "${LIBRARY}"
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -D ${LIBRARY} failed: ${err}")
endif()
string(REPLACE "\n" ";" lines "${out}")
set(exported "")
foreach(line IN LISTS lines)
  # "<addr> T name" (version nodes are absolute 'A' symbols: not functions)
  if(line MATCHES "^[0-9a-fA-F]* +([B-Zb-z]) ([^ @]+)")
    list(APPEND exported "${CMAKE_MATCH_2}")
  endif()
endforeach()
list(SORT exported)

function(diff name a b)  # prints the names in list a that are not in list b
  set(only "")
  foreach(s IN LISTS ${a})
    if(NOT s IN_LIST ${b})
      list(APPEND only "${s}")
    endif()
  endforeach()
  set(${name} "${only}" PARENT_SCOPE)
endfunction()

list(LENGTH listed n_listed)
list(LENGTH declared n_declared)
list(LENGTH exported n_exported)
message(STATUS "abi: ${n_declared} declared BPFHOST_API, ${n_listed} listed, ${n_exported} exported by ${LIBRARY}")
set(failed FALSE)
diff(gone listed exported)
if(gone)
  message(SEND_ERROR "listed in ${SYMBOLS} but no longer exported (an ABI break: restore them, "
                     "or remove them from the list and abi/libbpfhost.map in a breaking release): ${gone}")
endif()
diff(unlisted exported listed)
if(unlisted)
  message(SEND_ERROR "exported but not listed in ${SYMBOLS} (make them static/hidden, or declare "
                     "them BPFHOST_API and add them to the list and abi/libbpfhost.map): ${unlisted}")
endif()
diff(undeclared listed declared)
if(undeclared)
  message(SEND_ERROR "listed but declared BPFHOST_API in no header of ${HEADERS}: ${undeclared}")
endif()
diff(new declared listed)
if(new)
  message(SEND_ERROR "declared BPFHOST_API but not listed in ${SYMBOLS} nor exported "
                     "(add them to the list and to abi/libbpfhost.map): ${new}")
endif()
if(n_listed EQUAL 0)
  message(SEND_ERROR "${SYMBOLS} lists no symbol")
endif()
