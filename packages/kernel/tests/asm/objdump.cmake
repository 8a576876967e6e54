# Writes llvm-objdump's disassembly of IN to OUT (build step of asm_tests.cmake).
execute_process(COMMAND ${OBJDUMP} -d ${IN} OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${OBJDUMP} -d ${IN} failed: ${rc}")
endif()
