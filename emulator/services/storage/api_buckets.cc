// Handlers: buckets.* and notifications.*.
#include "core/env.h"
#include "services/storage/api.h"
#include "services/storage/errors.h"

namespace gcpsim::services::storage {

Answer Api::list_buckets(HttpRequest& req) {
  if (!req.query_param("project")) return errors::required("Required parameter: project");
  ASSIGN_OR_RETURN(auto max, int_param(req, "maxResults"));
  ASSIGN_OR_RETURN(auto page, storage_.list_buckets(req.query_param("prefix").value_or(""),
                                                    size_t(std::max<int64_t>(0, max.value_or(0))),
                                                    req.query_param("pageToken").value_or("")));
  auto links = links_of(req, env_);
  Json body = {{"kind", "storage#buckets"}};
  if (!page.items.empty()) {
    body["items"] = Json::array();
    for (const auto& b : page.items) body["items"].push_back(bucket_json(b, links));
  }
  if (!page.next_page_token.empty()) body["nextPageToken"] = page.next_page_token;
  return json_answer(req, body);
}

Answer Api::insert_bucket(HttpRequest& req) {
  if (!req.query_param("project")) return errors::required("Required parameter: project");
  if (!req.body_file.empty()) return errors::bad_request("The request body is too large.");
  ASSIGN_OR_RETURN(auto body, parse_body(req.body));
  if (!body.contains("name") || !body["name"].is_string()) return errors::required("Required");
  ASSIGN_OR_RETURN(auto spec, apply_bucket(body, BucketSpec{}, Merge::kPatch));
  if (auto cls = req.query_param("storageClass")) spec.storage_class = *cls;
  ASSIGN_OR_RETURN(auto b, storage_.create_bucket(body["name"].get<std::string>(), std::move(spec)));
  return json_answer(req, bucket_json(b, links_of(req, env_)));
}

Answer Api::get_bucket(HttpRequest& req) {
  ASSIGN_OR_RETURN(auto pre, preconditions_of(req));
  ASSIGN_OR_RETURN(auto b, storage_.get_bucket(req.param("bucket"), pre));
  return json_answer(req, bucket_json(b, links_of(req, env_)));
}

namespace {
Answer change_bucket(Storage& storage, core::Env& env, HttpRequest& req, Merge merge) {
  ASSIGN_OR_RETURN(auto pre, preconditions_of(req));
  ASSIGN_OR_RETURN(auto body, parse_body(req.body));
  ASSIGN_OR_RETURN(auto current, storage.get_bucket(req.param("bucket")));
  ASSIGN_OR_RETURN(auto spec, apply_bucket(body, current, merge));
  ASSIGN_OR_RETURN(auto b, storage.update_bucket(current.name, std::move(spec), pre));
  return json_answer(req, bucket_json(b, links_of(req, env)));
}
}  // namespace

Answer Api::patch_bucket(HttpRequest& req) { return change_bucket(storage_, env_, req, Merge::kPatch); }
Answer Api::update_bucket(HttpRequest& req) { return change_bucket(storage_, env_, req, Merge::kReplace); }

Answer Api::delete_bucket(HttpRequest& req) {
  ASSIGN_OR_RETURN(auto pre, preconditions_of(req));
  RETURN_IF_ERROR(storage_.delete_bucket(req.param("bucket"), pre));
  return empty_answer(204);
}

Answer Api::list_notifications(HttpRequest& req) {
  const auto bucket = req.param("bucket");
  ASSIGN_OR_RETURN(auto list, storage_.list_notifications(bucket));
  Json body = {{"kind", "storage#notifications"}};
  if (!list.empty()) {
    body["items"] = Json::array();
    for (const auto& n : list) body["items"].push_back(notification_json(bucket, n, links_of(req, env_)));
  }
  return json_answer(req, body);
}

Answer Api::insert_notification(HttpRequest& req) {
  const auto bucket = req.param("bucket");
  RETURN_IF_ERROR(storage_.get_bucket(bucket).status());
  ASSIGN_OR_RETURN(auto body, parse_body(req.body));
  ASSIGN_OR_RETURN(auto config, notification_of(body));
  if (topic_check_) RETURN_IF_ERROR(topic_check_(config.topic));
  ASSIGN_OR_RETURN(auto n, storage_.add_notification(bucket, std::move(config)));
  return json_answer(req, notification_json(bucket, n, links_of(req, env_)));
}

Answer Api::get_notification(HttpRequest& req) {
  ASSIGN_OR_RETURN(auto n, storage_.get_notification(req.param("bucket"), req.param("notification")));
  return json_answer(req, notification_json(req.param("bucket"), n, links_of(req, env_)));
}

Answer Api::delete_notification(HttpRequest& req) {
  RETURN_IF_ERROR(storage_.delete_notification(req.param("bucket"), req.param("notification")));
  return empty_answer(204);
}

}  // namespace gcpsim::services::storage
