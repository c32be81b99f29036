// The JSON API and the path-style (XML) endpoint as handlers: one function per method,
// each translating an HTTP request into domain calls and the result into an HTTP answer.
// Dispatch (faults, events) and error bodies are applied once, by the route table.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "core/status.h"
#include "net/http.h"
#include "services/storage/domain.h"
#include "services/storage/resource.h"
#include "services/storage/uploads.h"

namespace gcpsim::core { struct Env; }

namespace gcpsim::services::storage {

using net::HttpRequest;
using net::HttpResponse;
using Answer = core::StatusOr<HttpResponse>;

// RSASSA-PKCS1-v1_5 SHA-256 verification with the service account's key (signed URLs).
using SignatureCheck = std::function<bool(const std::string& data, const std::string& signature)>;
// NOT_FOUND when a Pub/Sub topic ("projects/p/topics/t") does not exist.
using TopicCheck = std::function<core::Status(const std::string& topic)>;

class Api {
 public:
  Api(core::Env& env, Storage& storage, Uploads& uploads);
  void set_signature_check(SignatureCheck c) { signature_check_ = std::move(c); }
  void set_topic_check(TopicCheck c) { topic_check_ = std::move(c); }

  // Buckets (api_buckets.cc).
  Answer list_buckets(HttpRequest& req);
  Answer insert_bucket(HttpRequest& req);
  Answer get_bucket(HttpRequest& req);
  Answer patch_bucket(HttpRequest& req);
  Answer update_bucket(HttpRequest& req);
  Answer delete_bucket(HttpRequest& req);
  Answer list_notifications(HttpRequest& req);
  Answer insert_notification(HttpRequest& req);
  Answer get_notification(HttpRequest& req);
  Answer delete_notification(HttpRequest& req);

  // Objects (api_objects.cc).
  Answer list_objects(HttpRequest& req);
  Answer get_object(HttpRequest& req);  // metadata, or the bytes with alt=media
  Answer patch_object(HttpRequest& req);
  Answer update_object(HttpRequest& req);
  Answer delete_object(HttpRequest& req);
  Answer compose(HttpRequest& req);
  Answer copy(HttpRequest& req);
  Answer rewrite(HttpRequest& req);

  // Bytes in and out (api_media.cc, api_uploads.cc).
  Answer download(HttpRequest& req);
  Answer upload(HttpRequest& req);        // uploadType=media | multipart | resumable (start)
  Answer upload_chunk(HttpRequest& req);  // PUT to a session URI
  Answer cancel_upload(HttpRequest& req); // DELETE a session URI
  Answer insert_without_upload(HttpRequest& req);  // POST /b/{bucket}/o outside /upload

  // Path-style /BUCKET/OBJECT (path_style.cc): signed URLs, CORS, XML errors.
  // True when the request is for this endpoint (an existing bucket, a signed URL or a form upload).
  bool claims(const HttpRequest& req) const;
  HttpResponse path_style(HttpRequest& req);

  core::Env& env() { return env_; }

 private:
  Answer media(const Object& o, const HttpRequest& req);
  Answer resumable_start(HttpRequest& req, ObjectWrite w, const std::optional<uint64_t>& declared);
  HttpResponse xml_answer(HttpRequest& req, const std::string& bucket, const std::string& object);
  HttpResponse post_object(HttpRequest& req, std::string bucket);
  core::Status verify_signed(const HttpRequest& req) const;

  core::Env& env_;
  Storage& storage_;
  Uploads& uploads_;
  SignatureCheck signature_check_;
  TopicCheck topic_check_;
};

// Helpers shared by the handler files (api_common.cc).
Links links_of(const HttpRequest& req, const core::Env& env);
// The request body as a BodySource: in memory, or the spooled file (which may be moved),
// with the digest the edge took as it arrived.
BodySource request_body(const HttpRequest& req);
core::StatusOr<Preconditions> preconditions_of(const HttpRequest& req, const std::string& infix = "");
core::StatusOr<std::optional<int64_t>> int_param(const HttpRequest& req, const std::string& name);
bool bool_param(const HttpRequest& req, const std::string& name);
// A 200 JSON answer with the request's `fields` selection applied.
Answer json_answer(const HttpRequest& req, const Json& body, int status = 200);
HttpResponse empty_answer(int status);
// Google's JSON error envelope (an empty body for 304).
HttpResponse error_answer(const core::Status& s);
// "Thu, 01 Jan 2026 00:00:00 GMT"
std::string http_date(core::Time t);

// The route table (routes.cc): every JSON API path with and without /storage/v1, the upload
// and download paths, and the path-style endpoint as the router's fallback.
void add_routes(Api& api, net::Router& router);
void add_path_style(Api& api, net::Router& router);

}  // namespace gcpsim::services::storage
