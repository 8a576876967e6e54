# cmake -DCHECK=bpfhost-check -DGOOD=kit_map.so -DLEAK=kit_map_leak.so -DNULLDEREF=kit_map_null.so
#       -P check_kit_test.cmake
# The kit passes the correct provider and fails each broken one, naming the
# bug in the report: a report that fails nothing would pass this test only
# for the correct provider.
cmake_minimum_required(VERSION 3.20)

function(kit expect_rc out_var)
  execute_process(COMMAND ${CHECK} ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc STREQUAL "${expect_rc}")
    message(FATAL_ERROR "bpfhost-check ${ARGN}: exit ${rc}, expected ${expect_rc}\n${out}${err}")
  endif()
  set(${out_var} "${out}${err}" PARENT_SCOPE)
endfunction()

function(expect_match text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: the report does not match '${regex}':\n${text}")
  endif()
endfunction()

# The correct provider passes every phase, fault injection included.
kit(0 good ${GOOD} --map-type 4600 --verbose)
expect_match("${good}" "kit_map passed: 11 phases ran" "correct provider")
expect_match("${good}" "ok    fault injection: the provider's epoch allocations" "correct provider")
expect_match("${good}" "postprocess_map_delete_element +0x2: [1-9]" "the matrix shows the UPDATE rows")
expect_match("${good}" "postprocess_map_delete_element +0x4: [1-9]" "the matrix shows the MAP_CLEANUP rows")
expect_match("${good}" "ok    helper paths \\(programs\\)" "correct provider")
expect_match("${good}" "ok    map-in-map" "correct provider")

# Leaks on the UPDATE flag: the undo path, displaced values, and the sums.
kit(1 leak ${LEAK} --map-type 4600 --no-faults)
expect_match("${leak}" "FAIL  full map and the undo path" "leaky provider")
expect_match("${leak}" "epoch allocations? of the provider never freed" "leaky provider")
expect_match("${leak}" "in all outstanding\\): free what a value owns in the delete callback" "leaky provider")

# Ignores a NULL from epoch_allocate: fault injection crashes it, and the report says where.
kit(1 null ${NULLDEREF} --map-type 4600)
expect_match("${null}" "FAIL  fault injection: the provider's epoch allocations" "NULL-ignoring provider")
expect_match("${null}" "(crashed with signal (11|6) \\([^)]*\\)|exited with status [0-9]+ \\(a sanitizer.s report is on stderr\\)), fault-injection point #1; the last callback entered: epoch_allocate .*check the result and return -ENOMEM" "NULL-ignoring provider")

# Usage: an unknown map type names the module's types; exit 2.
kit(2 none ${GOOD} --map-type 4601)
expect_match("${none}" "registers no provider of map type 4601 \\(its map types: 4600\\)" "unknown type")
kit(2 usage ${GOOD})
expect_match("${usage}" "--map-type N is required" "usage")
