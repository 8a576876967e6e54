# Optional build tools (clang-19, llvm-19's objcopy/objdump, bpftool, libbpf-dev's
# headers). Whatever is missing only turns off what depends on it, with a
# message at configure time; the rest builds warning-free. (Included by the
# kernel's tests and by sample-ext.)
#
# BPFHOST_ASSUME_MISSING names tools to treat as absent even when installed, so
# the configure path of a machine without them can be built and tested here:
#   cmake ... -DBPFHOST_ASSUME_MISSING="clang-19;llvm-19;bpftool;libbpf-dev"
# (llvm-19 stands for llvm-objcopy-19 and llvm-objdump-19.)
include_guard(GLOBAL)
set(BPFHOST_ASSUME_MISSING "" CACHE STRING
  "Optional tools to treat as absent: any of clang-19, llvm-19, bpftool, libbpf-dev")

# True when TOOL is listed in BPFHOST_ASSUME_MISSING (llvm-*-19 under llvm-19).
function(bpfhost_assumed_missing tool out)
  set(key ${tool})
  if(tool MATCHES "^llvm-.*-19$")
    set(key llvm-19)
  endif()
  if(key IN_LIST BPFHOST_ASSUME_MISSING)
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# find_program(VAR NAMES TOOL [extra args]) unless TOOL is assumed missing;
# then VAR is VAR-NOTFOUND and no cache entry is left behind, so a later
# configure without the option finds the tool again.
function(bpfhost_find_program var tool)
  bpfhost_assumed_missing(${tool} missing)
  if(missing)
    unset(${var} CACHE)
    set(${var} "${var}-NOTFOUND" PARENT_SCOPE)
    return()
  endif()
  find_program(${var} NAMES ${tool} ${ARGN})
  set(${var} "${${var}}" PARENT_SCOPE)
endfunction()

# libbpf-dev's <bpf/bpf_helpers.h>: VAR is the include directory that holds it.
function(bpfhost_find_bpf_helpers var)
  bpfhost_assumed_missing(libbpf-dev missing)
  if(missing)
    unset(${var} CACHE)
    set(${var} "${var}-NOTFOUND" PARENT_SCOPE)
    return()
  endif()
  find_path(${var} bpf/bpf_helpers.h)
  set(${var} "${${var}}" PARENT_SCOPE)
endfunction()
