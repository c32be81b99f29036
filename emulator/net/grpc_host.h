// The in-process gRPC server: no listening port of its own — the edge listener hands it
// connections that start with the HTTP/2 preface. Every method goes through one generic
// service that looks the call up in the method table on the engine thread.
#pragma once
#include <functional>
#include <memory>

#include "core/status.h"

namespace gcpsim::core { struct Env; }

namespace gcpsim::net {

class MethodTable;

struct EngineAccess {
  std::function<void(std::function<void()>)> post;  // run on the engine thread
  std::function<const MethodTable*()> methods;        // current table (engine thread only)
  core::Env* env = nullptr;
};

class GrpcHost {
 public:
  explicit GrpcHost(EngineAccess engine);
  ~GrpcHost();
  core::Status start();
  // Takes ownership of a connected socket whose first bytes are the HTTP/2 preface.
  void adopt(int fd);
  void shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gcpsim::net
