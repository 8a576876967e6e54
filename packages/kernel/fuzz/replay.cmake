# The committed fuzz corpora (fuzz/corpus/<name>) replayed as ctests in the
# normal and sanitizer builds (gcc, no libFuzzer): each harness linked with
# replay_main.c instead of libFuzzer's main. Included from tests/CMakeLists.txt.
set(BPFHOST_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
foreach(h prog verifier elf asm)
  set(t fuzz_replay_${h})
  add_executable(${t} ${BPFHOST_FUZZ_DIR}/fuzz_${h}.c ${BPFHOST_FUZZ_DIR}/replay_main.c)
  target_link_libraries(${t} PRIVATE bpfhost)
  target_include_directories(${t} PRIVATE ${BPFHOST_FUZZ_DIR}/../src)
  target_compile_options(${t} PRIVATE ${BPFHOST_WARNINGS})
  add_test(NAME ${t} COMMAND ${t} ${BPFHOST_FUZZ_DIR}/corpus/${h})
  set_tests_properties(${t} PROPERTIES TIMEOUT 600)
endforeach()
target_sources(fuzz_replay_prog PRIVATE ${BPFHOST_FUZZ_DIR}/prog_gen.c)
target_sources(fuzz_replay_verifier PRIVATE ${BPFHOST_FUZZ_DIR}/vprog_gen.c ${BPFHOST_FUZZ_DIR}/vprog_emit.c)
foreach(t fuzz_replay_prog fuzz_replay_verifier)
  add_dependencies(${t} test_prog_provider)
  target_compile_definitions(${t} PRIVATE BPFHOST_FUZZ_PROG_MODULE="$<TARGET_FILE:test_prog_provider>")
endforeach()
