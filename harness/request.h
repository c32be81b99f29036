// An HTTP exchange as the harness sees it: to the edge (handed to the engine in process)
// or to a URL such as a Cloud Run service's port (over a real socket).
#pragma once
#include <string>

#include "core/time.h"
#include "net/http.h"

namespace gcpsim::harness {

struct Request {
  std::string method = "GET";
  std::string url;      // "http://127.0.0.1:9001" for a socket; empty: the edge, in process
  std::string run_service;  // the Cloud Run service behind `url`, if any
  std::string source;   // the client's own address for a socket ("127.0.0.5"); empty: any
  std::string target;   // "/v1/projects/p/topics/t:publish?x=1"
  net::Headers headers;
  std::string body;
};

struct Response {
  int status = 0;       // 0: no HTTP answer
  net::Headers headers;
  std::string body;
  std::string error;    // why status is 0
};

}  // namespace gcpsim::harness
