# Assembler/disassembler tests (included from tests/CMakeLists.txt after the
# unit-test loop, which creates asm_test and asm_llvm_test):
# - where the shared conformance data lives (BPFHOST_CONFORMANCE_DIR at run
#   time overrides it);
# - BPF objects compiled by clang at build time, their .text bytes and
#   llvm-objdump's listing, for asm_llvm_test (skipped when clang-19 is absent);
# - asm_cli: bpfhost-asm on the conformance files (tests/asm/cli_test.cmake).

get_filename_component(BPFHOST_CONFORMANCE_DIR_DEFAULT
  "${PROJECT_SOURCE_DIR}/../../../shared/conformance/tests" ABSOLUTE)
target_compile_definitions(asm_test PRIVATE
  BPFHOST_CONFORMANCE_DIR_DEFAULT="${BPFHOST_CONFORMANCE_DIR_DEFAULT}")

include(${PROJECT_SOURCE_DIR}/cmake/BpfhostTools.cmake)
bpfhost_find_program(BPFHOST_BPF_CLANG clang-19)
bpfhost_find_program(BPFHOST_LLVM_OBJCOPY llvm-objcopy-19)
bpfhost_find_program(BPFHOST_LLVM_OBJDUMP llvm-objdump-19)
if(BPFHOST_BPF_CLANG AND BPFHOST_LLVM_OBJCOPY AND BPFHOST_LLVM_OBJDUMP)
  set(oracle_dir ${CMAKE_CURRENT_BINARY_DIR}/asm_oracle)
  set(oracle_outputs "")
  set(oracle_names "")
  # source:cpu pairs; v4 brings sdiv/smod, movsx, sign-extending loads, bswap.
  foreach(spec alu_mem:v4 calls_atomics:v3 calls_atomics:v4)
    string(REPLACE ":" ";" parts ${spec})
    list(GET parts 0 src)
    list(GET parts 1 cpu)
    set(base ${oracle_dir}/${src}.${cpu})
    add_custom_command(
      OUTPUT ${base}.text ${base}.objdump
      COMMAND ${CMAKE_COMMAND} -E make_directory ${oracle_dir}
      COMMAND ${BPFHOST_BPF_CLANG} -target bpf -O2 -mcpu=${cpu} -Wall -Werror -nostdinc
              -c ${CMAKE_CURRENT_SOURCE_DIR}/asm/bpf/${src}.bpf.c
              -o ${base}.o
      COMMAND ${BPFHOST_LLVM_OBJCOPY} -O binary --only-section=.text ${base}.o ${base}.text
      COMMAND ${CMAKE_COMMAND} -DOBJDUMP=${BPFHOST_LLVM_OBJDUMP} -DIN=${base}.o
              -DOUT=${base}.objdump -P ${CMAKE_CURRENT_SOURCE_DIR}/asm/objdump.cmake
      DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/asm/bpf/${src}.bpf.c
              ${CMAKE_CURRENT_SOURCE_DIR}/asm/objdump.cmake
      VERBATIM)
    list(APPEND oracle_outputs ${base}.text ${base}.objdump)
    list(APPEND oracle_names ${src}.${cpu})
  endforeach()
  add_custom_target(asm_oracle_objects DEPENDS ${oracle_outputs})
  add_dependencies(asm_llvm_test asm_oracle_objects)
  string(REPLACE ";" " " oracle_names "${oracle_names}")
  target_compile_definitions(asm_llvm_test PRIVATE
    BPFHOST_ASM_ORACLE_DIR="${oracle_dir}" BPFHOST_ASM_ORACLE_OBJECTS="${oracle_names}")
else()
  message(STATUS "asm_llvm_test: clang-19, llvm-objcopy-19 or llvm-objdump-19 not found; it will skip")
  set_tests_properties(asm_llvm_test PROPERTIES SKIP_REGULAR_EXPRESSION "SKIP: clang_objects")
endif()

add_test(NAME asm_cli COMMAND ${CMAKE_COMMAND}
  -DTOOL=$<TARGET_FILE:bpfhost-asm>
  -DCONFORMANCE_DIR=${BPFHOST_CONFORMANCE_DIR_DEFAULT}
  -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/asm_cli
  -P ${CMAKE_CURRENT_SOURCE_DIR}/asm/cli_test.cmake)
set_tests_properties(asm_cli PROPERTIES SKIP_REGULAR_EXPRESSION "SKIP:" TIMEOUT 600)
