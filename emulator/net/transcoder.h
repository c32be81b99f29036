// The REST surface of every proto-defined API: HTTP/JSON requests matched against the
// methods' google.api.http bindings, turned into request messages with protobuf's JSON
// mapping, run through call_unary (the same path gRPC takes), answered as Google's REST does.
#pragma once
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "net/http.h"
#include "net/http_rule.h"
#include "net/rpc.h"

namespace gcpsim::core {
struct Env;
}

namespace gcpsim::net {

// How a response message becomes the HTTP body.
struct JsonFormat {
  std::string response_body;   // the binding's response_body field; "" = whole message
  bool enums_as_ints = false;  // "$alt=json;enum-encoding=int", as the REST clients send
  bool pretty = true;          // Google's default; "prettyPrint=false" turns it off
};

class Transcoder {
 public:
  struct Match {
    const UnaryMethod* method = nullptr;
    std::shared_ptr<Message> request;  // set when status is ok
    core::Status status;               // INVALID_ARGUMENT when the request cannot be built
    JsonFormat format;
  };

  // Reads the bindings of every unary method in `table`, which must outlive this.
  explicit Transcoder(const MethodTable& table);
  Transcoder(const Transcoder&) = delete;
  Transcoder& operator=(const Transcoder&) = delete;

  // nullopt when no binding has this HTTP method and path (the router then answers 404).
  std::optional<Match> match(const HttpRequest& req) const;
  // The JSON body Google's REST front end sends for `resp`.
  static core::StatusOr<std::string> to_json(const Message& resp, const JsonFormat& format);
  // Adds a router fallback serving every binding; this and env must outlive the router.
  void install(Router& router, core::Env& env) const;

 private:
  struct Binding {
    const UnaryMethod* method;
    HttpBinding http;
  };
  std::vector<Binding> bindings_;  // most specific first
  std::set<std::string> verbs_;    // every custom verb some binding uses
};

}  // namespace gcpsim::net
