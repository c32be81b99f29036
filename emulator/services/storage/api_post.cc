// Browser form uploads (POST object with a V4 policy document) on the path-style endpoint:
// POST /BUCKET, or POST / with the bucket named by the form or the signed policy.
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/env.h"
#include "net/http.h"
#include "services/storage/api.h"
#include "services/storage/errors.h"
#include "services/storage/form.h"
#include "services/storage/policy.h"

namespace gcpsim::services::storage {
namespace {

// A POST to the root names its bucket in a form field, or in the policy's {"bucket": …}.
std::string bucket_of(const FormBody& form) {
  if (auto it = form.fields.find("bucket"); it != form.fields.end()) return it->second;
  auto policy = form.fields.find("policy");
  if (policy == form.fields.end()) return "";
  auto text = base64_decode(policy->second);
  auto j = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
  if (!j.is_object() || !j.contains("conditions") || !j["conditions"].is_array()) return "";
  for (const auto& c : j["conditions"])
    if (c.is_object() && c.contains("bucket") && c["bucket"].is_string()) return c["bucket"].get<std::string>();
  return "";
}

ObjectMeta form_meta(const FormBody& form) {
  ObjectMeta m;
  auto field = [&](const char* k) {
    auto it = form.fields.find(k);
    return it == form.fields.end() ? std::string() : it->second;
  };
  m.content_type = field("content-type");
  if (m.content_type.empty()) m.content_type = form.file_type.empty() ? "application/octet-stream" : form.file_type;
  m.cache_control = field("cache-control");
  m.content_disposition = field("content-disposition");
  m.content_encoding = field("content-encoding");
  for (const auto& [k, v] : form.fields)
    if (k.compare(0, 12, "x-goog-meta-") == 0) m.metadata[k.substr(12)] = v;
  return m;
}

HttpResponse success(const FormBody& form, const Object& o, const std::string& base) {
  auto field = [&](const char* k) {
    auto it = form.fields.find(k);
    return it == form.fields.end() ? std::string() : it->second;
  };
  std::string etag = "\"" + hex_encode(o.md5) + "\"";
  if (auto redirect = field("success_action_redirect"); !redirect.empty()) {
    HttpResponse r = empty_answer(303);
    r.header("Location", redirect + (redirect.find('?') == std::string::npos ? "?" : "&") + "bucket=" +
                             net::percent_encode(o.bucket) + "&key=" + net::percent_encode(o.name) +
                             "&etag=" + net::percent_encode(etag));
    return r;
  }
  std::string status = field("success_action_status");
  HttpResponse r = empty_answer(status == "200" ? 200 : status == "201" ? 201 : 204);
  if (r.status == 201) {
    r = HttpResponse::text(201, "<?xml version='1.0' encoding='UTF-8'?><PostResponse><Location>" + base + "/" +
                                    net::percent_encode(o.bucket) + "/" + net::percent_encode(o.name, true) +
                                    "</Location><Bucket>" + o.bucket + "</Bucket><Key>" + o.name + "</Key><ETag>" +
                                    etag + "</ETag></PostResponse>",
                           "application/xml; charset=UTF-8");
  }
  r.header("ETag", etag);
  r.header("X-Goog-Generation", std::to_string(o.generation));
  return r;
}

}  // namespace

HttpResponse Api::post_object(HttpRequest& req, std::string bucket) {
  auto form = parse_form(req.header("Content-Type").value_or(""), req.body, req.body_file, req.body_size);
  if (!form.ok()) return xml_error(form.status());
  if (bucket.empty()) bucket = bucket_of(*form);
  uint64_t file_size = form->file_decoded ? form->file_decoded->size() : form->file_length;
  if (auto err = verify_post_policy(*form, bucket, file_size, env_.clock.now(), signature_check_))
    return xml_error(*err);
  std::string key = form->fields["key"];
  if (auto pos = key.find("${filename}"); pos != std::string::npos) key.replace(pos, 11, form->file_name);
  ObjectWrite w{bucket, key, form_meta(*form), {}, {}};
  BodySource body;
  if (form->file_decoded) {
    body.bytes = *form->file_decoded;
  } else if (req.body_file.empty()) {
    body.bytes = std::string_view(req.body).substr(size_t(form->file_offset), size_t(form->file_length));
  } else {
    body = BodySource{{}, req.body_file, form->file_offset, form->file_length, false};
  }
  auto o = storage_.insert_object(w, body);
  if (!o.ok()) return xml_error(o.status());
  return success(*form, *o, links_of(req, env_).base);
}

}  // namespace gcpsim::services::storage
