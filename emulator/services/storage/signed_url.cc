// V4 and V2 signed URL checks, strict: every signed part must match, the date and expiry must
// be well formed, and the URL must be valid at the clock's now.
#include "services/storage/signed_url.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <boost/beast/core/string.hpp>

#include "core/text.h"
#include "services/storage/hashes.h"

namespace gcpsim::services::storage {
namespace {

using core::lower;

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  std::string out;
  for (char c : s)
    if (!(c == ' ' && !out.empty() && out.back() == ' ')) out.push_back(c);
  return out;
}

XmlError mismatch(const std::string& string_to_sign, const std::string& canonical) {
  return {403, "SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided. Check your Google "
          "secret key and signing method.",
          "StringToSign: " + string_to_sign + "\nCanonicalRequest: " + canonical};
}

XmlError bad_argument(const std::string& message) { return {400, "InvalidArgument", message, ""}; }

// Signing parameters by name in any case: gcloud and gsutil sign "x-goog-signature", the
// client libraries "X-Goog-Signature", and GCS takes both.
bool same_name(std::string_view a, std::string_view b) {
  return boost::beast::iequals({a.data(), a.size()}, {b.data(), b.size()});
}

std::optional<std::string> param(const net::HttpRequest& req, std::string_view name) {
  for (const auto& [k, v] : req.query)
    if (same_name(k, name)) return v;
  return std::nullopt;
}

// "20260101T000000Z"
std::optional<core::Time> parse_goog_date(const std::string& d) {
  if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') return std::nullopt;
  std::string iso = d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) + "T" + d.substr(9, 2) + ":" +
                    d.substr(11, 2) + ":" + d.substr(13, 2) + "Z";
  return core::parse_rfc3339(iso);
}

std::optional<int64_t> parse_int(const std::string& s) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(s);
}

// The Host header as signed: clients sign it with or without the port (the Node client
// drops it), so both forms are tried.
std::vector<std::string> host_forms(const net::HttpRequest& req) {
  std::string host = lower(req.header("Host").value_or(""));
  std::vector<std::string> out{host};
  auto colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']') == std::string::npos) out.push_back(host.substr(0, colon));
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(sep, i);
    if (j == std::string::npos) j = s.size();
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The path as the signer saw it: as sent, or re-encoded canonically.
std::vector<std::string> path_forms(const net::HttpRequest& req) {
  std::vector<std::string> out{req.path};
  std::string canonical = net::percent_encode(net::percent_decode(req.path), true);
  if (canonical != req.path) out.push_back(canonical);
  return out;
}

std::optional<XmlError> verify_v4(const net::HttpRequest& req, core::Time now, const Verify& verify) {
  auto q = [&](const char* k) { return param(req, k).value_or(""); };
  if (q("X-Goog-Algorithm") != "GOOG4-RSA-SHA256")
    return bad_argument("Unsupported X-Goog-Algorithm: " + q("X-Goog-Algorithm"));
  auto date = parse_goog_date(q("X-Goog-Date"));
  auto expires = parse_int(q("X-Goog-Expires"));
  auto credential = split(q("X-Goog-Credential"), '/');
  if (!date) return bad_argument("Invalid X-Goog-Date: " + q("X-Goog-Date"));
  if (!expires || *expires < 1 || *expires > 604800)
    return bad_argument("Invalid X-Goog-Expires: it must be between 1 and 604800 seconds.");
  if (credential.size() != 5 || credential[4] != "goog4_request" || credential[3] != "storage" ||
      credential[1] != q("X-Goog-Date").substr(0, 8))
    return bad_argument("Invalid X-Goog-Credential: " + q("X-Goog-Credential"));
  if (now < *date - std::chrono::minutes(15)) return XmlError{400, "InvalidArgument", "Request is not yet valid.", ""};
  if (now > *date + std::chrono::seconds(*expires))
    return XmlError{400, "ExpiredToken", "Invalid argument.",
                    "Request signature expired at: " + core::format_rfc3339(*date + std::chrono::seconds(*expires))};
  auto signature = hex_decode(q("X-Goog-Signature"));
  if (!signature) return bad_argument("Invalid X-Goog-Signature.");
  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& kv : req.query)
    if (!same_name(kv.first, "X-Goog-Signature")) query.push_back(kv);
  std::string scope = credential[1] + "/" + credential[2] + "/" + credential[3] + "/" + credential[4];
  std::string payload = req.header("X-Goog-Content-SHA256").value_or("UNSIGNED-PAYLOAD");
  std::string last_sts, last_canonical;
  for (const auto& host : host_forms(req)) {
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& name : split(q("X-Goog-SignedHeaders"), ';')) {
      if (name == "host") headers.emplace_back("host", host);
      else headers.emplace_back(name, trim(req.header(name).value_or("")));
    }
    for (const auto& path : path_forms(req)) {
      last_canonical = v4_canonical_request(req.method, path, query, headers, payload);
      last_sts = v4_string_to_sign(q("X-Goog-Date"), scope, last_canonical);
      if (verify && verify(last_sts, *signature)) return std::nullopt;
    }
  }
  return mismatch(last_sts, last_canonical);
}

std::optional<XmlError> verify_v2(const net::HttpRequest& req, core::Time now, const Verify& verify) {
  auto expires = parse_int(param(req, "Expires").value_or(""));
  if (!expires) return bad_argument("Invalid Expires.");
  if (core::from_seconds(*expires) < now)
    return XmlError{400, "ExpiredToken", "Invalid argument.", "Request signature expired at: " +
                                                                  core::format_rfc3339(core::from_seconds(*expires))};
  auto signature = base64_decode(param(req, "Signature").value_or(""));
  if (!signature) return bad_argument("Invalid Signature.");
  std::string ext;
  std::vector<std::pair<std::string, std::string>> goog;
  for (const auto& [k, v] : req.headers)
    if (lower(k).compare(0, 7, "x-goog-") == 0) goog.emplace_back(lower(k), trim(v));
  std::sort(goog.begin(), goog.end());
  for (const auto& [k, v] : goog) ext += k + ":" + v + "\n";
  std::string blob;
  for (const auto& path : path_forms(req)) {
    blob = req.method + "\n" + req.header("Content-MD5").value_or("") + "\n" + req.header("Content-Type").value_or("") +
           "\n" + std::to_string(*expires) + "\n" + ext + path;
    if (verify && verify(blob, *signature)) return std::nullopt;
  }
  return mismatch(blob, blob);
}

}  // namespace

bool is_signed_url(const net::HttpRequest& req) {
  return param(req, "X-Goog-Signature") || param(req, "Signature") || param(req, "X-Goog-Algorithm");
}

std::optional<XmlError> verify_signed_url(const net::HttpRequest& req, core::Time now, const Verify& verify) {
  if (param(req, "X-Goog-Algorithm") || param(req, "X-Goog-Signature")) return verify_v4(req, now, verify);
  return verify_v2(req, now, verify);
}

std::optional<XmlError> check_content_length_range(const std::string& range, uint64_t size) {
  auto comma = range.find(',');
  auto low = comma == std::string::npos ? std::nullopt : parse_int(trim(range.substr(0, comma)));
  auto high = comma == std::string::npos ? std::nullopt : parse_int(trim(range.substr(comma + 1)));
  if (!low || !high || *low > *high)
    return bad_argument("Invalid x-goog-content-length-range: " + range + " (expected MIN,MAX in bytes).");
  if (size < static_cast<uint64_t>(*low))
    return XmlError{400, "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum object size specified in your Policy Document.",
                    "Content-length smaller than lower bound on range"};
  if (size > static_cast<uint64_t>(*high))
    return XmlError{400, "EntityTooLarge",
                    "Your proposed upload is larger than the maximum object size specified in your Policy Document.",
                    "Content-length exceeds upper bound on range"};
  return std::nullopt;
}

XmlError anonymous_denied(const std::string& method, bool object) {
  std::string permission = !object                                  ? "storage.objects.list"
                           : method == "PUT" || method == "POST"    ? "storage.objects.create"
                           : method == "DELETE"                     ? "storage.objects.delete"
                                                                    : "storage.objects.get";
  std::string resource = object ? "the Google Cloud Storage object" : "the Google Cloud Storage bucket";
  return {403, "AccessDenied", "Access denied.",
          "Anonymous caller does not have " + permission + " access to " + resource + ". Permission '" + permission +
              "' denied on resource (or it may not exist)."};
}

std::string v4_canonical_request(const std::string& method, const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& query,
                                 const std::vector<std::pair<std::string, std::string>>& signed_headers,
                                 const std::string& payload_hash) {
  std::vector<std::pair<std::string, std::string>> q;
  for (const auto& [k, v] : query) q.emplace_back(net::percent_encode(k), net::percent_encode(v));
  std::sort(q.begin(), q.end());
  std::string query_text, header_text, names;
  for (const auto& [k, v] : q) query_text += (query_text.empty() ? "" : "&") + k + "=" + v;
  auto headers = signed_headers;
  for (auto& h : headers) h.first = lower(h.first);
  std::sort(headers.begin(), headers.end());
  for (const auto& [k, v] : headers) {
    header_text += k + ":" + v + "\n";
    names += (names.empty() ? "" : ";") + k;
  }
  return method + "\n" + path + "\n" + query_text + "\n" + header_text + "\n" + names + "\n" + payload_hash;
}

std::string v4_string_to_sign(const std::string& date, const std::string& scope, const std::string& canonical) {
  return "GOOG4-RSA-SHA256\n" + date + "\n" + scope + "\n" + sha256_hex(canonical);
}

}  // namespace gcpsim::services::storage
