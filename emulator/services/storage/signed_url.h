// Signed URL verification for the path-style endpoint: V4 (X-Goog-Algorithm=GOOG4-RSA-SHA256)
// and V2 (GoogleAccessId/Expires/Signature). The canonical request is rebuilt from the request
// as received and checked with the service account's public key; expiry is on core::Clock.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "net/http.h"

namespace gcpsim::services::storage {

// An XML API error: HTTP status, <Code>, <Message> and optional <Details>/extra elements.
struct XmlError {
  int status = 400;
  std::string code, message, details;
};

using Verify = std::function<bool(const std::string& data, const std::string& signature)>;

// The XML API's error answer: <?xml …?><Error><Code>…</Code><Message>…</Message>…</Error>.
net::HttpResponse xml_error(const XmlError& e);
net::HttpResponse xml_error(const core::Status& s);

bool is_signed_url(const net::HttpRequest& req);
// nullopt when the signature holds and the URL is valid at `now`.
std::optional<XmlError> verify_signed_url(const net::HttpRequest& req, core::Time now, const Verify& verify);

// x-goog-content-length-range ("MIN,MAX", bytes) on an XML API upload: nullopt when `size`
// is within it; 400 EntityTooSmall / EntityTooLarge (or InvalidArgument) otherwise.
std::optional<XmlError> check_content_length_range(const std::string& range, uint64_t size);
// A path-style request without a signature or credentials to a bucket whose public access
// prevention is enforced: 403 AccessDenied naming the permission the method needs.
XmlError anonymous_denied(const std::string& method, bool object);

// V4's canonical request for a path (as sent), its query (decoded pairs) and header values.
std::string v4_canonical_request(const std::string& method, const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& query,
                                 const std::vector<std::pair<std::string, std::string>>& signed_headers,
                                 const std::string& payload_hash);
std::string v4_string_to_sign(const std::string& date, const std::string& scope, const std::string& canonical);

}  // namespace gcpsim::services::storage
