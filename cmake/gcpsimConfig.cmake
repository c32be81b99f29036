# find_package(gcpsim): the installed gcpsim binary as gcpsim::gcpsim, and
# gcpsim_add_scenarios() to run scenario files under ctest.
include("${CMAKE_CURRENT_LIST_DIR}/gcpsimTargets.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/gcpsim-scenarios.cmake")
