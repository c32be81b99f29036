// Storage multipart/related upload bodies (metadata part + media part), given as a request
// whose Content-Type carries the boundary, parsed in memory and from a spooled file.
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "services/storage/multipart.h"
#include "storage_bodies.h"

using namespace gcpsim;

GCPSIM_FUZZ_TARGET(storage_multipart) {
  auto req = fuzz::request_from(input);
  auto type = req.header("Content-Type").value_or("");
  (void)services::storage::multipart_boundary(type);
  auto mp = services::storage::parse_multipart(type, req.body, "", req.body_size);
  if (mp.ok() && (mp->media_offset > req.body_size || mp->media_length > req.body_size - mp->media_offset)) abort();
  // The spooled path reads the body's two ends from a file.
  static const std::string spool = [] {
    char tmpl[] = "/tmp/gcpsim-fuzz-spool-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) abort();
    close(fd);
    return std::string(tmpl);
  }();
  FILE* f = fopen(spool.c_str(), "wb");
  if (!f) abort();
  fwrite(req.body.data(), 1, req.body.size(), f);
  fclose(f);
  auto spooled = services::storage::parse_multipart(type, "", spool, req.body_size);
  if (spooled.ok() != mp.ok()) abort();
}
