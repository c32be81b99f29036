// The storage route table, read top to bottom: one line per method and path. Every JSON API
// route is served with and without /storage/v1 (STORAGE_EMULATOR_HOST clients omit it).
// Each call passes core::dispatch (faults, the api.call event) under its method id.
#include <memory>

#include "net/route.h"
#include "services/storage/api.h"

namespace gcpsim::services::storage {
namespace {

using Handler = Answer (Api::*)(HttpRequest&);

struct Route {
  const char* method;
  const char* path;
  const char* id;
  Handler handler;
};

const Route kJsonRoutes[] = {
    {"GET",    "/b",                                                  "storage.buckets.list",         &Api::list_buckets},
    {"POST",   "/b",                                                  "storage.buckets.insert",       &Api::insert_bucket},
    {"GET",    "/b/{bucket}",                                         "storage.buckets.get",          &Api::get_bucket},
    {"PATCH",  "/b/{bucket}",                                         "storage.buckets.patch",        &Api::patch_bucket},
    {"PUT",    "/b/{bucket}",                                         "storage.buckets.update",       &Api::update_bucket},
    {"DELETE", "/b/{bucket}",                                         "storage.buckets.delete",       &Api::delete_bucket},
    {"GET",    "/b/{bucket}/notificationConfigs",                     "storage.notifications.list",   &Api::list_notifications},
    {"POST",   "/b/{bucket}/notificationConfigs",                     "storage.notifications.insert", &Api::insert_notification},
    {"GET",    "/b/{bucket}/notificationConfigs/{notification}",      "storage.notifications.get",    &Api::get_notification},
    {"DELETE", "/b/{bucket}/notificationConfigs/{notification}",      "storage.notifications.delete", &Api::delete_notification},
    {"GET",    "/b/{bucket}/o",                                       "storage.objects.list",         &Api::list_objects},
    {"POST",   "/b/{bucket}/o",                                       "storage.objects.insert",       &Api::insert_without_upload},
    {"POST",   "/b/{bucket}/o/{object}/compose",                      "storage.objects.compose",      &Api::compose},
    {"POST",   "/b/{srcBucket}/o/{srcObject}/copyTo/b/{bucket}/o/{object}",    "storage.objects.copy",    &Api::copy},
    {"POST",   "/b/{srcBucket}/o/{srcObject}/rewriteTo/b/{bucket}/o/{object}", "storage.objects.rewrite", &Api::rewrite},
    {"GET",    "/b/{bucket}/o/{object**}",                            "storage.objects.get",          &Api::get_object},
    {"PATCH",  "/b/{bucket}/o/{object**}",                            "storage.objects.patch",        &Api::patch_object},
    {"PUT",    "/b/{bucket}/o/{object**}",                            "storage.objects.update",       &Api::update_object},
    {"DELETE", "/b/{bucket}/o/{object**}",                            "storage.objects.delete",       &Api::delete_object},
};

const Route kMediaRoutes[] = {
    {"POST",   "/upload/storage/v1/b/{bucket}/o",                     "storage.objects.insert",       &Api::upload},
    {"PUT",    "/upload/storage/v1/b/{bucket}/o",                     "storage.objects.insert",       &Api::upload_chunk},
    {"DELETE", "/upload/storage/v1/b/{bucket}/o",                     "storage.objects.insert",       &Api::cancel_upload},
    // The path apitools (and so gcloud) starts resumable uploads on; GCS serves both.
    {"POST",   "/resumable/upload/storage/v1/b/{bucket}/o",           "storage.objects.insert",       &Api::upload},
    {"PUT",    "/resumable/upload/storage/v1/b/{bucket}/o",           "storage.objects.insert",       &Api::upload_chunk},
    {"DELETE", "/resumable/upload/storage/v1/b/{bucket}/o",           "storage.objects.insert",       &Api::cancel_upload},
    {"GET",    "/download/storage/v1/b/{bucket}/o/{object**}",        "storage.objects.get",          &Api::download},
};

// "bucket/object" (or "bucket") for fault matching and events.
std::string target_of(const HttpRequest& req) {
  std::string bucket = req.param("bucket");
  std::string object = req.param("object");
  return object.empty() ? bucket : bucket + "/" + object;
}

// Storage answers errors in its own JSON shape (error_answer).
const net::RouteErrors kErrors{error_answer};

void add(Api& api, net::Router& router, const Route& r, const std::string& prefix) {
  Handler handler = r.handler;
  net::add_route(router, api.env(), r.method, prefix + r.path, {r.id, "storage", target_of, kErrors},
                 [&api, handler](HttpRequest& req) { return (api.*handler)(req); });
}

}  // namespace

void add_routes(Api& api, net::Router& router) {
  for (const auto& r : kMediaRoutes) add(api, router, r, "");
  for (const auto& r : kJsonRoutes) add(api, router, r, "/storage/v1");
  for (const auto& r : kJsonRoutes) add(api, router, r, "");
}

// After every other route and the gRPC transcoder: /BUCKET/OBJECT for existing buckets and
// signed URLs (path_style.cc decides), so it never shadows another API's paths.
void add_path_style(Api& api, net::Router& router) {
  router.add_fallback([&api](HttpRequest& req, net::Reply& reply) {
    if (!api.claims(req)) return false;
    core::Call call{"storage.xml." + req.method, "storage", req.path.substr(1)};
    net::serve(api.env(), std::move(call), req, reply,
               [&api](HttpRequest& r, net::RouteDone done) { done(api.path_style(r)); }, kErrors);
    return true;
  });
}

}  // namespace gcpsim::services::storage
