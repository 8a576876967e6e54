# BPF objects for tests (included from tests/CMakeLists.txt after the
# unit-test loop). Every tests/bpf/*.bpf.c is compiled by clang-19 at build
# time, as a user would (`-target bpf -O2 -g` against libbpf-dev's
# <bpf/bpf_helpers.h>), into <build>/tests/bpf_objects/<name>.bpf.o. Every unit
# test gets the directory as BPFHOST_TEST_BPF_DIR (support/bpf_objects.h reads
# it) and tests/bpf on its include path; without clang-19 or libbpf-dev the
# macro is undefined and the object loader's tests print "SKIP:" and pass.
# bpftool (the BTF oracle of btf_test) is optional.

include(${PROJECT_SOURCE_DIR}/cmake/BpfhostTools.cmake)
bpfhost_find_program(BPFHOST_OBJ_CLANG clang-19)
bpfhost_find_bpf_helpers(BPFHOST_BPF_HELPERS_DIR)
bpfhost_find_program(BPFHOST_BPFTOOL bpftool PATHS /usr/sbin /sbin)
if(NOT BPFHOST_BPFTOOL)
  message(STATUS "btf_test: bpftool not found; its comparison with `bpftool btf dump` will skip")
endif()

# The object loader's own tests (skipped as a whole without clang-19).
set(bpf_obj_tests object_test object_maps_test object_config_test object_reloc_test btf_test elf_reader_test core_relo_test object_extern_test object_kfunc_test)
# Every unit test may use the objects.
set(bpf_obj_users "")
foreach(src ${BPFHOST_TEST_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  if(TARGET ${name})
    list(APPEND bpf_obj_users ${name})
  endif()
endforeach()

if(BPFHOST_OBJ_CLANG AND BPFHOST_BPF_HELPERS_DIR)
  set(bpf_obj_dir ${CMAKE_CURRENT_BINARY_DIR}/bpf_objects)
  if(CMAKE_LIBRARY_ARCHITECTURE)
    set(bpf_obj_arch_include -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
  else()
    set(bpf_obj_arch_include -I/usr/include/x86_64-linux-gnu)
  endif()
  file(GLOB bpf_obj_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/bpf/*.bpf.c)
  file(GLOB bpf_obj_headers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/bpf/*.h)
  set(bpf_obj_outputs "")
  foreach(src ${bpf_obj_sources})
    get_filename_component(name ${src} NAME)
    string(REGEX REPLACE "\\.c$" ".o" out ${name})
    add_custom_command(
      OUTPUT ${bpf_obj_dir}/${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${bpf_obj_dir}
      COMMAND ${BPFHOST_OBJ_CLANG} -target bpf -O2 -g -mcpu=v3 -Wall -Werror
              ${bpf_obj_arch_include} -I${BPFHOST_BPF_HELPERS_DIR} -c ${src} -o ${bpf_obj_dir}/${out}
      DEPENDS ${src} ${bpf_obj_headers}
      COMMENT "clang-19 -target bpf ${name}"
      VERBATIM)
    list(APPEND bpf_obj_outputs ${bpf_obj_dir}/${out})
  endforeach()
  add_custom_target(bpfhost_test_bpf_objects DEPENDS ${bpf_obj_outputs})
  foreach(t ${bpf_obj_users})
    add_dependencies(${t} bpfhost_test_bpf_objects)
    target_compile_definitions(${t} PRIVATE BPFHOST_TEST_BPF_DIR="${bpf_obj_dir}"
                               BPFHOST_TEST_BPF_SRC_DIR="${CMAKE_CURRENT_SOURCE_DIR}/bpf")
  endforeach()
else()
  message(STATUS "object loader tests: clang-19 or libbpf-dev's bpf/bpf_helpers.h not found; they will skip")
endif()

foreach(t ${bpf_obj_users})
  # The host side includes the key/value types the BPF side uses (the layout oracle).
  target_include_directories(${t} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/bpf)
endforeach()
foreach(t ${bpf_obj_tests})
  if(TARGET ${t})
    if(BPFHOST_BPFTOOL)
      target_compile_definitions(${t} PRIVATE BPFHOST_BPFTOOL="${BPFHOST_BPFTOOL}")
    endif()
    set_tests_properties(${t} PROPERTIES SKIP_REGULAR_EXPRESSION "^SKIP: ")
  endif()
endforeach()

# libbpf-dev's libbpf as the oracle of CO-RE relocation and line info
# (tests/oracle): linked into the tests that compare with it, where found.
set(bpf_libbpf_oracle_users core_relo_test line_info_test)
bpfhost_assumed_missing(libbpf-dev bpf_libbpf_missing)
if(NOT bpf_libbpf_missing)
  find_library(BPFHOST_LIBBPF bpf)
endif()
if(BPFHOST_LIBBPF AND BPFHOST_BPF_HELPERS_DIR AND BPFHOST_OBJ_CLANG)
  foreach(t ${bpf_libbpf_oracle_users})
    if(TARGET ${t})
      target_sources(${t} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/oracle/libbpf_oracle.c)
      target_include_directories(${t} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/oracle)
      target_link_libraries(${t} PRIVATE ${BPFHOST_LIBBPF})
      target_compile_definitions(${t} PRIVATE BPFHOST_TEST_LIBBPF=1)
    endif()
  endforeach()
else()
  message(STATUS "libbpf oracle: libbpf-dev not found; CO-RE and line info comparisons with libbpf will skip")
endif()

# The built-in CO-RE target (src/lib/core_btf_blob.c) is generated and
# committed; this regenerates it and fails when the committed one is stale.
bpfhost_find_program(BPFHOST_OBJCOPY llvm-objcopy-19)
if(BPFHOST_OBJ_CLANG AND BPFHOST_OBJCOPY)
  add_test(NAME core_btf_blob_current COMMAND ${CMAKE_COMMAND}
    -DCLANG=${BPFHOST_OBJ_CLANG} -DOBJCOPY=${BPFHOST_OBJCOPY}
    -DSRC=${PROJECT_SOURCE_DIR}/tools/core_btf
    -DOUT=${CMAKE_CURRENT_BINARY_DIR}/core_btf_blob.c -DWORK=${CMAKE_CURRENT_BINARY_DIR}/core_btf
    -DCOMPARE=${PROJECT_SOURCE_DIR}/src/lib/core_btf_blob.c
    -P ${PROJECT_SOURCE_DIR}/tools/core_btf/gen_core_btf.cmake)
else()
  message(STATUS "core_btf_blob_current: clang-19 or llvm-objcopy-19 not found; the committed CO-RE BTF is not rechecked")
endif()
