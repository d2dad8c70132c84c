# proviso_policy_header(TARGET <target> POLICY <file.proviso> [NAME <name>])
#
# Generates, at build time, <binary dir>/proviso_gen/<name>.h (default name: the policy file's
# stem) with `proviso compile --emit=cpp`: the policy's enums, a Facts view that writes a
# proviso::Row's facts in place and an Outputs view that reads its decision (see docs/sdk-cpp.md,
# "Generated types"). The header is made again when a .proviso or .law file of the policy's folder
# changes, and <target> gets its folder on the include path: `#include "proviso_gen/<name>.h"`.
# PROVISO_EXECUTABLE names the `proviso` program (set by the build tree and by find_package).
function(proviso_policy_header)
  cmake_parse_arguments(ARG "" "TARGET;POLICY;NAME" "" ${ARGN})
  if(NOT ARG_TARGET OR NOT ARG_POLICY)
    message(FATAL_ERROR "proviso_policy_header: TARGET and POLICY are required")
  endif()
  get_filename_component(policy "${ARG_POLICY}" ABSOLUTE)
  if(NOT ARG_NAME)
    get_filename_component(ARG_NAME "${policy}" NAME_WE)
  endif()
  get_filename_component(folder "${policy}" DIRECTORY)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS "${folder}/*.proviso" "${folder}/*.law")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/proviso_generated")
  set(header "${dir}/proviso_gen/${ARG_NAME}.h")
  add_custom_command(OUTPUT "${header}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${dir}/proviso_gen"
    COMMAND ${PROVISO_EXECUTABLE} compile "${policy}" --emit=cpp -o "${header}"
    DEPENDS ${sources} ${PROVISO_EXECUTABLE_TARGET}
    COMMENT "proviso: the C++ types of ${ARG_NAME}"
    VERBATIM)
  target_sources(${ARG_TARGET} PRIVATE "${header}")
  target_include_directories(${ARG_TARGET} PRIVATE "${dir}")
endfunction()
