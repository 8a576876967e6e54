# prog_check_test's clang-compiled programs (included from tests/CMakeLists.txt
# after the unit-test loop, which creates prog_check_test): each
# prog_check/*.bpf.c built for -mcpu=v3 and v4 with only clang (-nostdinc), its
# .text cut out as raw instructions. The structural check must accept them
# all. Without clang-19 and llvm-objcopy-19 the test says so and skips them.

include(${PROJECT_SOURCE_DIR}/cmake/BpfhostTools.cmake)
bpfhost_find_program(BPFHOST_BPF_CLANG clang-19)
bpfhost_find_program(BPFHOST_LLVM_OBJCOPY llvm-objcopy-19)
if(BPFHOST_BPF_CLANG AND BPFHOST_LLVM_OBJCOPY)
  set(check_dir ${CMAKE_CURRENT_BINARY_DIR}/prog_check_bpf)
  file(GLOB check_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/prog_check/*.bpf.c)
  set(check_outputs "")
  foreach(src ${check_sources})
    get_filename_component(name ${src} NAME_WE)
    foreach(cpu v3 v4)
      set(base ${check_dir}/${name}.${cpu})
      add_custom_command(
        OUTPUT ${base}.text
        COMMAND ${CMAKE_COMMAND} -E make_directory ${check_dir}
        COMMAND ${BPFHOST_BPF_CLANG} -target bpf -O2 -mcpu=${cpu} -Wall -Werror -nostdinc
                -c ${src} -o ${base}.o
        COMMAND ${BPFHOST_LLVM_OBJCOPY} -O binary --only-section=.text ${base}.o ${base}.text
        DEPENDS ${src} ${CMAKE_CURRENT_SOURCE_DIR}/prog_check/bpf_defs.h
        VERBATIM)
      list(APPEND check_outputs ${base}.text)
    endforeach()
  endforeach()
  add_custom_target(prog_check_bpf_objects DEPENDS ${check_outputs})
  add_dependencies(prog_check_test prog_check_bpf_objects)
  target_compile_definitions(prog_check_test PRIVATE BPFHOST_CHECK_BPF_DIR="${check_dir}")
  # The verifier's CFG stage must accept them too.
  add_dependencies(verifier_cfg_test prog_check_bpf_objects)
  target_compile_definitions(verifier_cfg_test PRIVATE BPFHOST_CHECK_BPF_DIR="${check_dir}")
else()
  message(STATUS "prog_check_test: clang-19 or llvm-objcopy-19 not found; its clang programs will skip")
endif()
