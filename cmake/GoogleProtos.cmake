# Google's API protos: the npm package google-proto-files, pinned, fetched once and
# cached outside the build tree. GCPSIM_PROTOS_DIR points at a local copy instead
# (a directory holding google/pubsub/v1/pubsub.proto and the rest).
set(GCPSIM_PROTO_FILES_VERSION "6.0.1")
set(GCPSIM_PROTO_FILES_SHA256 "711763f77ea15bbc7436aac53db013b421d2c7b86ae27f4013723970ce54a96e")
set(GCPSIM_PROTOS_DIR "" CACHE PATH "Local copy of the google-proto-files package (offline builds)")
set(GCPSIM_PROTO_CACHE "$ENV{HOME}/.cache/gcpsim" CACHE PATH "Where the fetched protos are cached")

if(NOT GCPSIM_PROTOS_DIR)
  set(_dir "${GCPSIM_PROTO_CACHE}/google-proto-files-${GCPSIM_PROTO_FILES_VERSION}")
  if(NOT EXISTS "${_dir}/google/pubsub/v1/pubsub.proto")
    set(_tgz "${GCPSIM_PROTO_CACHE}/google-proto-files-${GCPSIM_PROTO_FILES_VERSION}.tgz")
    message(STATUS "Fetching google-proto-files ${GCPSIM_PROTO_FILES_VERSION}")
    file(DOWNLOAD
      "https://registry.npmjs.org/google-proto-files/-/google-proto-files-${GCPSIM_PROTO_FILES_VERSION}.tgz"
      "${_tgz}" EXPECTED_HASH SHA256=${GCPSIM_PROTO_FILES_SHA256} STATUS _st)
    list(GET _st 0 _code)
    if(NOT _code EQUAL 0)
      message(FATAL_ERROR "Could not fetch google-proto-files: ${_st}. Set GCPSIM_PROTOS_DIR to a local copy.")
    endif()
    file(ARCHIVE_EXTRACT INPUT "${_tgz}" DESTINATION "${_dir}.tmp"
         PATTERNS package/google/api package/google/rpc package/google/iam package/google/type
                  package/google/longrunning package/google/pubsub package/google/cloud/secretmanager
                  package/google/cloud/tasks package/google/ai/generativelanguage)
    file(REMOVE_RECURSE "${_dir}")
    file(RENAME "${_dir}.tmp/package" "${_dir}")
    file(REMOVE_RECURSE "${_dir}.tmp")
  endif()
  set(GCPSIM_PROTOS_DIR "${_dir}")
endif()
if(NOT EXISTS "${GCPSIM_PROTOS_DIR}/google/pubsub/v1/pubsub.proto")
  message(FATAL_ERROR "GCPSIM_PROTOS_DIR=${GCPSIM_PROTOS_DIR} has no google/pubsub/v1/pubsub.proto")
endif()

# The closure of what the emulated APIs import; well-known types come from libprotobuf.
set(GCPSIM_PROTOS
  google/api/annotations.proto google/api/client.proto google/api/field_behavior.proto
  google/api/http.proto google/api/launch_stage.proto google/api/resource.proto
  google/rpc/code.proto google/rpc/error_details.proto google/rpc/status.proto
  google/type/expr.proto google/type/interval.proto google/type/latlng.proto
  google/iam/v1/iam_policy.proto google/iam/v1/options.proto google/iam/v1/policy.proto
  google/iam/v1/resource_policy_member.proto google/longrunning/operations.proto
  google/pubsub/v1/pubsub.proto google/pubsub/v1/schema.proto
  google/cloud/secretmanager/v1/resources.proto google/cloud/secretmanager/v1/service.proto
  google/cloud/tasks/v2/cloudtasks.proto google/cloud/tasks/v2/queue.proto
  google/cloud/tasks/v2/target.proto google/cloud/tasks/v2/task.proto
  google/ai/generativelanguage/v1beta/citation.proto google/ai/generativelanguage/v1beta/content.proto
  google/ai/generativelanguage/v1beta/generative_service.proto google/ai/generativelanguage/v1beta/model.proto
  google/ai/generativelanguage/v1beta/model_service.proto google/ai/generativelanguage/v1beta/retriever.proto
  google/ai/generativelanguage/v1beta/safety.proto google/ai/generativelanguage/v1beta/tuned_model.proto)

find_program(PROTOC protoc REQUIRED)
set(_gen "${CMAKE_BINARY_DIR}/gen")
set(_srcs "")
foreach(p ${GCPSIM_PROTOS})
  string(REGEX REPLACE "\\.proto$" "" base "${p}")
  list(APPEND _srcs "${_gen}/${base}.pb.cc")
  set(_hdrs_${base} "${_gen}/${base}.pb.h")
endforeach()
set(_outs "")
foreach(p ${GCPSIM_PROTOS})
  string(REGEX REPLACE "\\.proto$" "" base "${p}")
  list(APPEND _outs "${_gen}/${base}.pb.cc" "${_gen}/${base}.pb.h")
endforeach()
list(TRANSFORM GCPSIM_PROTOS PREPEND "${GCPSIM_PROTOS_DIR}/" OUTPUT_VARIABLE _abs)
add_custom_command(
  OUTPUT ${_outs}
  COMMAND ${CMAKE_COMMAND} -E make_directory "${_gen}"
  COMMAND ${PROTOC} -I/usr/include -I${GCPSIM_PROTOS_DIR} --cpp_out=${_gen} ${GCPSIM_PROTOS}
  WORKING_DIRECTORY "${GCPSIM_PROTOS_DIR}"
  DEPENDS ${_abs}
  COMMENT "Generating C++ from Google's API protos")

# One static library for all generated code; never rebuilt unless the protos change.
add_library(gcpsim_protos STATIC ${_srcs})
target_include_directories(gcpsim_protos SYSTEM PUBLIC "${_gen}")
target_link_libraries(gcpsim_protos PUBLIC protobuf::libprotobuf)
# No debug info for generated code (nobody steps through protoc's parsers): pubsub.pb.cc, the
# largest, takes 33 s of CPU at -O2 -g0 against 43 s at -O2 -g. A unity build would share the
# protobuf headers too, but protoc 3.21's files each define file-static `schemas` and
# `file_default_instances`, so they cannot be concatenated.
target_compile_options(gcpsim_protos PRIVATE -w -g0)
