# Regenerates the example into WORK and compares every file with EXAMPLES.
# EMULATOR (cross builds: the qemu command) runs GENERATOR if set.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND ${EMULATOR} "${GENERATOR}" "${WORK}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generator failed: ${rc}")
endif()
file(GLOB generated RELATIVE "${WORK}" "${WORK}/*")
foreach(f IN LISTS generated)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK}/${f}" "${EXAMPLES}/${f}"
                  RESULT_VARIABLE diff)
  if(NOT diff EQUAL 0)
    message(FATAL_ERROR "examples/${f} differs from what make_tiny_lines writes: regenerate it")
  endif()
endforeach()
message(STATUS "example files reproducible: ${generated}")
