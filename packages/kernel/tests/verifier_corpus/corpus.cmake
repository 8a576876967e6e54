# The verifier's differential corpus (included from tests/CMakeLists.txt after
# the unit-test loop, which creates verifier_kernel_diff_test): every
# verifier_corpus/<category>.bpf.c is compiled by clang-19 as tests/bpf/ objects
# are (`-target bpf -O2 -g` against libbpf-dev's headers) into
# <build>/tests/verifier_corpus/<category>.bpf.o. The test loads each program
# through the kernel's bpf(2) (the oracle for its accept_/refuse_ label) and
# through bpfhost, and prints the agreement matrix. Without clang-19 or
# libbpf-dev the test prints "SKIP:" and passes.
#
# BPFHOST_VERIFIER_DIFF_ENFORCE turns the matrix into requirements (issue 11):
# bpfhost refuses every program Linux refuses in the memory-safety, reference
# and termination categories, and accepts at least 95% of what Linux accepts.
# On: the verifier is wired into BPF_PROG_LOAD.
option(BPFHOST_VERIFIER_DIFF_ENFORCE
  "verifier_kernel_diff_test requires bpfhost's verdicts to meet issue 11's agreement targets" ON)

include(${PROJECT_SOURCE_DIR}/cmake/BpfhostTools.cmake)
bpfhost_find_program(BPFHOST_OBJ_CLANG clang-19)
bpfhost_find_bpf_helpers(BPFHOST_BPF_HELPERS_DIR)

set(corpus_test verifier_kernel_diff_test)
file(GLOB corpus_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/verifier_corpus/*.bpf.c)
file(GLOB corpus_headers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/verifier_corpus/*.h)
if(BPFHOST_VERIFIER_DIFF_ENFORCE)
  target_compile_definitions(${corpus_test} PRIVATE BPFHOST_VERIFIER_DIFF_ENFORCE=1)
endif()
if(BPFHOST_OBJ_CLANG AND BPFHOST_BPF_HELPERS_DIR)
  set(corpus_dir ${CMAKE_CURRENT_BINARY_DIR}/verifier_corpus)
  if(CMAKE_LIBRARY_ARCHITECTURE)
    set(corpus_arch_include -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
  else()
    set(corpus_arch_include -I/usr/include/x86_64-linux-gnu)
  endif()
  set(corpus_outputs "")
  set(corpus_names "")
  foreach(src ${corpus_sources})
    get_filename_component(name ${src} NAME)
    string(REGEX REPLACE "\\.bpf\\.c$" "" category ${name})
    add_custom_command(
      OUTPUT ${corpus_dir}/${category}.bpf.o
      COMMAND ${CMAKE_COMMAND} -E make_directory ${corpus_dir}
      COMMAND ${BPFHOST_OBJ_CLANG} -target bpf -O2 -g -mcpu=v3 -Wall -Werror
              ${corpus_arch_include} -I${BPFHOST_BPF_HELPERS_DIR} -c ${src}
              -o ${corpus_dir}/${category}.bpf.o
      DEPENDS ${src} ${corpus_headers}
      COMMENT "clang-19 -target bpf verifier_corpus/${name}"
      VERBATIM)
    list(APPEND corpus_outputs ${corpus_dir}/${category}.bpf.o)
    list(APPEND corpus_names ${category})
  endforeach()
  add_custom_target(bpfhost_verifier_corpus DEPENDS ${corpus_outputs})
  add_dependencies(${corpus_test} bpfhost_verifier_corpus)
  # The categories as compiled, ','-separated: the test requires each to be in its table.
  string(REPLACE ";" "," corpus_list "${corpus_names}")
  target_compile_definitions(${corpus_test} PRIVATE BPFHOST_VERIFIER_CORPUS_DIR="${corpus_dir}"
                             BPFHOST_VERIFIER_CORPUS_CATEGORIES="${corpus_list}")
else()
  message(STATUS "verifier_kernel_diff_test: clang-19 or libbpf-dev's bpf/bpf_helpers.h not found; it will skip")
endif()
set_tests_properties(${corpus_test} PROPERTIES SKIP_REGULAR_EXPRESSION "^SKIP: ")
