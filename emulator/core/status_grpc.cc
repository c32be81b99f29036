// The one place core::Status becomes a gRPC status (and back, for upstream gRPC answers).
#include "core/status_grpc.h"

#include <algorithm>
#include <chrono>
#include <type_traits>

#include <google/rpc/error_details.pb.h>
#include <google/rpc/status.pb.h>

namespace gcpsim::core {

namespace {

void pack(const StatusDetail& detail, google::protobuf::Any* any) {
  std::visit(
      [any](const auto& d) {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, RetryInfo>) {
          google::rpc::RetryInfo p;
          auto secs = std::chrono::duration_cast<std::chrono::seconds>(d.retry_delay);
          p.mutable_retry_delay()->set_seconds(secs.count());
          p.mutable_retry_delay()->set_nanos(static_cast<int32_t>((d.retry_delay - secs).count()));
          any->PackFrom(p);
        } else if constexpr (std::is_same_v<T, ErrorInfo>) {
          google::rpc::ErrorInfo p;
          p.set_reason(d.reason);
          p.set_domain(d.domain);
          for (const auto& [k, v] : d.metadata) (*p.mutable_metadata())[k] = v;
          any->PackFrom(p);
        } else {
          google::rpc::BadRequest p;
          for (const auto& v : d.violations) {
            auto* fv = p.add_field_violations();
            fv->set_field(v.field);
            fv->set_description(v.description);
          }
          any->PackFrom(p);
        }
      },
      detail);
}

std::optional<StatusDetail> unpack(const google::protobuf::Any& any) {
  if (google::rpc::RetryInfo p; any.UnpackTo(&p)) {
    return RetryInfo{std::chrono::seconds(p.retry_delay().seconds()) +
                     std::chrono::nanoseconds(p.retry_delay().nanos())};
  }
  if (google::rpc::ErrorInfo p; any.UnpackTo(&p)) {
    ErrorInfo e{p.reason(), p.domain(), {}};
    for (const auto& [k, v] : p.metadata()) e.metadata.emplace_back(k, v);
    // Protobuf maps have no order; sorting keeps round trips deterministic.
    std::sort(e.metadata.begin(), e.metadata.end());
    return e;
  }
  if (google::rpc::BadRequest p; any.UnpackTo(&p)) {
    BadRequest b;
    for (const auto& fv : p.field_violations())
      b.violations.push_back({fv.field(), fv.description()});
    return b;
  }
  return std::nullopt;
}

}  // namespace

grpc::Status to_grpc_status(const Status& s) {
  if (s.is_ok()) return grpc::Status::OK;
  auto code = static_cast<grpc::StatusCode>(static_cast<int>(s.code()));
  if (s.details().empty()) return {code, s.message()};
  google::rpc::Status proto;
  proto.set_code(static_cast<int>(s.code()));
  proto.set_message(s.message());
  for (const auto& d : s.details()) pack(d, proto.add_details());
  return {code, s.message(), proto.SerializeAsString()};
}

Status from_grpc_status(const grpc::Status& s) {
  if (s.ok()) return Status::ok();
  int code = static_cast<int>(s.error_code());
  Status out(code > 0 && code <= static_cast<int>(Code::kUnauthenticated) ? static_cast<Code>(code)
                                                                          : Code::kUnknown,
             s.error_message());
  google::rpc::Status proto;
  if (!s.error_details().empty() && proto.ParseFromString(s.error_details())) {
    for (const auto& any : proto.details()) {
      if (auto d = unpack(any)) out.with(std::move(*d));
    }
  }
  return out;
}

}  // namespace gcpsim::core
