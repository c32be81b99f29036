# ctest driver (cmake -P): install gcpsim from the build tree into a private prefix, then
# configure, build and test tests/external against it, as a user's project would.
# Inputs: GCPSIM_BUILD, SOURCE, WORK, GENERATOR.
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()

get_filename_component(bin "${CMAKE_COMMAND}" DIRECTORY)
file(REMOVE_RECURSE "${WORK}")
step(${CMAKE_COMMAND} --install "${GCPSIM_BUILD}" --prefix "${WORK}/prefix")
step(${CMAKE_COMMAND} -S "${SOURCE}" -B "${WORK}/build" -G "${GENERATOR}" "-DCMAKE_PREFIX_PATH=${WORK}/prefix")
step(${CMAKE_COMMAND} --build "${WORK}/build")
step("${bin}/ctest" --test-dir "${WORK}/build" --output-on-failure)
