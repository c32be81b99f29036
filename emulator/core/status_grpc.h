// core::Status ⇄ grpc::Status, details carried as a google.rpc.Status in the binary
// grpc-status-details-bin trailer, as Google's gRPC front ends send them.
#pragma once
#include <grpcpp/support/status.h>

#include "core/status.h"

namespace gcpsim::core {

grpc::Status to_grpc_status(const Status& s);
// Details of types other than RetryInfo, ErrorInfo and BadRequest are dropped.
Status from_grpc_status(const grpc::Status& s);

}  // namespace gcpsim::core
